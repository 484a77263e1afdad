package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * max.connections.per.ip and its overrides on a node: connections from an address above its maximum are closed
 * while a Kafka Admin client from another address is served. 127.0.0.2 stands for a second host (the loopback
 * network is 127.0.0.0/8). Time bounds are liveness bounds.
 */
class ConnectionLimitsIT {
    @TempDir
    Path data;
    private FjordTestNode node;
    private final List<Socket> sockets = new ArrayList<>();

    @BeforeEach
    void start() throws InterruptedException {
        node = FjordTestNode.start(data, Map.of(
                "listeners", "PLAINTEXT://127.0.0.1:0",
                "max.connections.per.ip", "100",
                "max.connections.per.ip.overrides", "127.0.0.2:2"));
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        node.close();
    }

    private Socket connectFrom(String localAddress) throws IOException {
        Socket socket = new Socket();
        sockets.add(socket);
        socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
        socket.setSoTimeout(30_000);
        socket.connect(node.node().boundAddress("PLAINTEXT"), 30_000);
        return socket;
    }

    private static boolean closedByServer(Socket socket) throws IOException {
        try (InputStream input = socket.getInputStream()) {
            return input.read() == -1;
        } catch (SocketException e) {
            return true;
        }
    }

    @Test
    void connectionsAboveAnAddressMaximumAreClosedWhileOtherClientsAreServed() throws Exception {
        Socket first = connectFrom("127.0.0.2");
        Socket second = connectFrom("127.0.0.2");
        Socket third = connectFrom("127.0.0.2");

        assertThat(closedByServer(third)).isTrue();
        Properties properties = new Properties();
        properties.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
                "127.0.0.1:" + node.node().boundAddress("PLAINTEXT").getPort());
        properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        try (Admin admin = Admin.create(properties)) {
            assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(1);
        }
        // The two within the maximum are served: an ApiVersions v0 on each is answered.
        for (Socket served : List.of(first, second)) {
            served.getOutputStream().write(new byte[] {0, 0, 0, 14, 0, 18, 0, 0, 0, 0, 0, 7, 0, 4, 't', 'e', 's',
                't'});
            assertThat(served.getInputStream().readNBytes(8)).endsWith(0, 0, 0, 7);
        }
    }
}
