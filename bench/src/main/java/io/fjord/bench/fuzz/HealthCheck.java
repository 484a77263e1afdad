package io.fjord.bench.fuzz;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.requests.ResponseHeader;

/**
 * Is the node still serving? On a fresh connection, within one deadline: ApiVersions, Metadata of the control topic,
 * an acks=all Produce of one record to it and a Fetch that must return that record. Stateless between checks apart
 * from the count that makes each record's value unique. Not thread-safe: one checking thread.
 */
final class HealthCheck {
    static final short PRODUCE_VERSION = 12;
    static final short FETCH_VERSION = 12;
    static final short METADATA_VERSION = 12;
    private static final int MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

    private final InetSocketAddress address;
    private final int timeoutMs;
    private int checks;

    HealthCheck(InetSocketAddress address, int timeoutMs) {
        this.address = address;
        this.timeoutMs = timeoutMs;
    }

    /** Runs one check; returns null when healthy, else what went wrong. */
    String check() {
        checks++;
        long deadlineNanos = System.nanoTime() + timeoutMs * 1_000_000L;
        String value = "health-" + checks;
        try (Socket socket = new Socket()) {
            socket.connect(address, timeoutMs);
            socket.setSoTimeout(timeoutMs);
            ApiVersionsResponseData versions = (ApiVersionsResponseData) call(socket, ApiKeys.API_VERSIONS, (short) 3,
                    new ApiVersionsRequestData().setClientSoftwareName("fjord-fuzz-health")
                            .setClientSoftwareVersion("1"), deadlineNanos);
            if (versions.errorCode() != Errors.NONE.code()) {
                return "ApiVersions answered " + Errors.forCode(versions.errorCode());
            }
            MetadataResponseData metadata = (MetadataResponseData) call(socket, ApiKeys.METADATA, METADATA_VERSION,
                    new MetadataRequestData().setTopics(List.of(new MetadataRequestData.MetadataRequestTopic()
                            .setName(FuzzContext.CONTROL_TOPIC))).setAllowAutoTopicCreation(false), deadlineNanos);
            MetadataResponseData.MetadataResponseTopic topic = metadata.topics().find(FuzzContext.CONTROL_TOPIC);
            if (topic == null || topic.errorCode() != Errors.NONE.code()) {
                return "Metadata of the control topic: " + (topic == null ? "missing"
                        : Errors.forCode(topic.errorCode()));
            }
            long offset = produce(socket, value, deadlineNanos);
            if (offset < 0) {
                return "Produce to the control topic answered " + Errors.forCode((short) -offset);
            }
            return fetch(socket, offset, value, deadlineNanos);
        } catch (IOException | RuntimeException e) {
            return "health check failed: " + e;
        }
    }

    /** Produces one record; returns its offset, or minus the error code. */
    private long produce(Socket socket, String value, long deadlineNanos) throws IOException {
        byte[] record = BatchWriter.record(0, 0L, null, value.getBytes(StandardCharsets.UTF_8), List.of());
        ByteBuffer batch = BatchWriter.batch(BatchWriter.Header.of(1, (short) 0, System.currentTimeMillis()),
                BatchWriter.payload(List.of(record)));
        ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(new ProduceRequestData.TopicProduceData().setName(FuzzContext.CONTROL_TOPIC).setPartitionData(
                List.of(new ProduceRequestData.PartitionProduceData().setIndex(0)
                        .setRecords(MemoryRecords.readableRecords(batch)))));
        ProduceResponseData response = (ProduceResponseData) call(socket, ApiKeys.PRODUCE, PRODUCE_VERSION,
                new ProduceRequestData().setAcks((short) -1).setTimeoutMs(timeoutMs).setTopicData(topics),
                deadlineNanos);
        ProduceResponseData.PartitionProduceResponse partition =
                response.responses().iterator().next().partitionResponses().get(0);
        if (partition.errorCode() != Errors.NONE.code()) {
            return -partition.errorCode();
        }
        return partition.baseOffset();
    }

    private String fetch(Socket socket, long offset, String value, long deadlineNanos) throws IOException {
        FetchRequestData request = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(100).setMinBytes(1)
                .setMaxBytes(1 << 20).setTopics(List.of(new FetchRequestData.FetchTopic()
                        .setTopic(FuzzContext.CONTROL_TOPIC).setPartitions(List.of(
                                new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(offset)
                                        .setPartitionMaxBytes(1 << 20)))));
        FetchResponseData response = (FetchResponseData) call(socket, ApiKeys.FETCH, FETCH_VERSION, request,
                deadlineNanos);
        if (response.errorCode() != Errors.NONE.code()) {
            return "Fetch answered " + Errors.forCode(response.errorCode());
        }
        FetchResponseData.PartitionData partition = response.responses().get(0).partitions().get(0);
        if (partition.errorCode() != Errors.NONE.code()) {
            return "Fetch of the control topic answered " + Errors.forCode(partition.errorCode());
        }
        if (partition.records() instanceof MemoryRecords records) {
            for (Record record : records.records()) {
                if (record.offset() == offset && record.hasValue()
                        && StandardCharsets.UTF_8.decode(record.value()).toString().equals(value)) {
                    return null;
                }
            }
        }
        return "Fetch from offset " + offset + " did not return the record just produced";
    }

    private static ApiMessage call(Socket socket, ApiKeys api, short version, ApiMessage request, long deadlineNanos)
            throws IOException {
        long remainingMs = (deadlineNanos - System.nanoTime()) / 1_000_000L;
        if (remainingMs <= 0) {
            throw new IOException("deadline passed before " + api.name);
        }
        socket.setSoTimeout((int) remainingMs);
        int correlationId = api.id + 1000;
        socket.getOutputStream().write(RequestFrames.frame(api, version, correlationId, "fjord-fuzz-health",
                request));
        socket.getOutputStream().flush();
        DataInputStream input = new DataInputStream(socket.getInputStream());
        int size = input.readInt();
        if (size < 4 || size > MAX_RESPONSE_BYTES) {
            throw new IOException(api.name + " response of " + size + " bytes");
        }
        byte[] body = new byte[size];
        input.readFully(body);
        ByteBuffer buffer = ByteBuffer.wrap(body);
        ResponseHeader header = ResponseHeader.parse(buffer, api.responseHeaderVersion(version));
        if (header.correlationId() != correlationId) {
            throw new IOException(api.name + " answered correlation id " + header.correlationId());
        }
        // ApiVersions answers v0 on an unknown version; the versions used here are known, so parse as sent.
        ApiMessage response = api.messageType.newResponse();
        response.read(new ByteBufferAccessor(buffer), version);
        return response;
    }
}
