package io.fjord.broker.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fjord.broker.network.tls.SslSettings;
import io.fjord.broker.network.tls.TestCertificates;
import io.fjord.broker.network.tls.TlsChannelSecurity;
import io.fjord.protocol.message.FileRegionRecords;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The socket server on an SSL listener, seen from JDK TLS sockets: requests served through TLS, file regions (which
 * cannot go through sendfile when encrypted) sent with their exact bytes and released once, the principal taken from
 * the client certificate, and clients without a certificate or without TLS refused.
 */
class TlsSocketServerTest {
    private static final short FETCH_VERSION = 12;

    @TempDir
    static Path certificateDirectory;
    private static TestCertificates certificates;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeAll
    static void makeCertificates() throws Exception {
        certificates = TestCertificates.create(certificateDirectory);
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private NetworkTestServer server(String clientAuthentication) throws InterruptedException {
        TlsChannelSecurity security = TlsChannelSecurity.of(SslSettings.of(
                certificates.serverSettings(clientAuthentication), "PLAINTEXT"));
        NetworkTestServer server = NetworkTestServer.builder().security(security).start();
        resources.add(server);
        return server;
    }

    private KafkaWire connectTls(NetworkTestServer server, Path clientKeystore) throws Exception {
        SSLContext context = certificates.clientContext(clientKeystore);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1",
                server.address().getPort());
        resources.add(socket);
        socket.startHandshake();
        KafkaWire client = KafkaWire.over(socket);
        resources.add(client);
        return client;
    }

