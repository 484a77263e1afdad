package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * Raw TCP connections from a test to a node's listener, for the connection-limit tests: opens them, from a chosen
 * local address where one matters (on loopback, 127.0.0.2 and its neighbours stand for other hosts), tells whether
 * the node serves, holds or closes one, and closes them all when the test ends.
 *
 * <p>Not thread-safe: one test's thread.
 */
final class RawConnections implements AutoCloseable {
    /** An ApiVersions v0 request: correlation id 7, client id "test". */
    static final byte[] API_VERSIONS_V0 = {0, 0, 0, 14, 0, 18, 0, 0, 0, 0, 0, 7, 0, 4, 't', 'e', 's', 't'};
    /** A liveness bound for connecting and reading: generous, as the machine may be loaded. */
    private static final int TIMEOUT_MS = 30_000;

    private final List<Socket> sockets = new ArrayList<>();

    /** A connection to {@code target} from the machine's own choice of local address. */
    Socket connect(InetSocketAddress target) throws IOException {
        return connectFrom(null, target);
    }

    /** A connection to {@code target} from {@code localAddress} (any address if null). */
    Socket connectFrom(String localAddress, InetSocketAddress target) throws IOException {
        Socket socket = new Socket();
        sockets.add(socket);
        socket.setSoTimeout(TIMEOUT_MS);
        if (localAddress != null) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
        }
        socket.connect(target, TIMEOUT_MS);
        return socket;
    }

    /** Sends an ApiVersions v0 on {@code socket} and reads its whole answer: the connection is served. */
    static void assertServed(Socket socket) throws IOException {
        socket.getOutputStream().write(API_VERSIONS_V0);
        byte[] sizeAndCorrelation = socket.getInputStream().readNBytes(8);
        assertThat(sizeAndCorrelation).endsWith(0, 0, 0, 7);
        int sizeBytes = ((sizeAndCorrelation[0] & 0xff) << 24) | ((sizeAndCorrelation[1] & 0xff) << 16)
                | ((sizeAndCorrelation[2] & 0xff) << 8) | (sizeAndCorrelation[3] & 0xff);
        socket.getInputStream().readNBytes(sizeBytes - 4);
    }

    /** Whether the node closes {@code socket} within {@code waitMs} (a served or held connection stays silent). */
    static boolean closedWithin(Socket socket, int waitMs) throws IOException {
        socket.setSoTimeout(waitMs);
        try {
            return socket.getInputStream().read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        } finally {
            socket.setSoTimeout(TIMEOUT_MS);
        }
    }

    /** Whether the node closes {@code socket} within the liveness bound. */
    static boolean closedByServer(Socket socket) throws IOException {
        return closedWithin(socket, TIMEOUT_MS);
    }

    /** Whether nothing at all (no byte, no close) arrives on {@code socket} for {@code waitMs}. */
    static boolean silentFor(Socket socket, int waitMs) throws IOException {
        socket.setSoTimeout(waitMs);
        try {
            socket.getInputStream().read();
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        } catch (SocketException e) {
            return false;
        } finally {
            socket.setSoTimeout(TIMEOUT_MS);
        }
    }

    @Override
    public void close() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        sockets.clear();
    }
}
