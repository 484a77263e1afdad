package io.fjord.broker.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.fjord.protocol.message.FileRegionRecords;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/** The socket server's protocol behaviour, seen from raw sockets: framing, refusals, ordering, zero copy, limits. */
class SocketServerTest {
    private static final int REQUEST_MAX_BYTES = 64 * 1024;
    private static final short FETCH_VERSION = 12;

    private NetworkTestServer server;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private ListAppender<ILoggingEvent> logs;

    @BeforeEach
    void start() throws InterruptedException {
        server = NetworkTestServer.builder().socketRequestMaxBytes(REQUEST_MAX_BYTES).start();
        resources.add(server);
        logs = new ListAppender<>();
        logs.start();
        networkLogger().addAppender(logs);
    }

    @AfterEach
    void stop() throws Exception {
        networkLogger().detachAppender(logs);
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private static Logger networkLogger() {
        return (Logger) LoggerFactory.getLogger("io.fjord.broker.network");
    }

    private KafkaWire connect(NetworkTestServer target) throws IOException {
        KafkaWire client = target.connect();
        resources.add(client);
        return client;
    }

    private static byte[] apiVersionsRequest(short version, int correlationId) {
        return KafkaWire.request(ApiKeys.API_VERSIONS, version, correlationId, new ApiVersionsRequestData()
                .setClientSoftwareName("fjord-test").setClientSoftwareVersion("1"));
    }

    private static byte[] metadataRequest(int correlationId) {
        return KafkaWire.request(ApiKeys.METADATA, (short) 0, correlationId, new MetadataRequestData());
    }

    private static byte[] fetchRequest(int correlationId) {
        return KafkaWire.request(ApiKeys.FETCH, FETCH_VERSION, correlationId, new FetchRequestData()
                .setReplicaId(-1).setMaxWaitMs(500).setMinBytes(1));
    }

    private static void assertServed(KafkaWire client, int correlationId) throws IOException {
        client.send(apiVersionsRequest((short) 0, correlationId));
        KafkaWire.Response response = client.receive(ApiKeys.API_VERSIONS, (short) 0);
        assertThat(response.correlationId()).isEqualTo(correlationId);
        ApiVersionsResponseData body = new ApiVersionsResponseData(response.body(), (short) 0);
        assertThat(body.errorCode()).isZero();
    }

    @Test
    void apiVersionsIsAnsweredWithTheServedKeysAndResponseHeaderV0() throws IOException {
        KafkaWire client = connect(server);
        client.send(apiVersionsRequest((short) 3, 7));

        KafkaWire.Response response = client.receive(ApiKeys.API_VERSIONS, (short) 3);
        assertThat(response.correlationId()).isEqualTo(7);
        ApiVersionsResponseData body = new ApiVersionsResponseData(response.body(), (short) 3);
        assertThat(body.errorCode()).isZero();
        assertThat(body.apiKeys()).extracting(key -> key.apiKey(), key -> key.minVersion(), key -> key.maxVersion())
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(ApiKeys.PRODUCE.id, (short) 3, (short) 9),
                        org.assertj.core.groups.Tuple.tuple(ApiKeys.FETCH.id, (short) 4, (short) 12),
                        org.assertj.core.groups.Tuple.tuple(ApiKeys.METADATA.id, (short) 0, (short) 12),
                        org.assertj.core.groups.Tuple.tuple(ApiKeys.API_VERSIONS.id, (short) 0, (short) 3),
                        org.assertj.core.groups.Tuple.tuple(ApiKeys.SASL_HANDSHAKE.id, (short) 0, (short) 1),
                        org.assertj.core.groups.Tuple.tuple(ApiKeys.SASL_AUTHENTICATE.id, (short) 0, (short) 2));
        assertThat(response.body().remaining()).isZero();
    }

    @Test
    void metadataIsAnsweredWithAnEmptyResponse() throws IOException {
        KafkaWire client = connect(server);
        client.send(KafkaWire.request(ApiKeys.METADATA, (short) 12, 11, new MetadataRequestData()));

        KafkaWire.Response response = client.receive(ApiKeys.METADATA, (short) 12);
        assertThat(response.correlationId()).isEqualTo(11);
        MetadataResponseData body = new MetadataResponseData(response.body(), (short) 12);
        assertThat(body.topics()).isEmpty();
        assertThat(body.brokers()).isEmpty();
    }

