package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
    private static final byte[] API_VERSIONS_V0 = {0, 0, 0, 14, 0, 18, 0, 0, 0, 0, 0, 7, 0, 4, 't', 'e', 's', 't'};

    @TempDir
    Path data;
    private FjordTestNode node;
    private final List<Socket> sockets = new ArrayList<>();

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
        for (Socket socket : sockets) {
            socket.close();
        }
        node.close();
    }

    private Socket connect(String listener) throws IOException {
        Socket socket = new Socket();
        sockets.add(socket);
        socket.setSoTimeout(30_000);
        InetSocketAddress address = node.node().boundAddress(listener);
        socket.connect(new InetSocketAddress("127.0.0.1", address.getPort()), 30_000);
        return socket;
    }

    /** Sends an ApiVersions v0 and reads its answer's header (the connection is served). */
    private static void assertServed(Socket socket) throws IOException {
        socket.getOutputStream().write(API_VERSIONS_V0);
        byte[] sizeAndCorrelation = socket.getInputStream().readNBytes(8);
        assertThat(sizeAndCorrelation).endsWith(0, 0, 0, 7);
        int size = ((sizeAndCorrelation[0] & 0xff) << 24) | ((sizeAndCorrelation[1] & 0xff) << 16)
                | ((sizeAndCorrelation[2] & 0xff) << 8) | (sizeAndCorrelation[3] & 0xff);
        socket.getInputStream().readNBytes(size - 4);
    }

    private static boolean closedByServer(Socket socket) throws IOException {
        try {
            return socket.getInputStream().read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        }
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
