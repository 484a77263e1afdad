package io.fjord.integration;

import static io.fjord.integration.RawConnections.assertServed;
import static io.fjord.integration.RawConnections.closedByServer;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KIP-402 on a node: with {@code max.connections} reached by clients, a connection on the inter-broker listener is
 * served and the least recently used client connection is closed to make room, while the more recently used one
 * stays served. Time bounds are liveness bounds.
 */
class InterBrokerConnectionEvictionIT {
    @TempDir
    Path data;
    private FjordTestNode node;
    private final RawConnections connections = new RawConnections();

    @BeforeEach
    void start() throws InterruptedException {
        node = FjordTestNode.start(data, Map.of(
                "listeners", "PLAINTEXT://127.0.0.1:0,INTERNAL://127.0.0.1:0",
                "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT",
                "inter.broker.listener.name", "INTERNAL",
                "max.connections", "2"));
    }

    @AfterEach
    void stop() throws IOException {
        connections.close();
        node.close();
    }

    private Socket connect(String listener) throws IOException {
        InetSocketAddress address = node.node().boundAddress(listener);
        return connections.connect(new InetSocketAddress("127.0.0.1", address.getPort()));
    }

    @Test
    void anInterBrokerConnectionAtTheMaximumClosesTheLeastRecentlyUsedClientConnection() throws Exception {
        Socket older = connect("PLAINTEXT");
        Socket idle = connect("PLAINTEXT");
        assertServed(idle);
        assertServed(older); // the older connection is now the more recently used one

        Socket interBroker = connect("INTERNAL");

        assertServed(interBroker);
        assertThat(closedByServer(idle)).isTrue();
        assertServed(older);
    }
}
