package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy forwards both ways, a cut link moves no bytes (old or new connections), and a healed one moves them. */
class NetworkFaultProxyTest {
    private static final Duration BOUND = Duration.ofSeconds(30);
    /** How long a cut link is watched for bytes it must not move; a miss here would only let a broken cut pass. */
    private static final int SILENCE_MS = 300;

    private ServerSocket echo;
    private Thread echoThread;
    private NetworkFaultProxy proxy;
    private int port;

    @BeforeEach
    void setUp() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        echoThread = new Thread(this::serveEcho, "echo");
        echoThread.setDaemon(true);
        echoThread.start();
        List<Integer> ports = FjordTestCluster.freePorts(1);
        port = ports.get(0);
        proxy = NetworkFaultProxy.start();
        proxy.open("link", port, new InetSocketAddress(InetAddress.getLoopbackAddress(), echo.getLocalPort()));
    }

    @AfterEach
    void tearDown() throws Exception {
        proxy.close();
        echo.close();
        echoThread.join(BOUND.toMillis());
    }

    /** Echoes every connection, one thread each (daemon; they end when their socket closes). */
    private void serveEcho() {
        try {
            while (true) {
                Socket socket = echo.accept();
                Thread connection = new Thread(() -> {
                    try (socket) {
                        socket.getInputStream().transferTo(socket.getOutputStream());
                    } catch (IOException ignored) {
                        // The test closed it.
                    }
                }, "echo-connection");
                connection.setDaemon(true);
                connection.start();
            }
        } catch (IOException ignored) {
            // Closed by tearDown.
        }
    }

    @Test
    void forwardsUntilCutAndAgainAfterHeal() throws IOException {
        try (Socket client = connect()) {
            roundTrip(client, 'a');
            proxy.cut("link");
            assertThat(proxy.isCut("link")).isTrue();
            client.getOutputStream().write('b');
            assertSilent(client);
            proxy.heal("link");
            client.setSoTimeout((int) BOUND.toMillis());
            assertThat(client.getInputStream().read()).as("the byte held while cut").isEqualTo('b');
            roundTrip(client, 'c');
        }
    }

    @Test
    void aConnectionOpenedWhileCutMovesNothingUntilHealed() throws IOException {
        proxy.cut("link");
        try (Socket client = connect()) {
            client.getOutputStream().write('x');
            assertSilent(client);
            assertThat(proxy.connections("link")).as("not accepted while cut").isZero();
            proxy.heal("link");
            client.setSoTimeout((int) BOUND.toMillis());
            assertThat(client.getInputStream().read()).isEqualTo('x');
            assertThat(proxy.connections("link")).isEqualTo(1);
        }
    }

    @Test
    void aClosedSourceClosesItsConnection() throws IOException {
        try (Socket client = connect()) {
            roundTrip(client, 'a');
            assertThat(proxy.connections("link")).isEqualTo(1);
        }
        await().atMost(BOUND).until(() -> proxy.connections("link") == 0);
    }

    @Test
    void aConnectionBeyondTheBoundClosesTheOldest() throws IOException {
        List<Socket> clients = new java.util.ArrayList<>();
        try {
            for (int index = 0; index <= NetworkFaultProxy.CONNECTIONS_PER_LINK_MAX; index++) {
                Socket client = connect();
                clients.add(client);
                roundTrip(client, 'a');
            }
            assertThat(proxy.connections("link")).isEqualTo(NetworkFaultProxy.CONNECTIONS_PER_LINK_MAX);
            assertThat(proxy.evicted("link")).isEqualTo(1);
            assertThat(clients.get(0).getInputStream().read()).as("the oldest was closed").isEqualTo(-1);
            roundTrip(clients.get(clients.size() - 1), 'b');
        } finally {
            for (Socket client : clients) {
                client.close();
            }
        }
    }

    private Socket connect() throws IOException {
        Socket client = new Socket(InetAddress.getLoopbackAddress(), port);
        client.setSoTimeout((int) BOUND.toMillis());
        return client;
    }

    private static void roundTrip(Socket client, char value) throws IOException {
        client.getOutputStream().write(value);
        assertThat(client.getInputStream().read()).isEqualTo(value);
    }

    private static void assertSilent(Socket client) throws IOException {
        client.setSoTimeout(SILENCE_MS);
        InputStream input = client.getInputStream();
        assertThatThrownBy(input::read).isInstanceOf(SocketTimeoutException.class);
    }
}
