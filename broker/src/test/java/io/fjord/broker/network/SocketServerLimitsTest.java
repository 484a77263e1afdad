package io.fjord.broker.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fjord.protocol.message.FileRegionRecords;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Memory and flow limits of the socket server (queued.max.request.bytes, a client that does not read its responses,
 * connections closed mid-request) and graceful shutdown; after each, every reserved request byte is back in the pool.
 */
class SocketServerLimitsTest {
    private static final short FETCH_VERSION = 12;
    private static final int SMALL_SOCKET_BUFFER_BYTES = 16 * 1024;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final ExecutorService background = Executors.newCachedThreadPool();

    {
        resources.add(background::shutdownNow);
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private NetworkTestServer start(NetworkTestServer.Builder builder) throws InterruptedException {
        NetworkTestServer server = builder.start();
        resources.add(server);
        return server;
    }

    private KafkaWire connect(NetworkTestServer server, int bufferBytes) throws IOException {
        KafkaWire client = KafkaWire.connect(server.address(), bufferBytes);
        resources.add(client);
        return client;
    }

    private static byte[] fetchRequest(int correlationId) {
        return KafkaWire.request(ApiKeys.FETCH, FETCH_VERSION, correlationId, new FetchRequestData()
                .setReplicaId(-1).setMaxWaitMs(500).setMinBytes(1));
    }

    private static byte[] metadataRequest(int correlationId, int topics) {
        MetadataRequestData body = new MetadataRequestData();
        for (int i = 0; i < topics; i++) {
            body.topics().add(new MetadataRequestData.MetadataRequestTopic().setName(String.format("%0100d", i)));
        }
        return KafkaWire.request(ApiKeys.METADATA, (short) 0, correlationId, body);
    }

    private static byte[] produceWithoutAcksRequest(int correlationId) {
        return KafkaWire.request(ApiKeys.PRODUCE, (short) 9, correlationId, new ProduceRequestData().setAcks((short) 0)
                .setTimeoutMs(1_000));
    }

    private CompletableFuture<Void> sendInBackground(KafkaWire client, byte[]... frames) {
        return CompletableFuture.runAsync(() -> {
            try {
                client.send(frames);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, background);
    }

    private static void assertServed(NetworkTestServer server, int correlationId) throws IOException {
        try (KafkaWire client = server.connect()) {
            client.send(metadataRequest(correlationId, 0));
            assertThat(client.receive(ApiKeys.METADATA, (short) 0).correlationId()).isEqualTo(correlationId);
        }
    }

    @Test
    void anExhaustedPoolStopsReadingUntilMemoryIsReleasedThenTheWaitingFrameProceeds() throws Exception {
        NetworkTestServer server = start(NetworkTestServer.builder().queuedMaxRequestBytes(1_000_000)
                .socketRequestMaxBytes(32 * 1024 * 1024).socketBufferBytes(SMALL_SOCKET_BUFFER_BYTES));
        KafkaWire holder = connect(server, -1);
        byte[] held = fetchRequest(1);
        holder.send(held);
        TestDispatcher.SlowRequest fetch = server.dispatcher.nextSlowRequest();
        assertThat(server.server.reservedRequestBytes()).isEqualTo(held.length - 4);

        // 2 MB: more than the pool, so it waits for the held request; and far more than the socket buffers hold.
        // (Not more: through 16 KiB buffers every chunk needs the event loop scheduled, slow on a loaded machine.)
        byte[] large = metadataRequest(2, 20_000);
        assertThat(large.length).isGreaterThan(2 * 1_000_000);
        KafkaWire waiter = connect(server, SMALL_SOCKET_BUFFER_BYTES);
        CompletableFuture<Void> sent = sendInBackground(waiter, large);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> !sent.isDone()
                && server.server.reservedRequestBytes() == held.length - 4);

        fetch.response().complete(new io.fjord.protocol.message.FetchResponseData());
        assertThat(holder.receive(ApiKeys.FETCH, FETCH_VERSION).correlationId()).isEqualTo(1);
        sent.get(60, TimeUnit.SECONDS);
        assertThat(waiter.receive(ApiKeys.METADATA, (short) 0).correlationId()).isEqualTo(2);
        server.awaitNoReservedBytes();
        assertServed(server, 3);
    }

    @Test
    void waitersResumeInArrivalOrderAsMemoryIsReleased() throws Exception {
        NetworkTestServer server = start(NetworkTestServer.builder().queuedMaxRequestBytes(100));
        KafkaWire holder = connect(server, -1);
        holder.send(fetchRequest(1));
        TestDispatcher.SlowRequest fetch = server.dispatcher.nextSlowRequest();
        List<KafkaWire> waiters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            KafkaWire waiter = connect(server, -1);
            waiter.send(fetchRequest(10 + i));
            waiters.add(waiter);
        }
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                .until(() -> server.dispatcher.slowRequests.isEmpty());

        fetch.response().complete(new io.fjord.protocol.message.FetchResponseData());
        for (int i = 0; i < 3; i++) {
            TestDispatcher.SlowRequest next = server.dispatcher.nextSlowRequest();
            next.response().complete(new io.fjord.protocol.message.FetchResponseData());
            assertThat(next.request().correlationId()).isBetween(10, 12);
        }
        for (int i = 0; i < 3; i++) {
            assertThat(waiters.get(i).receive(ApiKeys.FETCH, FETCH_VERSION).correlationId()).isEqualTo(10 + i);
        }
        server.awaitNoReservedBytes();
    }

    @Test
    void aClientThatDoesNotReadItsResponsesStopsTheServerReadingItsRequests() throws Exception {
        NetworkTestServer server = start(NetworkTestServer.builder().socketBufferBytes(SMALL_SOCKET_BUFFER_BYTES));
        io.fjord.protocol.message.MetadataResponseData response = new io.fjord.protocol.message.MetadataResponseData();
        for (int i = 0; i < 100; i++) {
            response.topics().add(new io.fjord.protocol.message.MetadataResponseData.MetadataResponseTopic()
                    .setName(String.format("topic-%014d", i)));
        }
        server.dispatcher.metadataResponse(response);
        int requests = 20_000;
        byte[][] frames = new byte[requests][];
        for (int i = 0; i < requests; i++) {
            frames[i] = metadataRequest(i, 0);
        }
        KafkaWire client = connect(server, SMALL_SOCKET_BUFFER_BYTES);
        CompletableFuture<Void> sent = sendInBackground(client, frames);

        // The server answers until its outbound buffer is full, then stops reading: the writer blocks and the
        // server holds only a bounded number of request bytes.
        AtomicLong reservedMax = new AtomicLong();
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(10)).until(() -> {
            reservedMax.accumulateAndGet(server.server.reservedRequestBytes(), Math::max);
            return !sent.isDone();
        });
        int dispatchedWhilePaused = server.dispatcher.dispatched.get();
        assertThat(dispatchedWhilePaused).isLessThan(requests / 2);
        assertThat(reservedMax.get()).isLessThanOrEqualTo(128 * 1024);

        for (int i = 0; i < requests; i++) {
            KafkaWire.Response received = client.receive(ApiKeys.METADATA, (short) 0);
            assertThat(received.correlationId()).isEqualTo(i);
        }
        sent.get(20, TimeUnit.SECONDS);
        server.awaitNoReservedBytes();
    }