    @Test
    void unsupportedApiVersionsVersionGetsAV0ResponseWithUnsupportedVersionAndTheConnectionStaysOpen()
            throws IOException {
        KafkaWire client = connect(server);
        // api key 18, version 127, correlation id 42, null client id; a version no schema knows, so no body.
        byte[] frame = KafkaWire.rawFrame(ByteBuffer.allocate(10).putShort(ApiKeys.API_VERSIONS.id)
                .putShort((short) 127).putInt(42).putShort((short) -1).array());
        client.send(frame);

        ByteBuffer responseFrame = client.receiveFrame();
        assertThat(responseFrame.getInt()).as("correlation id in response header v0").isEqualTo(42);
        ApiVersionsResponseData body = new ApiVersionsResponseData(
                new org.apache.kafka.common.protocol.ByteBufferAccessor(responseFrame), (short) 0);
        assertThat(body.errorCode()).isEqualTo((short) 35);
        assertThat(body.apiKeys()).hasSize(TestDispatcher.SERVED.size());
        assertThat(body.apiKeys().find(ApiKeys.API_VERSIONS.id).maxVersion()).isEqualTo((short) 3);
        assertThat(responseFrame.remaining()).as("nothing beyond the v0 body").isZero();

        assertServed(client, 43);
        server.awaitNoReservedBytes();
    }

    @Test
    void pipelinedRequestsAreAnsweredInRequestOrderWhateverOrderHandlersComplete() throws Exception {
        KafkaWire client = connect(server);
        client.send(fetchRequest(1), metadataRequest(2), apiVersionsRequest((short) 0, 3), fetchRequest(4),
                KafkaWire.request(ApiKeys.PRODUCE, (short) 3, 5, new ProduceRequestData().setAcks((short) 0)
                        .setTimeoutMs(1000)),
                fetchRequest(6), metadataRequest(7));

        for (int slow = 0; slow < 3; slow++) {
            TestDispatcher.SlowRequest first = server.dispatcher.nextSlowRequest();
            // Were a later request dispatched as well, complete it before the earlier one.
            TestDispatcher.SlowRequest second = server.dispatcher.slowRequests.poll(100, TimeUnit.MILLISECONDS);
            if (second != null) {
                second.response().complete(emptyFetchResponse());
                slow++;
            }
            first.response().completeAsync(SocketServerTest::emptyFetchResponse);
        }

        List<Integer> correlationIds = new ArrayList<>();
        int[] expected = {1, 2, 3, 4, 6, 7};
        for (int correlationId : expected) {
            ApiKeys key = correlationId == 2 || correlationId == 7 ? ApiKeys.METADATA
                    : correlationId == 3 ? ApiKeys.API_VERSIONS : ApiKeys.FETCH;
            short version = key == ApiKeys.FETCH ? FETCH_VERSION : 0;
            correlationIds.add(client.receive(key, version).correlationId());
        }
        assertThat(correlationIds).containsExactly(1, 2, 3, 4, 6, 7);
        assertServed(client, 8);
        server.awaitNoReservedBytes();
    }

