package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fjord.server.FjordCli;
import io.fjord.server.FjordNode;
import io.fjord.server.NodeConfig;
import io.fjord.storage.MetaProperties;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.admin.RaftVoterEndpoint;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A static quorum (KIP-853's {@code kraft.version} 0) made dynamic as an operator does it with Kafka 4.4's tools, in
 * process: three broker-and-controller nodes with {@code controller.quorum.voters} report {@code kraft.version} 0
 * (supported 0-1); {@code kafka-features upgrade --feature kraft.version=1} makes the voter set the log's, with every
 * voter's directory id and endpoint (each voter told the leader with UpdateRaftVoter); {@code kafka-metadata-quorum
 * add-controller} then adds a fourth controller, configured with {@code controller.quorum.bootstrap.servers}; that
 * voter restarts on another controller port and DescribeQuorum shows its new endpoint (it told the leader with
 * UpdateRaftVoter). A downgrade is refused. Time bounds are liveness bounds for a busy machine.
 */
class KraftVersionUpgradeIT {
    private static final Duration BOUND = Duration.ofSeconds(120);
    private static final String FEATURE_COMMAND = "org.apache.kafka.tools.FeatureCommand";
    private static final String QUORUM_COMMAND = "org.apache.kafka.tools.MetadataQuorumCommand";
    private static final String KRAFT_VERSION = "kraft.version";

    @TempDir
    Path root;

    private final Map<Integer, FjordNode> nodes = new TreeMap<>();

    @AfterEach
    void stopNodes() {
        nodes.values().forEach(FjordNode::stop);
    }

    @Test
    void aStaticQuorumIsUpgradedToKraftVersionOneThenGrownAndAVoterMovesToAnotherPort() throws Exception {
        List<Integer> ports = FjordTestCluster.freePorts(5);
        String voters = "1@127.0.0.1:" + ports.get(0) + ",2@127.0.0.1:" + ports.get(1) + ",3@127.0.0.1:"
                + ports.get(2);
        String clusterId = Uuid.randomUuid().toString();
        // A static voter waits for a leader in its start: the three start together.
        java.util.concurrent.ExecutorService starters = java.util.concurrent.Executors.newFixedThreadPool(3);
        List<java.util.concurrent.Future<?>> started = new java.util.ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            Map<String, String> config = config(id, ports.get(id - 1));
            config.put("controller.quorum.voters", voters);
            assertThat(format(id, config, clusterId, null)).as("fjord format of node %d", id).isZero();
            FjordNode node = new FjordNode(NodeConfig.fromProperties(config), InstantSource.system());
            nodes.put(id, node);
            started.add(starters.submit(() -> {
                node.start();
                return null;
            }));
        }
        for (java.util.concurrent.Future<?> future : started) {
            future.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        }
        starters.shutdown();

        try (Admin admin = admin(1)) {
            // kraft.version 0: supported 0-1, not finalized (Kafka leaves level 0 out).
            await().atMost(BOUND).ignoreExceptions().untilAsserted(() -> {
                var features = admin.describeFeatures().featureMetadata().get(60, TimeUnit.SECONDS);
                assertThat(features.supportedFeatures().get(KRAFT_VERSION).maxVersion()).isEqualTo((short) 1);
                assertThat(features.finalizedFeatures()).doesNotContainKey(KRAFT_VERSION);
            });
            QuorumInfo before = describe(admin);
            assertThat(voters(before).values()).containsOnly(new UUID(0, 0));

            // Every voter told the leader its directory and endpoint (UpdateRaftVoter), so the upgrade is accepted
            // once they all did (a voter that has not yet is refused INVALID_UPDATE_VERSION: asked again).
            await().atMost(BOUND).untilAsserted(() -> {
                KafkaDistribution.Result upgrade = KafkaDistribution.run(FEATURE_COMMAND, List.of(
                        "--bootstrap-server", brokerAddress(1), "upgrade", "--feature", KRAFT_VERSION + "=1"));
                assertThat(upgrade.exitCode()).as(upgrade.output() + upgrade.errors()).isZero();
            });
            for (int id = 1; id <= 3; id++) {
                int node = id;
                try (Admin each = admin(node)) {
                    await().atMost(BOUND).until(() -> finalizedKraftVersion(each).equals(Optional.of((short) 1)));
                }
            }
            Map<Integer, UUID> expected = new TreeMap<>();
            for (int id = 1; id <= 3; id++) {
                expected.put(id, directoryId(id));
            }
            await().atMost(BOUND).untilAsserted(() -> assertThat(voters(describe(admin))).isEqualTo(expected));
            QuorumInfo upgraded = describe(admin);
            for (int id = 1; id <= 3; id++) {
                assertThat(upgraded.nodes().get(id).endpoints()).extracting(RaftVoterEndpoint::port)
                        .containsExactly(ports.get(id - 1));
            }

            KafkaDistribution.Result downgrade = KafkaDistribution.run(FEATURE_COMMAND, List.of(
                    "--bootstrap-server", brokerAddress(1), "downgrade", "--feature", KRAFT_VERSION + "=0"));
            assertThat(downgrade.exitCode()).as("a downgrade is refused: " + downgrade.output()).isNotZero();
            assertThat(downgrade.output() + downgrade.errors()).contains("Can't downgrade the version of this"
                    + " feature.");
            assertThat(finalizedKraftVersion(admin)).contains((short) 1);
        }

