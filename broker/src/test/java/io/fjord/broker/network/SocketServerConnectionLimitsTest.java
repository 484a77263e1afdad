package io.fjord.broker.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.fjord.broker.security.sasl.JaasConfigParser;
import io.fjord.broker.security.sasl.JaasEntry;
import io.fjord.broker.security.sasl.ListenerSaslConfig;
import io.fjord.broker.security.sasl.SaslAuthenticators;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The socket server's connection limits over real sockets: max.connections.per.ip (and overrides), listener
 * max.connections, creation-rate throttling, per-IP creation rate quotas, and the delayed answer to a failed SASL
 * authentication. Clients bound to 127.0.0.2 stand for a second host (the loopback network is 127.0.0.0/8).
 */
class SocketServerConnectionLimitsTest {
    private static final int UNLIMITED = Integer.MAX_VALUE;
    private static final InetAddress OTHER_HOST = loopback("127.0.0.2");

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private Level previousLevel;

    private static InetAddress loopback(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeEach
    void captureLogs() {
        logs.start();
        Logger network = (Logger) LoggerFactory.getLogger("io.fjord.broker.network");
        previousLevel = network.getLevel();
        network.setLevel(Level.INFO);
        network.addAppender(logs);
    }

    @AfterEach
    void stop() throws Exception {
        Logger network = (Logger) LoggerFactory.getLogger("io.fjord.broker.network");
        network.detachAppender(logs);
        network.setLevel(previousLevel);
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private NetworkTestServer start(NetworkTestServer.Builder builder) throws InterruptedException {
        NetworkTestServer server = builder.start();
        resources.add(server);
        return server;
    }

    private KafkaWire connect(NetworkTestServer server) throws IOException {
        KafkaWire client = server.connect();
        resources.add(client);
        return client;
    }

    private KafkaWire connectFrom(InetAddress local, NetworkTestServer server) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(local, 0));
        socket.setTcpNoDelay(true);
        socket.connect(server.address(), KafkaWire.READ_TIMEOUT_MS);
        KafkaWire client = KafkaWire.over(socket);
        resources.add(client);
        return client;
    }

    private static ConnectionLimits limits(int perIp, Map<InetAddress, Integer> overrides,
                                           Map<String, Integer> listenerMax, Map<String, Integer> listenerRates,
                                           int windowCount) {
        return new ConnectionLimits(UNLIMITED, listenerMax, perIp, overrides, UNLIMITED, listenerRates, null,
                windowCount, 1_000);
    }

    private static void assertServed(KafkaWire client, int correlationId) throws IOException {
        client.send(KafkaWire.request(ApiKeys.API_VERSIONS, (short) 0, correlationId, new ApiVersionsRequestData()));
        KafkaWire.Response response = client.receive(ApiKeys.API_VERSIONS, (short) 0);
        assertThat(response.correlationId()).isEqualTo(correlationId);
        assertThat(new ApiVersionsResponseData(response.body(), (short) 0).errorCode()).isZero();
    }

    private List<String> logLines() {
        return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void connectionsAboveTheAddressMaximumAreClosedWhileOtherAddressesConnect() throws Exception {
        NetworkTestServer server = start(NetworkTestServer.builder().limits(limits(2, Map.of(), Map.of(), Map.of(),
                11)));
        KafkaWire first = connect(server);
        KafkaWire second = connect(server);
        assertServed(first, 1);
        assertServed(second, 1);

        KafkaWire third = connect(server);
        assertThat(third.closedByServer()).isTrue();
        assertThat(logLines()).anyMatch(line -> line.equals("Rejected connection from 127.0.0.1, address already "
                + "has the configured maximum of 2 connections"));
        assertServed(connectFrom(OTHER_HOST, server), 1);
        assertServed(connectFrom(OTHER_HOST, server), 1);

        first.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.server.connectionCount() == 3);
        assertServed(connect(server), 2);
        assertServed(second, 3);
    }

    @Test
    void aLoweredAddressMaximumClosesTheNextConnectionAndKeepsTheOpenOnes() throws Exception {
        NetworkTestServer server = start(NetworkTestServer.builder().limits(limits(UNLIMITED, Map.of(), Map.of(),
                Map.of(), 11)));
        KafkaWire first = connect(server);
        KafkaWire second = connect(server);
        assertServed(first, 1);
        assertServed(second, 1);

        server.server.updateConnectionLimits(limits(2, Map.of(), Map.of(), Map.of(), 11));
        await().atMost(Duration.ofSeconds(10)).until(() -> server.server.connectionLimits().maxConnectionsPerIp() == 2);

        assertThat(connect(server).closedByServer()).isTrue();
        assertServed(first, 2);
        assertServed(second, 2);
        // An override given at run time lets the address have one more.
        server.server.updateConnectionLimits(limits(2, Map.of(loopback("127.0.0.1"), 3), Map.of(), Map.of(), 11));
        await().atMost(Duration.ofSeconds(10)).until(() -> !server.server.connectionLimits()
                .maxConnectionsPerIpOverrides().isEmpty());
        assertServed(connect(server), 1);
    }

    @Test
    void aRaisedListenerMaximumServesTheConnectionHeldBack() throws Exception {
        NetworkTestServer server = start(NetworkTestServer.builder().limits(limits(UNLIMITED, Map.of(),
                Map.of("PLAINTEXT", 1), Map.of(), 11)));
        assertServed(connect(server), 1);
        KafkaWire held = connect(server);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.server.heldConnectionCount() == 1);
        held.send(KafkaWire.request(ApiKeys.API_VERSIONS, (short) 0, 9, new ApiVersionsRequestData()));

        server.server.updateConnectionLimits(limits(UNLIMITED, Map.of(), Map.of("PLAINTEXT", 2), Map.of(), 11));