    @Test
    void fileRegionRecordsGoThroughTlsWithTheirExactBytesAndAreReleasedOnce(@TempDir Path directory)
            throws Exception {
        NetworkTestServer server = server("none");
        // Several chunks and many TLS records, with an odd length and offset.
        int length = 3 * 1024 * 1024 + 12_345;
        byte[] content = new byte[1_000 + length + 1_000];
        new Random(42).nextBytes(content);
        Path segment = Files.write(directory.resolve("00000000000000000000.log"), content);
        AtomicInteger releases = new AtomicInteger();
        KafkaWire client = connectTls(server, null);
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ)) {
            client.send(fetchRequest(9));
            server.dispatcher.nextSlowRequest().response().complete(SocketServerTest.fetchResponse(
                    new FileRegionRecords(channel, 1_000, length, releases::incrementAndGet)));

            KafkaWire.Response response = client.receive(ApiKeys.FETCH, FETCH_VERSION);
            assertThat(response.correlationId()).isEqualTo(9);
            FetchResponseData body = new FetchResponseData(response.body(), FETCH_VERSION);
            ByteBuffer records = ((MemoryRecords) body.responses().get(0).partitions().get(0).records()).buffer();
            byte[] received = new byte[records.remaining()];
            records.get(received);
            assertThat(received).isEqualTo(Arrays.copyOfRange(content, 1_000, 1_000 + length));
            await().atMost(Duration.ofSeconds(10)).until(releases::get, count -> count == 1);
            assertServed(client, 10);
            assertThat(releases.get()).isEqualTo(1);
        }
        server.awaitNoReservedBytes();
    }

    @Test
    void aFileRegionIsReleasedOnceWhenTheTlsConnectionClosedBeforeTheResponse(@TempDir Path directory)
            throws Exception {
        NetworkTestServer server = server("none");
        Path segment = Files.write(directory.resolve("00000000000000000000.log"), new byte[256 * 1024]);
        AtomicInteger releases = new AtomicInteger();
        KafkaWire client = connectTls(server, null);
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ)) {
            client.send(fetchRequest(1));
            TestDispatcher.SlowRequest fetch = server.dispatcher.nextSlowRequest();
            client.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> server.server.connectionCount() == 0);

            fetch.response().complete(SocketServerTest.fetchResponse(new FileRegionRecords(channel, 0, 256 * 1024,
                    releases::incrementAndGet)));
            await().atMost(Duration.ofSeconds(10)).until(releases::get, count -> count == 1);
            server.awaitNoReservedBytes();
        }
    }

    @Test
    void theRegionsOfSeveralPartitionsGoThroughTlsWithTheirExactBytesAndAreEachReleasedOnce(@TempDir Path directory)
            throws Exception {
        NetworkTestServer server = server("none");
        // Two regions with header bytes between them: the response's parts are read into whole TLS records.
        byte[] content = new byte[2 * 1024 * 1024];
        new Random(43).nextBytes(content);
        Path segment = Files.write(directory.resolve("00000000000000000000.log"), content);
        AtomicInteger firstReleases = new AtomicInteger();
        AtomicInteger secondReleases = new AtomicInteger();
        KafkaWire client = connectTls(server, null);
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ)) {
            client.send(fetchRequest(3));
            server.dispatcher.nextSlowRequest().response().complete(twoPartitionFetchResponse(
                    new FileRegionRecords(channel, 7, 700_001, firstReleases::incrementAndGet),
                    new FileRegionRecords(channel, 1_000_000, 999_999, secondReleases::incrementAndGet)));

            KafkaWire.Response response = client.receive(ApiKeys.FETCH, FETCH_VERSION);
            assertThat(response.correlationId()).isEqualTo(3);
            List<FetchResponseData.PartitionData> partitions = new FetchResponseData(response.body(), FETCH_VERSION)
                    .responses().get(0).partitions();
            assertThat(bytesOf(partitions.get(0))).isEqualTo(Arrays.copyOfRange(content, 7, 700_008));
            assertThat(bytesOf(partitions.get(1))).isEqualTo(Arrays.copyOfRange(content, 1_000_000, 1_999_999));
            await().atMost(Duration.ofSeconds(10)).until(() -> firstReleases.get() + secondReleases.get() == 2);
            assertServed(client, 4);
            assertThat(firstReleases.get()).isEqualTo(1);
            assertThat(secondReleases.get()).isEqualTo(1);
        }
        server.awaitNoReservedBytes();
    }

    @Test
    void aRegionIsReleasedOnceWhenTheTlsConnectionDropsInTheMiddleOfItsResponse(@TempDir Path directory)
            throws Exception {
        NetworkTestServer server = server("none");
        // Far more than the socket buffers and the connection's write budget hold: the client stops reading early.
        int length = 32 * 1024 * 1024;
        Path segment = Files.write(directory.resolve("00000000000000000000.log"), new byte[length]);
        AtomicInteger releases = new AtomicInteger();
        KafkaWire client = connectTls(server, null);
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ)) {
            client.send(fetchRequest(5));
            server.dispatcher.nextSlowRequest().response().complete(SocketServerTest.fetchResponse(
                    new FileRegionRecords(channel, 0, length, releases::incrementAndGet)));
            client.readBytes(64 * 1024);
            assertThat(releases.get()).isZero(); // the server is still in the middle of the region
            client.close();

            await().atMost(Duration.ofSeconds(30)).until(() -> server.server.connectionCount() == 0);
            await().atMost(Duration.ofSeconds(10)).until(releases::get, count -> count == 1);
            server.awaitNoReservedBytes();
            assertThat(releases.get()).isEqualTo(1);
        }
    }

    private static io.fjord.protocol.message.FetchResponseData twoPartitionFetchResponse(FileRegionRecords first,
                                                                                        FileRegionRecords second) {
        return new io.fjord.protocol.message.FetchResponseData().setResponses(List.of(
                new io.fjord.protocol.message.FetchResponseData.FetchableTopicResponse().setTopic("topic")
                        .setPartitions(List.of(
                                new io.fjord.protocol.message.FetchResponseData.PartitionData()
                                        .setPartitionIndex(0).setHighWatermark(5).setLastStableOffset(5)
                                        .setRecords(first),
                                new io.fjord.protocol.message.FetchResponseData.PartitionData()
                                        .setPartitionIndex(1).setHighWatermark(9).setLastStableOffset(9)
                                        .setRecords(second)))));
    }

    private static byte[] bytesOf(FetchResponseData.PartitionData partition) {
        ByteBuffer records = ((MemoryRecords) partition.records()).buffer();
        byte[] bytes = new byte[records.remaining()];
        records.get(bytes);
        return bytes;
    }

    @Test
    void theClientCertificateNamesTheConnectionsPrincipal() throws Exception {
        NetworkTestServer server = server("required");
        KafkaWire client = connectTls(server, certificates.clientKeystore);
        client.send(fetchRequest(1));
        TestDispatcher.SlowRequest fetch = server.dispatcher.nextSlowRequest();

        assertThat(fetch.context().principal()).isEqualTo(Principal.user(TestCertificates.CLIENT_NAME));
        assertThat(fetch.context().principal().toString()).isEqualTo("User:" + TestCertificates.CLIENT_NAME);
        fetch.response().complete(new io.fjord.protocol.message.FetchResponseData());
    }

    @Test
    void aClientWithoutACertificateIsAnonymousWhenCertificatesAreOnlyRequested() throws Exception {
        NetworkTestServer server = server("requested");
        KafkaWire client = connectTls(server, null);
        client.send(fetchRequest(1));
        TestDispatcher.SlowRequest fetch = server.dispatcher.nextSlowRequest();

        assertThat(fetch.context().principal()).isEqualTo(Principal.ANONYMOUS);
        fetch.response().complete(new io.fjord.protocol.message.FetchResponseData());
    }

    @Test
    void requiredClientAuthenticationRefusesClientsWithoutATrustedCertificate() throws Exception {
        NetworkTestServer server = server("required");
        for (Path keystore : Arrays.asList(null, certificates.untrustedKeystore)) {
            assertThatThrownBy(() -> {
                // TLS 1.3 clients finish their handshake before the server checks the certificate: the refusal
                // comes at the first read at the latest.
                KafkaWire client = connectTls(server, keystore);
                client.send(apiVersionsRequest(1));
                client.receiveFrame();
            }).isInstanceOf(IOException.class);
        }
        assertThat(server.dispatcher.dispatched.get()).isZero();
    }

    @Test
    void aPlaintextClientIsRefused() throws Exception {
        NetworkTestServer server = server("none");
        KafkaWire plaintext = server.connect();
        resources.add(plaintext);
        plaintext.send(apiVersionsRequest(1));

        assertThat(plaintext.closedByServer()).isTrue();
        assertThat(server.dispatcher.dispatched.get()).isZero();
    }

    private static byte[] apiVersionsRequest(int correlationId) {
        return KafkaWire.request(ApiKeys.API_VERSIONS, (short) 3, correlationId, new ApiVersionsRequestData()
                .setClientSoftwareName("fjord-test").setClientSoftwareVersion("1"));
    }

    private static byte[] fetchRequest(int correlationId) {
        return KafkaWire.request(ApiKeys.FETCH, FETCH_VERSION, correlationId, new FetchRequestData()
                .setReplicaId(-1).setMaxWaitMs(500).setMinBytes(1));
    }

    private static void assertServed(KafkaWire client, int correlationId) throws IOException {
        client.send(apiVersionsRequest(correlationId));
        KafkaWire.Response response = client.receive(ApiKeys.API_VERSIONS, (short) 3);
        assertThat(response.correlationId()).isEqualTo(correlationId);
        assertThat(new ApiVersionsResponseData(response.body(), (short) 3).errorCode()).isZero();
    }
}