        // A fourth controller with bootstrap servers joins as an observer and is added with Kafka's tool.
        String bootstrap = ports.subList(0, 3).stream().map(port -> "127.0.0.1:" + port)
                .collect(Collectors.joining(","));
        Map<String, String> fourth = config(4, ports.get(3));
        fourth.put("controller.quorum.bootstrap.servers", bootstrap);
        assertThat(format(4, fourth, clusterId, "--no-initial-controllers")).isZero();
        start(4, fourth);
        try (Admin admin = admin(2)) {
            await().atMost(BOUND).untilAsserted(() -> {
                KafkaDistribution.Result added = KafkaDistribution.run(QUORUM_COMMAND, List.of("--bootstrap-server",
                        brokerAddress(2), "--command-config", root.resolve("node-4.properties").toString(),
                        "add-controller"));
                assertThat(added.exitCode()).as(added.output() + added.errors()).isZero();
            });
            await().atMost(BOUND).untilAsserted(() -> assertThat(voters(describe(admin))).containsEntry(4,
                    directoryId(4)).hasSize(4));
            assertThat(describe(admin).nodes().get(4).endpoints()).extracting(RaftVoterEndpoint::port)
                    .containsExactly(ports.get(3));
            admin.createTopics(List.of(new NewTopic("grown", 2, (short) 3))).all().get(60, TimeUnit.SECONDS);
        }

        // Voter 4 restarts on another controller port: it tells the leader (UpdateRaftVoter), which commits it.
        nodes.remove(4).stop();
        Map<String, String> moved = config(4, ports.get(4));
        moved.put("controller.quorum.bootstrap.servers", bootstrap);
        start(4, moved);
        try (Admin admin = admin(1)) {
            await().atMost(BOUND).ignoreExceptions().untilAsserted(() -> assertThat(describe(admin).nodes().get(4)
                    .endpoints()).extracting(RaftVoterEndpoint::port).containsExactly(ports.get(4)));
            assertThat(voters(describe(admin))).hasSize(4);
            await().atMost(BOUND).ignoreExceptions().untilAsserted(() -> admin.createTopics(List.of(
                    new NewTopic("moved", 1, (short) 3))).all().get(60, TimeUnit.SECONDS));
        }
    }

    private Map<String, String> config(int id, int controllerPort) {
        Map<String, String> config = new HashMap<>();
        config.put("node.id", Integer.toString(id));
        config.put("process.roles", "broker,controller");
        config.put("listeners", "PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:" + controllerPort);
        config.put("controller.listener.names", "CONTROLLER");
        config.put("log.dirs", root.resolve("node-" + id).toString());
        return config;
    }

    private int format(int id, Map<String, String> config, String clusterId, String quorumOption)
            throws IOException {
        Path file = root.resolve("node-" + id + ".properties");
        Properties properties = new Properties();
        properties.putAll(config);
        try (var out = Files.newBufferedWriter(file)) {
            properties.store(out, null);
        }
        return quorumOption == null ? FjordCli.run("format", "--cluster-id", clusterId, "--config", file.toString())
                : FjordCli.run("format", "--cluster-id", clusterId, "--config", file.toString(), quorumOption);
    }

    private void start(int id, Map<String, String> config) throws InterruptedException {
        FjordNode node = new FjordNode(NodeConfig.fromProperties(config), InstantSource.system());
        nodes.put(id, node);
        node.start();
    }

    private UUID directoryId(int id) throws IOException {
        return MetaProperties.read(root.resolve("node-" + id)).orElseThrow().directoryId().orElseThrow();
    }

    private String brokerAddress(int id) {
        return "127.0.0.1:" + nodes.get(id).boundAddress("PLAINTEXT").getPort();
    }

    private Admin admin(int id) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokerAddress(id),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000"));
    }

    private static Optional<Short> finalizedKraftVersion(Admin admin) throws Exception {
        FinalizedVersionRange range = admin.describeFeatures().featureMetadata().get(60, TimeUnit.SECONDS)
                .finalizedFeatures().get(KRAFT_VERSION);
        return Optional.ofNullable(range).map(FinalizedVersionRange::maxVersionLevel);
    }

    private static QuorumInfo describe(Admin admin) throws InterruptedException, ExecutionException,
            java.util.concurrent.TimeoutException {
        return admin.describeMetadataQuorum().quorumInfo().get(60, TimeUnit.SECONDS);
    }

    /** The voters DescribeQuorum lists, with their directory ids. */
    private static Map<Integer, UUID> voters(QuorumInfo quorum) {
        Map<Integer, UUID> result = new TreeMap<>();
        for (QuorumInfo.ReplicaState voter : quorum.voters()) {
            Uuid directory = voter.replicaDirectoryId();
            result.put(voter.replicaId(), new UUID(directory.getMostSignificantBits(),
                    directory.getLeastSignificantBits()));
        }
        return result;
    }
}