    @Test
    void aConnectionClosedInTheMiddleOfAFrameGivesItsReservationBack() throws Exception {
        NetworkTestServer server = start(NetworkTestServer.builder().queuedMaxRequestBytes(1_000_000));
        KafkaWire client = connect(server, -1);
        client.send(new byte[] {0, 0, 0x10, 0}, new byte[100]); // a 4096-byte frame, 100 bytes of it sent
        await().atMost(Duration.ofSeconds(10)).until(() -> server.server.reservedRequestBytes() == 4096);
        client.close();
        server.awaitNoReservedBytes();
        assertServed(server, 1);
    }

    @Test
    void aRequestWaitingForMemoryWhenItsClientClosesIsHandledOnceMemoryReturnsAndItsResponseDropped()
            throws Exception {
        NetworkTestServer server = start(NetworkTestServer.builder().queuedMaxRequestBytes(100));
        KafkaWire holder = connect(server, -1);
        holder.send(fetchRequest(1));
        TestDispatcher.SlowRequest fetch = server.dispatcher.nextSlowRequest();
        KafkaWire waiter = connect(server, -1);
        waiter.send(fetchRequest(2));
        waiter.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.server.connectionCount() == 1);

        fetch.response().complete(new io.fjord.protocol.message.FetchResponseData());
        assertThat(holder.receive(ApiKeys.FETCH, FETCH_VERSION).correlationId()).isEqualTo(1);
        TestDispatcher.SlowRequest orphan = server.dispatcher.nextSlowRequest(); // read before the close: handled
        assertThat(orphan.request().correlationId()).isEqualTo(2);
        orphan.response().complete(new io.fjord.protocol.message.FetchResponseData());
        server.awaitNoReservedBytes();
        assertServed(server, 3);
        server.awaitNoReservedBytes();
    }

    @Test
    void shutdownLetsARequestInFlightFinishAndDeliversItsResponse() throws Exception {
        NetworkTestServer server = start(NetworkTestServer.builder());
        KafkaWire client = connect(server, -1);
        client.send(fetchRequest(1));
        TestDispatcher.SlowRequest fetch = server.dispatcher.nextSlowRequest();
        InetSocketAddress address = server.address(); // boundAddress() waits while shutdown holds the server's lock

        CompletableFuture<Void> shutdown = CompletableFuture.runAsync(() -> {
            try {
                server.server.shutdown(20_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }, background);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThatThrownBy(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(address, 1_000);
            }
        }).isInstanceOf(ConnectException.class));
        assertThat(shutdown).isNotDone();

        fetch.response().complete(new io.fjord.protocol.message.FetchResponseData());
        assertThat(client.receive(ApiKeys.FETCH, FETCH_VERSION).correlationId()).isEqualTo(1);
        shutdown.get(20, TimeUnit.SECONDS);
        assertThat(client.closedByServer()).isTrue();
        assertThat(server.server.reservedRequestBytes()).isZero();
    }

    @Test
    void aRequestCompletingAfterShutdownGaveUpReleasesItsFrameItsFileRegionAndWaitingMemory(@TempDir Path directory)
            throws Exception {
        NetworkTestServer server = start(NetworkTestServer.builder().queuedMaxRequestBytes(100));
        KafkaWire client = connect(server, -1);
        client.send(fetchRequest(1));
        TestDispatcher.SlowRequest fetch = server.dispatcher.nextSlowRequest();
        KafkaWire waiter = connect(server, -1);
        waiter.send(fetchRequest(2)); // waits for the memory the first fetch holds

        server.server.shutdown(100);
        assertThat(client.closedByServer()).isTrue();

        Path segment = Files.write(directory.resolve("00000000000000000000.log"), new byte[1024]);
        AtomicInteger releases = new AtomicInteger();
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ)) {
            fetch.response().complete(SocketServerTest.fetchResponse(new FileRegionRecords(channel, 0, 1024,
                    releases::incrementAndGet)));
            await().atMost(Duration.ofSeconds(10)).until(releases::get, count -> count == 1);
        }
        server.awaitNoReservedBytes();
        assertThat(releases.get()).isEqualTo(1);
    }

    /**
     * Kafka handles every complete request it read before the client closed the connection: an acks=0 producer's
     * last batches are not lost whatever the server's back-pressure when the close arrives. Here one slow request
     * holds the connection while 40 acks=0 produce requests pile up behind it, filling the connection's queue (16)
     * or, with a small request memory, the pool; then the client closes.
     */
    @ParameterizedTest(name = "queued.max.request.bytes {0}")
    @ValueSource(longs = {100_000_000, 600})
    void requestsReadBeforeTheClientClosedAreHandledWhateverTheBackPressure(long queuedMaxRequestBytes)
            throws Exception {
        NetworkTestServer server = start(NetworkTestServer.builder().queuedMaxRequestBytes(queuedMaxRequestBytes));
        int produceRequests = 40;
        byte[][] frames = new byte[produceRequests + 1][];
        frames[0] = fetchRequest(1);
        for (int i = 1; i <= produceRequests; i++) {
            frames[i] = produceWithoutAcksRequest(1 + i);
        }
        assertThat(frames[0].length + 2 * frames[1].length).isLessThan(600);
        assertThat(frames[0].length + 20 * frames[1].length).isGreaterThan(600);
        KafkaWire client = connect(server, -1);
        client.send(frames);
        TestDispatcher.SlowRequest held = server.dispatcher.nextSlowRequest();
        client.close();
        if (io.netty.channel.epoll.Epoll.isAvailable()) {
            // Epoll notices the close even while reading is paused; NIO only once reading resumes.
            await().atMost(Duration.ofSeconds(10)).until(() -> server.server.connectionCount() == 0);
        }

        held.response().complete(new io.fjord.protocol.message.FetchResponseData());
        await().atMost(Duration.ofSeconds(10)).until(server.dispatcher.dispatched::get,
                count -> count == 1 + produceRequests);
        server.awaitNoReservedBytes();
        assertServed(server, 100);
    }
}
