package io.fjord.bench.cluster;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.message.DescribeQuorumResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeQuorumRequest;
import org.apache.kafka.common.requests.DescribeQuorumResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.TopicPartition;

/**
 * One request to one given node over a fresh blocking socket, with the Kafka client library's own request and
 * response classes: the Admin client picks the node it sends to, and the benchmark needs to ask a particular one
 * (is this node ready; which node leads the metadata quorum). Bounded in time and in the size of what it reads.
 * Stateless and thread-safe.
 */
final class NodeExchange {
    private static final String CLIENT_ID = "fjord-cluster-bench";
    private static final TopicPartition METADATA_PARTITION = new TopicPartition("__cluster_metadata", 0);
    /**
     * A Metadata for no topics or a DescribeQuorum of a few voters is a few hundred bytes; one for a topic of a few
     * thousand partitions some hundreds of kilobytes.
     */
    private static final int RESPONSE_SIZE_MAX_BYTES = 1024 * 1024;
    private static final short METADATA_VERSION = 12;
    /** Version 0: the one both systems' controller listeners answer. */
    private static final short DESCRIBE_QUORUM_VERSION = 0;

    private final int timeoutMillis;

    /** @param timeoutMillis the bound on connecting and on each read */
    NodeExchange(int timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    /** Metadata for no topics, through a client listener: the cluster id and the brokers the node lists. */
    MetadataResponse metadata(InetSocketAddress clientListener) throws IOException {
        return (MetadataResponse) exchange(clientListener,
                new MetadataRequest.Builder(List.of(), false), METADATA_VERSION);
    }

    /** Metadata for these topics via a client listener: their partitions' leaders and ISRs as the node sees them. */
    MetadataResponse topicMetadata(InetSocketAddress clientListener, List<String> names) throws IOException {
        return (MetadataResponse) exchange(clientListener, new MetadataRequest.Builder(names, false),
                METADATA_VERSION);
    }

    /** Which of these topics the node's Metadata lists (the node has applied their creation), through a client listener. */
    Set<String> existingTopics(InetSocketAddress clientListener, List<String> names)
            throws IOException {
        MetadataResponse response = (MetadataResponse) exchange(clientListener,
                new MetadataRequest.Builder(names, false), METADATA_VERSION);
        Set<String> existing = new HashSet<>();
        response.topicMetadata().forEach(topic -> {
            if (topic.error() == Errors.NONE) {
                existing.add(topic.topic());
            }
        });
        return existing;
    }

    /** The metadata quorum's leader as a controller listener reports it (-1 when it knows none). */
    int quorumLeader(InetSocketAddress controllerListener) throws IOException {
        DescribeQuorumResponse response = (DescribeQuorumResponse) exchange(controllerListener,
                new DescribeQuorumRequest.Builder(DescribeQuorumRequest.singletonRequest(METADATA_PARTITION)),
                DESCRIBE_QUORUM_VERSION);
        DescribeQuorumResponseData data = response.data();
        if (data.errorCode() != 0 || data.topics().isEmpty() || data.topics().get(0).partitions().isEmpty()) {
            throw new IOException("DescribeQuorum answered error code " + data.errorCode());
        }
        DescribeQuorumResponseData.PartitionData partition = data.topics().get(0).partitions().get(0);
        if (partition.errorCode() != 0) {
            throw new IOException("DescribeQuorum answered partition error code " + partition.errorCode());
        }
        return partition.leaderId();
    }

    private AbstractResponse exchange(InetSocketAddress address, AbstractRequest.Builder<?> builder, short version)
            throws IOException {
        RequestHeader header = new RequestHeader(builder.apiKey(), version, CLIENT_ID, 1);
        ByteBuffer request = builder.build(version).serializeWithHeader(header);
        try (Socket socket = new Socket()) {
            socket.connect(address, timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            OutputStream output = socket.getOutputStream();
            byte[] frame = new byte[4 + request.remaining()];
            ByteBuffer.wrap(frame).putInt(request.remaining()).put(request);
            output.write(frame);
            output.flush();
            DataInputStream input = new DataInputStream(socket.getInputStream());
            int size = input.readInt();
            if (size < 4 || size > RESPONSE_SIZE_MAX_BYTES) {
                throw new IOException(builder.apiKey() + " response of " + size + " bytes");
            }
            byte[] response = new byte[size];
            input.readFully(response);
            try {
                return AbstractResponse.parseResponse(ByteBuffer.wrap(response), header);
            } catch (RuntimeException e) {
                throw new IOException("cannot parse the " + builder.apiKey() + " response: " + e.getMessage(), e);
            }
        }
    }
}
