package io.fjord.integration;

import static io.fjord.integration.RawConnections.assertServed;
import static io.fjord.integration.RawConnections.closedByServer;
import static io.fjord.integration.RawConnections.closedWithin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * max.connections.per.ip and its overrides on a node: connections from an address above its maximum are closed
 * while a Kafka Admin client from another address is served, and a maximum lowered at run time with Kafka's Admin
 * (incrementalAlterConfigs of the broker) closes the next connection above it. 127.0.0.2 stands for a second host
 * (the loopback network is 127.0.0.0/8). Time bounds are liveness bounds.
 */
class ConnectionLimitsIT {
    @TempDir
    Path data;
    private FjordTestNode node;
    private final RawConnections connections = new RawConnections();

    @BeforeEach
    void start() throws InterruptedException {
        node = FjordTestNode.start(data, Map.of(
                "listeners", "PLAINTEXT://127.0.0.1:0",
                "max.connections.per.ip", "100",
                "max.connections.per.ip.overrides", "127.0.0.2:2"));
    }

    @AfterEach
    void stop() throws IOException {
        connections.close();
        node.close();
    }

    private Socket connectFrom(String localAddress) throws IOException {
        return connections.connectFrom(localAddress, node.node().boundAddress("PLAINTEXT"));
    }

    @Test
    void connectionsAboveAnAddressMaximumAreClosedWhileOtherClientsAreServed() throws Exception {
        Socket first = connectFrom("127.0.0.2");
        Socket second = connectFrom("127.0.0.2");
        Socket third = connectFrom("127.0.0.2");

        assertThat(closedByServer(third)).isTrue();
        try (Admin admin = Admin.create(adminProperties())) {
            assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(1);
        }
        // The two within the maximum are served.
        assertServed(first);
        assertServed(second);
    }

    @Test
    void aMaximumLoweredWithIncrementalAlterConfigsClosesTheNextConnectionAboveIt() throws Exception {
        // 127.0.0.3 has the default maximum, 100: a third connection is served.
        Socket first = connectFrom("127.0.0.3");
        Socket second = connectFrom("127.0.0.3");
        assertThat(closedWithin(connectFrom("127.0.0.3"), 1_000)).isFalse();

        try (Admin admin = Admin.create(adminProperties())) {
            String brokerId = Integer.toString(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).iterator()
                    .next().id());
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.BROKER, brokerId), List.of(
                    new AlterConfigOp(new ConfigEntry("max.connections.per.ip", "3"), AlterConfigOp.OpType.SET))))
                    .all().get(30, TimeUnit.SECONDS);
        }

        // Once the change is applied, the next connection from the address is closed at once; open ones stay open.
        await().atMost(Duration.ofSeconds(60)).until(() -> closedWithin(connectFrom("127.0.0.3"), 1_000));
        assertServed(first);
        assertServed(second);
    }

    private Properties adminProperties() {
        Properties properties = new Properties();
        properties.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
                "127.0.0.1:" + node.node().boundAddress("PLAINTEXT").getPort());
        properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        return properties;
    }
}