        assertThat(held.receive(ApiKeys.API_VERSIONS, (short) 0).correlationId()).isEqualTo(9);
    }

    @Test
    void anInterBrokerConnectionPastTheBrokerMaximumClosesTheLeastRecentlyUsedClientConnection() throws Exception {
        NetworkTestServer server = start(NetworkTestServer.builder().listener("INTERNAL").maxConnections(2)
                .limits(new ConnectionLimits(UNLIMITED, Map.of(), UNLIMITED, Map.of(), UNLIMITED, Map.of(),
                        "INTERNAL", 11, 1_000)));
        KafkaWire older = connect(server);
        KafkaWire idle = connect(server);
        assertServed(idle, 1);
        assertServed(older, 1); // the older connection is now the more recently used one

        KafkaWire interBroker = KafkaWire.connect(server.address("INTERNAL"));
        resources.add(interBroker);

        assertServed(interBroker, 1);
        assertThat(idle.closedByServer()).isTrue();
        assertServed(older, 2);
        assertThat(logLines()).anyMatch(line -> line.startsWith("Closing the least recently used connection")
                && line.endsWith("on listener PLAINTEXT: the broker has more than max.connections=2 open"));
        await().atMost(Duration.ofSeconds(10)).until(() -> server.server.connectionCount() == 2);
    }

    @Test
    void anOverrideGivesOneAddressItsOwnMaximum() throws Exception {
        NetworkTestServer server = start(NetworkTestServer.builder().limits(limits(0, Map.of(OTHER_HOST, 1),
                Map.of(), Map.of(), 11)));

        assertThat(connect(server).closedByServer()).isTrue();
        assertServed(connectFrom(OTHER_HOST, server), 1);
        assertThat(connectFrom(OTHER_HOST, server).closedByServer()).isTrue();
    }

    @Test
    void aListenerAtItsMaximumHoldsTheNextConnectionUntilOneCloses() throws Exception {
        NetworkTestServer server = start(NetworkTestServer.builder().limits(limits(UNLIMITED, Map.of(),
                Map.of("PLAINTEXT", 1), Map.of(), 11)));
        KafkaWire first = connect(server);
        assertServed(first, 1);

        KafkaWire second = connect(server);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.server.heldConnectionCount() == 1);
        second.send(KafkaWire.request(ApiKeys.API_VERSIONS, (short) 0, 7, new ApiVersionsRequestData()));
        first.close();

        assertThat(second.receive(ApiKeys.API_VERSIONS, (short) 0).correlationId()).isEqualTo(7);
    }

    @Test
    void aListenerCreationRateDelaysAcceptingAboveIt() throws Exception {
        // Two windows of 1 s: two connections at once are within 2 per second, the next ones wait about 500 ms each.
        NetworkTestServer server = start(NetworkTestServer.builder().limits(limits(UNLIMITED, Map.of(), Map.of(),
                Map.of("PLAINTEXT", 2), 2)));
        long startNanos = System.nanoTime();
        for (int connection = 0; connection < 6; connection++) {
            assertServed(connect(server), connection);
        }
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);

        // Unthrottled, six connections on loopback take milliseconds; throttled, the last four wait their turns.
        assertThat(elapsedMs).isGreaterThanOrEqualTo(1_000);
    }

    @Test
    void connectionsAboveTheAddressCreationRateQuotaAreClosedAfterTheThrottleTime() throws Exception {
        InetAddress local = loopback("127.0.0.1");
        NetworkTestServer server = start(NetworkTestServer.builder().limits(limits(UNLIMITED, Map.of(), Map.of(),
                Map.of(), 2)).ipRates(address -> address.equals(local) ? 1 : IpConnectionRateQuotas.UNLIMITED));
        assertServed(connect(server), 1);

        KafkaWire throttled = connect(server);
        long startNanos = System.nanoTime();
        assertThat(throttled.closedByServer()).isTrue();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos)).isGreaterThanOrEqualTo(400);
        assertServed(connectFrom(OTHER_HOST, server), 1);
    }

    @Test
    void theAnswerToAFailedAuthenticationIsDelayedThenTheConnectionCloses() throws Exception {
        JaasEntry users = JaasConfigParser.parse(JaasEntry.PLAIN_LOGIN_MODULE + " required user_alice=\"secret\";");
        SaslAuthenticators sasl = new SaslAuthenticators(List.of(new ListenerSaslConfig("PLAINTEXT", List.of("PLAIN"),
                Map.of("PLAIN", users), 0)), (user, mechanism) -> Optional.empty(), new SecureRandom());
        NetworkTestServer server = start(NetworkTestServer.builder().sasl(sasl, 1_000));
        KafkaWire client = connect(server);
        client.send(KafkaWire.request(ApiKeys.SASL_HANDSHAKE, (short) 1, 1,
                new SaslHandshakeRequestData().setMechanism("PLAIN")));
        client.receive(ApiKeys.SASL_HANDSHAKE, (short) 1);

        client.send(KafkaWire.request(ApiKeys.SASL_AUTHENTICATE, (short) 2, 2, new SaslAuthenticateRequestData()
                .setAuthBytes("\0alice\0wrong".getBytes(StandardCharsets.UTF_8))));
        long startNanos = System.nanoTime();
        KafkaWire.Response answer = client.receive(ApiKeys.SASL_AUTHENTICATE, (short) 2);
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);

        assertThat(new SaslAuthenticateResponseData(answer.body(), (short) 2).errorCode())
                .isEqualTo(Errors.SASL_AUTHENTICATION_FAILED.code());
        assertThat(waitedMs).isGreaterThanOrEqualTo(900);
        assertThat(client.closedByServer()).isTrue();
    }
}
