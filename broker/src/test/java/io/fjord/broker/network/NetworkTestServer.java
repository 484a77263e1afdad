package io.fjord.broker.network;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * Starts a {@link SocketServer} on 127.0.0.1 port 0 with a {@link TestDispatcher}, with Kafka's defaults unless a
 * test overrides a limit. Not thread-safe: used by one test.
 */
final class NetworkTestServer implements AutoCloseable {
    final TestDispatcher dispatcher = new TestDispatcher();
    final SocketServer server;

    private NetworkTestServer(NetworkConfig config, Builder settings) throws InterruptedException {
        Thread.UncaughtExceptionHandler errors = settings.fatalErrors != null ? settings.fatalErrors
                : (thread, error) -> thread.getUncaughtExceptionHandler().uncaughtException(thread, error);
        server = new SocketServer(config, dispatcher, errors, listenerName -> settings.security,
                settings.authenticators, settings.failedAuthenticationDelayMs,
                settings.limits.withMaxConnections(config.maxConnections()), settings.ipRates);
        server.start();
    }

    static Builder builder() {
        return new Builder();
    }

    InetSocketAddress address() {
        return server.boundAddress("PLAINTEXT");
    }

    InetSocketAddress address(String listenerName) {
        return server.boundAddress(listenerName);
    }

    KafkaWire connect() throws IOException {
        return KafkaWire.connect(address());
    }

    /** Waits until every reserved request byte has been given back to the pool. */
    void awaitNoReservedBytes() {
        await().atMost(Duration.ofSeconds(10)).until(server::reservedRequestBytes, bytes -> bytes == 0);
    }

    @Override
    public void close() {
        try {
            server.shutdown(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the test server", e);
        }
    }

    /** Network settings for a test. Not thread-safe. */
    static final class Builder {
        private int socketRequestMaxBytes = 104_857_600;
        private long queuedMaxRequestBytes = 100_000_000;
        private long connectionsMaxIdleMs = 600_000;
        private int maxConnections = Integer.MAX_VALUE;
        private int queuedRequestsPerConnectionMax = 16;
        private int socketBufferBytes = -1;
        private Thread.UncaughtExceptionHandler fatalErrors;
        private io.fjord.raft.transport.ChannelSecurity security = io.fjord.raft.transport.ChannelSecurity.PLAINTEXT;
        private ConnectionLimits limits = ConnectionLimits.unlimited();
        private IpConnectionRateQuotas ipRates = IpConnectionRateQuotas.NONE;
        private io.fjord.broker.security.sasl.SaslAuthenticators authenticators =
                io.fjord.broker.security.sasl.SaslAuthenticators.none();
        private long failedAuthenticationDelayMs;
        private final List<Endpoint> listeners = new java.util.ArrayList<>(List.of(new Endpoint("PLAINTEXT",
                "127.0.0.1", 0)));

        /** Connection limits (their max.connections is the builder's). */
        Builder limits(ConnectionLimits value) {
            limits = value;
            return this;
        }

        Builder ipRates(IpConnectionRateQuotas value) {
            ipRates = value;
            return this;
        }

        /** SASL on the listener (named PLAINTEXT), with connection.failed.authentication.delay.ms. */
        Builder sasl(io.fjord.broker.security.sasl.SaslAuthenticators value, long delayMs) {
            authenticators = value;
            failedAuthenticationDelayMs = delayMs;
            return this;
        }

        /** The listener's protection (TLS, say); PLAINTEXT by default. */
        Builder security(io.fjord.raft.transport.ChannelSecurity value) {
            security = value;
            return this;
        }

        Builder socketRequestMaxBytes(int value) {
            socketRequestMaxBytes = value;
            return this;
        }

        Builder queuedMaxRequestBytes(long value) {
            queuedMaxRequestBytes = value;
            return this;
        }

        Builder connectionsMaxIdleMs(long value) {
            connectionsMaxIdleMs = value;
            return this;
        }

        Builder maxConnections(int value) {
            maxConnections = value;
            return this;
        }

        Builder socketBufferBytes(int value) {
            socketBufferBytes = value;
            return this;
        }

        Builder fatalErrors(Thread.UncaughtExceptionHandler value) {
            fatalErrors = value;
            return this;
        }

        /** One more listener on 127.0.0.1, port 0, besides PLAINTEXT. */
        Builder listener(String name) {
            listeners.add(new Endpoint(name, "127.0.0.1", 0));
            return this;
        }

        NetworkTestServer start() throws InterruptedException {
            return new NetworkTestServer(new NetworkConfig(listeners,
                    socketRequestMaxBytes, queuedMaxRequestBytes, connectionsMaxIdleMs, maxConnections, 2,
                    queuedRequestsPerConnectionMax, socketBufferBytes, socketBufferBytes), this);
        }
    }
}
