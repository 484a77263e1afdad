package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fjord.server.FjordCli;
import io.fjord.server.FjordNode;
import io.fjord.server.NodeConfig;
import io.fjord.storage.MetaProperties;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.admin.RaftVoterEndpoint;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's isolated quick start on a dynamic quorum (KIP-853), in process: a controller-only node with Kafka's
 * {@code config/controller.properties} shape (its own controller listener as bootstrap server) formatted
 * {@code --standalone}, a broker-only node bootstrapping from it, and a second controller-only node formatted
 * {@code --no-initial-controllers} that joins as a voter through the broker (AddRaftVoter, forwarded).
 */
class IsolatedDynamicQuorumIT {
    private static final Duration BOUND = Duration.ofSeconds(120);
    private static final String QUORUM_COMMAND = "org.apache.kafka.tools.MetadataQuorumCommand";

    @TempDir
    Path root;

    private final List<FjordNode> nodes = new ArrayList<>();

    @AfterEach
    void stopNodes() {
        // The broker first: its controlled shutdown needs the controllers.
        for (int index = nodes.size() - 1; index >= 0; index--) {
            nodes.get(index).close();
        }
    }

    @Test
    void aControllerOnlyQuorumFormattedStandaloneServesABrokerAndTakesAnotherController() throws Exception {
        List<Integer> controllerPorts = FjordTestCluster.freePorts(2);
        String clusterId = Uuid.randomUuid().toString();
        String first = "127.0.0.1:" + controllerPorts.get(0);
        Map<String, String> controller = controllerConfig(1, controllerPorts.get(0), first);
        assertThat(format(1, controller, clusterId, "--standalone")).isZero();
        Map<String, String> broker = new HashMap<>();
        broker.put("node.id", "2");
        broker.put("process.roles", "broker");
        broker.put("listeners", "PLAINTEXT://127.0.0.1:0");
        broker.put("controller.listener.names", "CONTROLLER");
        broker.put("controller.quorum.bootstrap.servers", first);
        broker.put("offsets.topic.replication.factor", "1");
        broker.put("log.dirs", root.resolve("node-2").toString());
        assertThat(format(2, broker, clusterId, null)).isZero();
        Map<String, String> joining = controllerConfig(3, controllerPorts.get(1), first);
        assertThat(format(3, joining, clusterId, "--no-initial-controllers")).isZero();

        start(controller);
        FjordNode brokerNode = start(broker);
        String bootstrap = "127.0.0.1:" + brokerNode.boundAddress("PLAINTEXT").getPort();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000"))) {
            QuorumInfo quorum = admin.describeMetadataQuorum().quorumInfo().get(60, TimeUnit.SECONDS);
            assertThat(quorum.leaderId()).isEqualTo(1);
            assertThat(quorum.voters()).extracting(QuorumInfo.ReplicaState::replicaId).containsExactly(1);
            admin.createTopics(List.of(new NewTopic("isolated", 2, (short) 1))).all().get(60, TimeUnit.SECONDS);

            start(joining);
            UUID directory = MetaProperties.read(root.resolve("node-3")).orElseThrow().directoryId().orElseThrow();
            // A replica not yet caught up is refused REQUEST_TIMED_OUT, as in Kafka: asked again until added.
            await().atMost(BOUND).ignoreExceptions().untilAsserted(() -> admin.addRaftVoter(3,
                    new Uuid(directory.getMostSignificantBits(), directory.getLeastSignificantBits()),
                    Set.of(new RaftVoterEndpoint("CONTROLLER", "127.0.0.1", controllerPorts.get(1)))).all()
                    .get(60, TimeUnit.SECONDS));
            await().atMost(BOUND).untilAsserted(() -> assertThat(admin.describeMetadataQuorum().quorumInfo()
                    .get(60, TimeUnit.SECONDS).voters()).extracting(QuorumInfo.ReplicaState::replicaId)
                    .containsExactlyInAnyOrder(1, 3));
            admin.createTopics(List.of(new NewTopic("after-join", 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
        // Kafka's tool on the joined controller's listener: both voters, the first one leading.
        KafkaDistribution.Result status = KafkaDistribution.run(QUORUM_COMMAND, List.of("--bootstrap-controller",
                "127.0.0.1:" + controllerPorts.get(1), "describe", "--status"));
        assertThat(status.exitCode()).as("errors: %s", status.errors()).isZero();
        assertThat(status.output()).containsPattern("LeaderId: +1\n").contains("\"id\": 3");
    }

    /** Kafka's {@code config/controller.properties} shape on the given port. */
    private Map<String, String> controllerConfig(int id, int port, String bootstrapServers) {
        Map<String, String> config = new HashMap<>();
        config.put("node.id", Integer.toString(id));
        config.put("process.roles", "controller");
        config.put("listeners", "CONTROLLER://127.0.0.1:" + port);
        config.put("controller.listener.names", "CONTROLLER");
        config.put("controller.quorum.bootstrap.servers", bootstrapServers);
        config.put("log.dirs", root.resolve("node-" + id).toString());
        return config;
    }

    private int format(int id, Map<String, String> config, String clusterId, String quorumOption) throws Exception {
        Path file = root.resolve("node-" + id + ".properties");
        Properties properties = new Properties();
        properties.putAll(config);
        try (var out = Files.newBufferedWriter(file)) {
            properties.store(out, null);
        }
        List<String> arguments = new ArrayList<>(List.of("format", "--cluster-id", clusterId, "--config",
                file.toString()));
        if (quorumOption != null) {
            arguments.add(quorumOption);
        }
        return FjordCli.run(arguments.toArray(String[]::new));
    }

    private FjordNode start(Map<String, String> config) throws InterruptedException {
        FjordNode node = new FjordNode(NodeConfig.fromProperties(config), InstantSource.system());
        nodes.add(node);
        node.start();
        return node;
    }
}
