package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed and hostile input sent over raw sockets to a real node: each bad connection is answered as Kafka answers
 * it (a closed connection, or an error code), and after every case the node still serves a well-formed client.
 */
class BadInputIT {
    private static final int REQUEST_MAX_BYTES = 1024 * 1024;
    private static final int READ_TIMEOUT_MS = 20_000;

    @TempDir
    Path data;

    private FjordTestNode node;
    private InetSocketAddress address;

    @BeforeEach
    void start() throws Exception {
        node = FjordTestNode.start(data, Map.of("socket.request.max.bytes", Integer.toString(REQUEST_MAX_BYTES)));
        address = new InetSocketAddress("127.0.0.1", node.node().boundAddress("PLAINTEXT").getPort());
    }

    @AfterEach
    void stop() {
        node.close();
    }

    @Test
    void garbageFramesCloseTheConnectionAndTheNodeKeepsServing() throws Exception {
        Random random = new Random(20261125L);
        for (int attempt = 0; attempt < 20; attempt++) {
            byte[] body = new byte[16 + random.nextInt(200)];
            random.nextBytes(body);
            // Keep the first two bytes a key Fjord does not know, so garbage can never parse as a real request.
            body[0] = (byte) 0x7f;
            assertClosesTheConnection(frame(body));
        }
        assertServing();
    }

