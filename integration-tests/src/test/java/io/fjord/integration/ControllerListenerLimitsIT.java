package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
    private static final byte[] API_VERSIONS_V0 = {0, 0, 0, 14, 0, 18, 0, 0, 0, 0, 0, 7, 0, 4, 't', 'e', 's', 't'};

    @TempDir
    Path root;
    private FjordTestCluster cluster;
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Socket socket : sockets) {
            socket.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private Socket connectFrom(String localAddress) throws IOException {
        Socket socket = new Socket();
        sockets.add(socket);
        socket.setSoTimeout(30_000);
        socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
        socket.connect(cluster.node(1).controllerListenerAddress(), 30_000);
        return socket;
    }

    /** Sends an ApiVersions v0 and reads its whole answer (the connection is served). */
    private static void assertServed(Socket socket) throws IOException {
        socket.getOutputStream().write(API_VERSIONS_V0);
        byte[] header = socket.getInputStream().readNBytes(8);
        assertThat(header).endsWith(0, 0, 0, 7);
        int size = ((header[0] & 0xff) << 24) | ((header[1] & 0xff) << 16) | ((header[2] & 0xff) << 8)
                | (header[3] & 0xff);
        socket.getInputStream().readNBytes(size - 4);
    }

    /** Whether the server closes {@code socket} within {@code waitMs} (a served or held connection stays silent). */
    private static boolean closedWithin(Socket socket, int waitMs) throws IOException {
        socket.setSoTimeout(waitMs);
        try {
            return socket.getInputStream().read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        } finally {
            socket.setSoTimeout(30_000);
        }
    }

    /** Whether nothing at all (no byte, no close) arrives on {@code socket} for {@code waitMs}. */
    private static boolean silentFor(Socket socket, int waitMs) throws IOException {
        socket.setSoTimeout(waitMs);
        try {
            socket.getInputStream().read();
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        } catch (SocketException e) {
            return false;
        } finally {
            socket.setSoTimeout(30_000);
        }
    }

    @Test
    void anAddressAboveItsMaximumIsClosedOnTheControllerListener() throws Exception {
        cluster = FjordTestCluster.start(root, 1, Map.of("max.connections.per.ip.overrides", "127.0.0.2:1"));
        Socket first = connectFrom("127.0.0.2");
        assertServed(first);

        Socket second = connectFrom("127.0.0.2");

        assertThat(closedWithin(second, 30_000)).isTrue();
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