    @Test
    void aThrottledResponseLeavesAtOnceThenTheConnectionIsMutedForTheThrottleTime() throws Exception {
        long muteMs = 1_500;
        KafkaWire client = connect(server);
        KafkaWire other = connect(server);
        client.send(fetchRequest(1));
        TestDispatcher.SlowRequest slow = server.dispatcher.nextSlowRequest();
        slow.context().throttle().muteFor(muteMs);
        slow.response().complete(emptyFetchResponse());
        assertThat(client.receive(ApiKeys.FETCH, FETCH_VERSION).correlationId()).isEqualTo(1);
        long answeredNanos = System.nanoTime();

        client.send(metadataRequest(2));
        // Another connection is not held back.
        other.send(metadataRequest(3));
        assertThat(other.receive(ApiKeys.METADATA, (short) 0).correlationId()).isEqualTo(3);

        assertThat(client.receive(ApiKeys.METADATA, (short) 0).correlationId()).isEqualTo(2);
        // The muting's timer cannot fire early: the next request was handled no sooner than the throttle time.
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - answeredNanos)).isGreaterThanOrEqualTo(muteMs);
    }

    private static io.fjord.protocol.message.FetchResponseData emptyFetchResponse() {
        return new io.fjord.protocol.message.FetchResponseData();
    }

    @Test
    void aSlowRequestOnOneConnectionDoesNotHoldBackAnother() throws Exception {
        KafkaWire first = connect(server);
        KafkaWire second = connect(server);
        first.send(fetchRequest(1));
        second.send(fetchRequest(2));
        TestDispatcher.SlowRequest one = server.dispatcher.nextSlowRequest();
        TestDispatcher.SlowRequest two = server.dispatcher.nextSlowRequest();
        TestDispatcher.SlowRequest ofSecond = one.request().correlationId() == 2 ? one : two;
        TestDispatcher.SlowRequest ofFirst = ofSecond == one ? two : one;

        ofSecond.response().complete(emptyFetchResponse());
        assertThat(second.receive(ApiKeys.FETCH, FETCH_VERSION).correlationId()).isEqualTo(2);
        ofFirst.response().complete(emptyFetchResponse());
        assertThat(first.receive(ApiKeys.FETCH, FETCH_VERSION).correlationId()).isEqualTo(1);
    }

    @Test
    void aNullResponseSendsNothing() throws IOException {
        KafkaWire client = connect(server);
        client.send(KafkaWire.request(ApiKeys.PRODUCE, (short) 3, 1, new ProduceRequestData().setAcks((short) 0)
                .setTimeoutMs(1000)));
        client.send(apiVersionsRequest((short) 0, 2));

        assertThat(client.receive(ApiKeys.API_VERSIONS, (short) 0).correlationId()).isEqualTo(2);
        assertThat(server.dispatcher.dispatched.get()).isEqualTo(2);
        server.awaitNoReservedBytes();
    }

    @Test
    void fileRegionRecordsAreSentWithTheirExactBytesAndReleasedOnce(@TempDir Path directory) throws Exception {
        byte[] content = new byte[1_000 + 600_000 + 1_000];
        new Random(42).nextBytes(content);
        Path segment = Files.write(directory.resolve("00000000000000000000.log"), content);
        AtomicInteger releases = new AtomicInteger();
        KafkaWire client = connect(server);
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ)) {
            client.send(fetchRequest(9));
            server.dispatcher.nextSlowRequest().response().complete(fetchResponse(
                    new FileRegionRecords(channel, 1_000, 600_000, releases::incrementAndGet)));

            KafkaWire.Response response = client.receive(ApiKeys.FETCH, FETCH_VERSION);
            assertThat(response.correlationId()).isEqualTo(9);
            FetchResponseData body = new FetchResponseData(response.body(), FETCH_VERSION);
            FetchResponseData.PartitionData partition = body.responses().get(0).partitions().get(0);
            assertThat(partition.highWatermark()).isEqualTo(5);
            ByteBuffer records = ((MemoryRecords) partition.records()).buffer();
            byte[] received = new byte[records.remaining()];
            records.get(received);
            assertThat(received).isEqualTo(java.util.Arrays.copyOfRange(content, 1_000, 601_000));
            assertThat(response.body().remaining()).isZero();
            await().atMost(Duration.ofSeconds(10)).until(releases::get, count -> count == 1);
            assertServed(client, 10);
            assertThat(releases.get()).isEqualTo(1);
        }
        server.awaitNoReservedBytes();
    }

    static io.fjord.protocol.message.FetchResponseData fetchResponse(FileRegionRecords records) {
        return new io.fjord.protocol.message.FetchResponseData().setResponses(List.of(
                new io.fjord.protocol.message.FetchResponseData.FetchableTopicResponse().setTopic("topic")
                        .setPartitions(List.of(new io.fjord.protocol.message.FetchResponseData.PartitionData()
                                .setPartitionIndex(0).setHighWatermark(5).setLastStableOffset(5)
                                .setRecords(records)))));
    }

    @Test
    void fileRegionRecordsAreReleasedOnceWhenTheConnectionClosedBeforeTheResponse(@TempDir Path directory)
            throws Exception {
        Path segment = Files.write(directory.resolve("00000000000000000000.log"), new byte[4096]);
        AtomicInteger releases = new AtomicInteger();
        KafkaWire client = connect(server);
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ)) {
            client.send(fetchRequest(1));
            TestDispatcher.SlowRequest fetch = server.dispatcher.nextSlowRequest();
            client.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> server.server.connectionCount() == 0);

            fetch.response().complete(fetchResponse(new FileRegionRecords(channel, 0, 4096,
                    releases::incrementAndGet)));
            await().atMost(Duration.ofSeconds(10)).until(releases::get, count -> count == 1);
            server.awaitNoReservedBytes();
            assertThat(releases.get()).isEqualTo(1);
        }
    }

    static Stream<Arguments> malformedFrames() {
        ByteBuffer claimsBillionTopics = ByteBuffer.allocate(14).putShort(ApiKeys.METADATA.id).putShort((short) 0)
                .putInt(1).putShort((short) -1).putInt(1_000_000_000);
        byte[] garbage = new byte[64];
        new Random(7).nextBytes(garbage);
        garbage[0] = 0x7f; // not a known API key
        return Stream.of(
                Arguments.of("random garbage with a valid size", KafkaWire.rawFrame(garbage), "unknown API key"),
                Arguments.of("garbage Metadata body with a valid size", KafkaWire.rawFrame(ByteBuffer.allocate(19)
                        .putShort(ApiKeys.METADATA.id).putShort((short) 0).putInt(1).putShort((short) -1).putInt(2)
                        .putShort((short) 30_000).put(new byte[] {'a', 'b', 'c'}).array()), "malformed"),
                Arguments.of("size above socket.request.max.bytes",
                        ByteBuffer.allocate(8).putInt(REQUEST_MAX_BYTES + 1).putInt(0).array(), "request size"),
                Arguments.of("negative size", ByteBuffer.allocate(8).putInt(-5).putInt(0).array(), "request size"),
                Arguments.of("unknown API key", KafkaWire.rawFrame(ByteBuffer.allocate(10).putShort((short) 999)
                        .putShort((short) 0).putInt(1).putShort((short) -1).array()), "unknown API key"),
                Arguments.of("unsupported version of Metadata", KafkaWire.rawFrame(ByteBuffer.allocate(14)
                        .putShort(ApiKeys.METADATA.id).putShort((short) 13).putInt(1).putShort((short) -1).putInt(0)
                        .array()), "unsupported version"),
                Arguments.of("Metadata claiming 10^9 topics", KafkaWire.rawFrame(claimsBillionTopics.array()),
                        "malformed"),
                Arguments.of("frame shorter than a header", KafkaWire.rawFrame(new byte[] {0, 3, 0}), "shorter"),
                Arguments.of("ApiVersions with a truncated header", KafkaWire.rawFrame(ByteBuffer.allocate(11)
                        .putShort(ApiKeys.API_VERSIONS.id).putShort((short) 0).putInt(1).putShort((short) 30)
                        .put((byte) 'x').array()), "malformed"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedFrames")
    void aMalformedFrameClosesItsConnectionWithALoggedReasonAndTheServerKeepsServing(String description,
            byte[] bytes, String loggedReason) throws IOException {
        KafkaWire bystander = connect(server);
        assertServed(bystander, 1);
        KafkaWire client = connect(server);
        client.send(bytes);

        assertThat(client.closedByServer()).as(description).isTrue();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(logs.list)
                .filteredOn(event -> event.getLevel() == Level.WARN)
                .anySatisfy(event -> assertThat(event.getFormattedMessage()).containsIgnoringCase(loggedReason)));
        assertServed(connect(server), 2);
        assertServed(bystander, 3);
        server.awaitNoReservedBytes();
    }

    @Test
    void aCloseAskedForByTheHandlerClosesTheConnectionWithoutAResponse() throws IOException {
        KafkaWire client = connect(server);
        client.send(KafkaWire.request(ApiKeys.PRODUCE, (short) 3, 1, "close", new ProduceRequestData()
                .setAcks((short) 0).setTimeoutMs(1000)));

        assertThat(client.closedByServer()).isTrue();
        assertServed(connect(server), 2);
        server.awaitNoReservedBytes();
    }

    @Test
    void aFailingHandlerClosesOnlyItsConnectionAndReleasesTheFrame() throws IOException {
        for (String clientId : List.of("throw", "fail")) {
            KafkaWire client = connect(server);
            client.send(KafkaWire.request(ApiKeys.METADATA, (short) 0, 1, clientId, new MetadataRequestData()));
            assertThat(client.closedByServer()).as(clientId).isTrue();
        }
        assertServed(connect(server), 2);
        server.awaitNoReservedBytes();
    }

    @Test
    void connectionsBeyondMaxConnectionsWaitUntilOneCloses() throws Exception {
        // Kafka's acceptor blocks at max.connections (KIP-402): the new connection waits, it is not refused.
        NetworkTestServer limited = NetworkTestServer.builder().maxConnections(2).start();
        resources.add(limited);
        KafkaWire first = connect(limited);
        KafkaWire second = connect(limited);
        assertServed(first, 1);
        assertServed(second, 1);

        KafkaWire third = connect(limited);
        await().atMost(Duration.ofSeconds(10)).until(() -> limited.server.heldConnectionCount() == 1);
        third.send(apiVersionsRequest((short) 0, 2));
        assertThat(limited.server.connectionCount()).isEqualTo(2);

        first.close();
        KafkaWire.Response answer = third.receive(ApiKeys.API_VERSIONS, (short) 0);
        assertThat(answer.correlationId()).isEqualTo(2);
        assertThat(limited.server.heldConnectionCount()).isZero();
        assertServed(second, 3);
    }

    @Test
    void idleConnectionsAreClosedAfterConnectionsMaxIdleMs() throws Exception {
        // 3 s: long enough for a loaded machine to send the first request before the connection counts as idle.
        NetworkTestServer idle = NetworkTestServer.builder().connectionsMaxIdleMs(3_000).start();
        resources.add(idle);
        KafkaWire client = connect(idle);
        assertServed(client, 1);
        long start = System.nanoTime();

        assertThat(client.closedByServer()).isTrue();
        // Not before the idle time (less the idle check's granularity) since the last response.
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(2_000);
        await().atMost(Duration.ofSeconds(10)).until(() -> idle.server.connectionCount() == 0);
    }

    @Test
    void connectionsAreNotClosedWhileTrafficFlowsWithinTheIdleTime() throws Exception {
        // Traffic for 2.5 x the idle time; each exchange is far shorter than the idle time, even on a loaded machine.
        NetworkTestServer idle = NetworkTestServer.builder().connectionsMaxIdleMs(2_000).start();
        resources.add(idle);
        KafkaWire client = connect(idle);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5_000);
        int correlationId = 0;
        while (System.nanoTime() < deadline) {
            assertServed(client, correlationId++);
        }
        assertServed(client, correlationId);
    }

    @Test
    void anOutOfMemoryErrorInAHandlerGoesToTheFatalErrorHandlerWithTheThreadThatMetIt() throws Exception {
        List<String> fatal = new java.util.concurrent.CopyOnWriteArrayList<>();
        NetworkTestServer fatalServer = NetworkTestServer.builder().fatalErrors((thread, error) ->
                fatal.add(thread.getName() + ": " + error)).start();
        resources.add(fatalServer);
        KafkaWire client = connect(fatalServer);
        client.send(KafkaWire.request(ApiKeys.METADATA, (short) 0, 1, "out-of-memory", new MetadataRequestData()));

        assertThat(client.closedByServer()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> !fatal.isEmpty());
        assertThat(fatal).singleElement().asString().contains("OutOfMemoryError")
                .doesNotStartWith(Thread.currentThread().getName() + ":");
        fatalServer.awaitNoReservedBytes();
    }
}