    @Test
    void anOversizeLengthPrefixClosesTheConnectionBeforeAnythingIsRead() throws Exception {
        assertClosesTheConnection(ByteBuffer.allocate(4).putInt(REQUEST_MAX_BYTES + 1).array());
        assertClosesTheConnection(ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).array());
        assertClosesTheConnection(ByteBuffer.allocate(4).putInt(-5).array());
        assertServing();
    }

    @Test
    void anUnknownApiKeyClosesTheConnection() throws Exception {
        ByteBuffer header = ByteBuffer.allocate(10).putShort((short) 999).putShort((short) 0).putInt(7)
                .putShort((short) -1).flip();
        assertClosesTheConnection(frame(header.array()));
        assertServing();
    }

    @Test
    void anUnsupportedVersionOfAnotherApiClosesTheConnection() throws Exception {
        // Produce v99: a known key at a version nobody advertises.
        ByteBuffer header = ByteBuffer.allocate(10).putShort(ApiKeys.PRODUCE.id).putShort((short) 99).putInt(8)
                .putShort((short) -1).flip();
        assertClosesTheConnection(frame(header.array()));
        assertServing();
    }

    /**
     * Kafka 4.4 lists Produce 0-13 in ApiVersions (KAFKA-18659: old librdkafka needs v0-2 listed to compress), but
     * serves only v3 and up: a Produce v0, v1 or v2 request gets no response, its connection is closed. Seen on Kafka
     * 4.4.0 with these frames: "Closing socket ... UnsupportedVersionException: Received request for api with key 0
     * (Produce) and unsupported version 0".
     */
    @Test
    void produceVersionsZeroToTwoAreListedAsKafkaListsThemAndCloseTheConnectionAsKafkaDoes() throws Exception {
        try (Socket socket = connect()) {
            write(socket, frame(new ApiVersionsRequest.Builder().build((short) 3)
                    .serializeWithHeader(new RequestHeader(ApiKeys.API_VERSIONS, (short) 3, "bad-input-it", 5))));
            ByteBuffer response = readFrame(socket);
            assertThat(response.getInt()).as("correlation id").isEqualTo(5);
            ApiVersionsResponseData versions = new ApiVersionsResponseData(new ByteBufferAccessor(response),
                    (short) 3);
            ApiVersionsResponseData.ApiVersion produce = versions.apiKeys().find(ApiKeys.PRODUCE.id);
            assertThat(produce.minVersion()).isZero();
            assertThat(produce.maxVersion()).isEqualTo((short) 13);
        }
        for (short version = 0; version <= 2; version++) {
            assertClosesTheConnection(frame(oldProduceRequest(version)));
        }
        assertServing();
    }

    /** A well-formed Produce v0-2 request (header v1, acks 1, one partition with one magic-1 message). */
    private static ByteBuffer oldProduceRequest(short version) {
        byte[] clientId = "old-client".getBytes(StandardCharsets.UTF_8);
        byte[] topic = "orders".getBytes(StandardCharsets.UTF_8);
        byte[] value = "hello".getBytes(StandardCharsets.UTF_8);
        // offset, size, then crc, magic, attributes, timestamp, null key, value
        int messageBytes = 4 + 1 + 1 + 8 + 4 + 4 + value.length;
        ByteBuffer messageSet = ByteBuffer.allocate(8 + 4 + messageBytes).putLong(0).putInt(messageBytes)
                .putInt(0).put((byte) 1).put((byte) 0).putLong(1_700_000_000_000L).putInt(-1).putInt(value.length)
                .put(value);
        return ByteBuffer.allocate(256).putShort(ApiKeys.PRODUCE.id).putShort(version).putInt(60 + version)
                .putShort((short) clientId.length).put(clientId).putShort((short) 1).putInt(30_000)
                .putInt(1).putShort((short) topic.length).put(topic)
                .putInt(1).putInt(0).putInt(messageSet.capacity()).put(messageSet.array()).flip();
    }

    @Test
    void anUnsupportedApiVersionsVersionIsAnsweredWithVersionZeroAndUnsupportedVersion() throws Exception {
        ByteBuffer request = ByteBuffer.allocate(10).putShort(ApiKeys.API_VERSIONS.id).putShort((short) 127)
                .putInt(41).putShort((short) -1).flip();
        try (Socket socket = connect()) {
            write(socket, frame(request.array()));
            ByteBuffer response = readFrame(socket);
            assertThat(response.getInt()).as("correlation id").isEqualTo(41);
            // An ApiVersions response always uses header v0, and this one is a v0 body: error code, then the keys.
            assertThat(response.getShort()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
            int keys = response.getInt();
            assertThat(keys).isPositive();
            boolean advertisesProduce = false;
            for (int index = 0; index < keys; index++) {
                short apiKey = response.getShort();
                response.getShort();
                response.getShort();
                advertisesProduce |= apiKey == ApiKeys.PRODUCE.id;
            }
            assertThat(advertisesProduce).isTrue();
            assertThat(response.hasRemaining()).isFalse();
            // The connection stays open: the client retries with a version it finds in that list.
            ByteBuffer retry = new ApiVersionsRequest.Builder().build((short) 3)
                    .serializeWithHeader(new RequestHeader(ApiKeys.API_VERSIONS, (short) 3, "bad-input-it", 42));
            write(socket, frame(retry));
            assertThat(readFrame(socket).getInt()).isEqualTo(42);
        }
    }

    @Test
    void aCollectionClaimingABillionElementsIsRefusedWithoutAllocating() throws Exception {
        // CreateTopics v0: header, then the topics array length. Claim 10^9 topics in a 20-byte frame.
        String clientId = "x";
        ByteBuffer request = ByteBuffer.allocate(64).putShort(ApiKeys.CREATE_TOPICS.id).putShort((short) 0)
                .putInt(9).putShort((short) clientId.length()).put(clientId.getBytes(StandardCharsets.UTF_8))
                .putInt(1_000_000_000);
        byte[] body = new byte[request.position()];
        request.flip().get(body);
        for (int attempt = 0; attempt < 50; attempt++) {
            assertClosesTheConnection(frame(body));
        }
        assertServing();
    }

    @Test
    void aBatchWithABrokenChecksumGetsCorruptMessageAndNothingIsAppended() throws Exception {
        createTopic(new NewTopic("checked", 1, (short) 1));
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord("key".getBytes(StandardCharsets.UTF_8), "value".getBytes(StandardCharsets.UTF_8)));
        ByteBuffer batch = records.buffer();
        // Flip a byte of the record payload, past the CRC-covered header start (offset 21 holds attributes).
        int last = batch.limit() - 1;
        batch.put(last, (byte) (batch.get(last) ^ 0x5a));
        ProduceResponseData.PartitionProduceResponse partition = produceRaw("checked", records);
        assertThat(Errors.forCode(partition.errorCode())).isEqualTo(Errors.CORRUPT_MESSAGE);
        assertThat(node.node().logManager().getLog(new io.fjord.storage.TopicPartition("checked", 0)).orElseThrow()
                .logEndOffset()).isZero();
        assertServing();
    }

    @Test
    void recordsWithoutKeysOnACompactedTopicAreNamedInRecordErrors() throws Exception {
        createTopic(new NewTopic("compacted", 1, (short) 1).configs(Map.of("cleanup.policy", "compact")));
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord("a".getBytes(StandardCharsets.UTF_8), "1".getBytes(StandardCharsets.UTF_8)),
                new SimpleRecord(null, "2".getBytes(StandardCharsets.UTF_8)),
                new SimpleRecord("c".getBytes(StandardCharsets.UTF_8), "3".getBytes(StandardCharsets.UTF_8)),
                new SimpleRecord(null, "4".getBytes(StandardCharsets.UTF_8)));
        ProduceResponseData.PartitionProduceResponse partition = produceRaw("compacted", records);
        assertThat(Errors.forCode(partition.errorCode())).isEqualTo(Errors.INVALID_RECORD);
        assertThat(partition.recordErrors()).extracting(ProduceResponseData.BatchIndexAndErrorMessage::batchIndex)
                .containsExactly(1, 3);
        assertThat(partition.recordErrors().get(0).batchIndexErrorMessage()).contains("without key");
        assertThat(node.node().logManager().getLog(new io.fjord.storage.TopicPartition("compacted", 0)).orElseThrow()
                .logEndOffset()).isZero();
    }

    private ProduceResponseData.PartitionProduceResponse produceRaw(String topic, MemoryRecords records)
            throws IOException {
        ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000);
        ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(new ProduceRequestData.TopicProduceData().setName(topic).setPartitionData(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records))));
        data.setTopicData(topics);
        short version = 9;
        ProduceRequest request = new ProduceRequest.Builder(version, version, data).build(version);
        RequestHeader header = new RequestHeader(ApiKeys.PRODUCE, version, "bad-input-it", 5);
        try (Socket socket = connect()) {
            write(socket, frame(request.serializeWithHeader(header)));
            ProduceResponse response = (ProduceResponse) AbstractResponse.parseResponse(readFrame(socket), header);
            return response.data().responses().iterator().next().partitionResponses().get(0);
        }
    }

    @Test
    void manyConnectionsSendingGarbageAtOnceLeaveTheNodeServing() throws Exception {
        Random random = new Random(7L);
        Socket[] sockets = new Socket[100];
        try {
            for (int index = 0; index < sockets.length; index++) {
                sockets[index] = connect();
                byte[] noise = new byte[1 + random.nextInt(64)];
                random.nextBytes(noise);
                write(sockets[index], noise);
            }
            // Half-written frames hold no more than their bytes; a good client is still served alongside them.
            assertServing();
        } finally {
            for (Socket socket : sockets) {
                if (socket != null) {
                    socket.close();
                }
            }
        }
        assertServing();
    }

    private void assertServing() throws Exception {
        try (Admin admin = admin()) {
            Set<String> names = admin.listTopics().names().get(20, TimeUnit.SECONDS);
            assertThat(names).isNotNull();
        }
        try (Socket socket = connect()) {
            AbstractRequest request = new ApiVersionsRequest(new ApiVersionsRequestData()
                    .setClientSoftwareName("bad-input-it").setClientSoftwareVersion("1"), (short) 3);
            write(socket, frame(request.serializeWithHeader(
                    new RequestHeader(ApiKeys.API_VERSIONS, (short) 3, "bad-input-it", 99))));
            assertThat(readFrame(socket).getInt()).isEqualTo(99);
        }
    }

    /** Sends the bytes on a new connection, which the node must close without answering. */
    private void assertClosesTheConnection(byte[] bytes) throws IOException {
        try (Socket socket = connect()) {
            write(socket, bytes);
            assertClosedByPeer(socket);
        }
    }

    private void createTopic(NewTopic topic) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(topic)).all().get(20, TimeUnit.SECONDS);
        }
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                "127.0.0.1:" + address.getPort()));
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(address, READ_TIMEOUT_MS);
        socket.setSoTimeout(READ_TIMEOUT_MS);
        return socket;
    }

    private static byte[] frame(byte[] body) {
        return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
    }

    private static byte[] frame(ByteBuffer body) {
        byte[] bytes = new byte[body.remaining()];
        body.get(bytes);
        return frame(bytes);
    }

    private static void write(Socket socket, byte[] bytes) throws IOException {
        OutputStream output = socket.getOutputStream();
        output.write(bytes);
        output.flush();
    }

    private static ByteBuffer readFrame(Socket socket) throws IOException {
        DataInputStream input = new DataInputStream(socket.getInputStream());
        int size = input.readInt();
        assertThat(size).isBetween(4, REQUEST_MAX_BYTES);
        byte[] body = new byte[size];
        input.readFully(body);
        return ByteBuffer.wrap(body);
    }

    /** The node closes the connection: the read ends (EOF or reset) well before the read timeout. */
    private static void assertClosedByPeer(Socket socket) throws IOException {
        InputStream input = socket.getInputStream();
        try {
            int read = input.read();
            assertThat(read).as("the node must close, not answer").isEqualTo(-1);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the node left a bad connection open", e);
        } catch (SocketException | EOFException e) {
            // A reset is also a close.
        }
    }
}
