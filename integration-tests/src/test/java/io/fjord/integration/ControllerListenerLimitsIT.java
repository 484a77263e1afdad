package io.fjord.integration;

import static io.fjord.integration.RawConnections.API_VERSIONS_V0;
import static io.fjord.integration.RawConnections.assertServed;
import static io.fjord.integration.RawConnections.closedByServer;
import static io.fjord.integration.RawConnections.silentFor;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller listener (the Raft transport) limits connections as Kafka's controller socket server does:
 * {@code max.connections.per.ip} overrides close a connection above an address's maximum, and
 * {@code listener.name.controller.max.connections} holds a connection back until one closes. 127.0.0.2 stands for
 * a client host (the loopback network is 127.0.0.0/8). Time bounds are liveness bounds.
 */
class ControllerListenerLimitsIT {
    @TempDir
    Path root;
    private FjordTestCluster cluster;
    private final RawConnections connections = new RawConnections();

    @AfterEach
    void stop() throws Exception {
        connections.close();
        if (cluster != null) {
            cluster.close();
        }
    }

    private Socket connectFrom(String localAddress) throws IOException {
        return connections.connectFrom(localAddress, cluster.node(1).controllerListenerAddress());
    }

    @Test
    void anAddressAboveItsMaximumIsClosedOnTheControllerListener() throws Exception {
        cluster = FjordTestCluster.start(root, 1, Map.of("max.connections.per.ip.overrides", "127.0.0.2:1"));
        Socket first = connectFrom("127.0.0.2");
        assertServed(first);

        Socket second = connectFrom("127.0.0.2");

        assertThat(closedByServer(second)).isTrue();
        assertServed(first);
        assertServed(connectFrom("127.0.0.3"));
    }

    @Test
    void theControllerListenersMaximumHoldsTheNextConnectionUntilOneCloses() throws Exception {
        cluster = FjordTestCluster.start(root, 1, Map.of("listener.name.controller.max.connections", "1"));
        Socket first = connectFrom("127.0.0.2");
        assertServed(first);

        Socket held = connectFrom("127.0.0.2");
        held.getOutputStream().write(API_VERSIONS_V0);
        assertThat(silentFor(held, 1_000)).isTrue(); // neither answered nor closed: waiting for a slot
        first.close();

        byte[] header = held.getInputStream().readNBytes(8);
        assertThat(header).endsWith(0, 0, 0, 7);
    }
}
