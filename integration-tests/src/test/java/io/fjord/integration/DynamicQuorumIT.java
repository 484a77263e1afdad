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
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
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
 * A dynamic controller quorum (KIP-853) grown as an operator grows one with Kafka's tools, on three nodes (node 1 a
 * child JVM, nodes 2 and 3 in process), each a broker and a controller: node 1 formatted {@code --standalone}, nodes 2
 * and 3 {@code --no-initial-controllers}, every node with {@code controller.quorum.bootstrap.servers} and no
 * {@code controller.quorum.voters}. Nodes 2 and 3 find the leader through the bootstrap servers and observe; the Admin
 * client adds node 2 with {@code addRaftVoter} and Kafka 4.4's {@code kafka-metadata-quorum add-controller} adds node
 * 3 (both sent to a broker, which forwards them to the Raft leader); node 1, the leader, is killed with SIGKILL, the
 * two others elect a leader and metadata changes keep committing; {@code kafka-metadata-quorum remove-controller} then
 * removes the killed one, and a voter restarts from its log. DescribeQuorum is checked at each step. Time bounds are
 * liveness bounds for a busy machine.
 */
class DynamicQuorumIT {
    private static final Duration BOUND = Duration.ofSeconds(120);
    private static final String QUORUM_COMMAND = "org.apache.kafka.tools.MetadataQuorumCommand";

    @TempDir
    Path root;

    private final Map<Integer, FjordNode> nodes = new TreeMap<>();
    /** Node 1, the first leader, runs in a child JVM so that it can be killed with SIGKILL. */
    private Process first;
    private int firstClientPort;

    @AfterEach
    void stopNodes() {
        if (first != null) {
            first.destroyForcibly();
        }
        nodes.values().forEach(FjordNode::stop);
    }

    @Test
    void controllersAreAddedAndRemovedAndTheQuorumSurvivesItsFirstLeader() throws Exception {
        List<Integer> ports = FjordTestCluster.freePorts(4);
        List<Integer> controllerPorts = ports.subList(0, 3);
        firstClientPort = ports.get(3);
        String bootstrapServers = controllerPorts.stream().map(port -> "127.0.0.1:" + port)
                .collect(Collectors.joining(","));
        String clusterId = org.apache.kafka.common.Uuid.randomUuid().toString();
        Map<Integer, Map<String, String>> configs = new HashMap<>();
        for (int id = 1; id <= 3; id++) {
            Map<String, String> config = new HashMap<>();
            config.put("node.id", Integer.toString(id));
            config.put("process.roles", "broker,controller");
            config.put("listeners", "PLAINTEXT://127.0.0.1:" + (id == 1 ? firstClientPort : 0)
                    + ",CONTROLLER://127.0.0.1:" + controllerPorts.get(id - 1));
            config.put("controller.listener.names", "CONTROLLER");
            config.put("controller.quorum.bootstrap.servers", bootstrapServers);
            config.put("log.dirs", root.resolve("node-" + id).toString());
            configs.put(id, config);
            assertThat(format(id, config, clusterId, id == 1 ? "--standalone" : "--no-initial-controllers"))
                    .as("fjord format of node %d", id).isZero();
        }
        Map<Integer, UUID> directoryIds = new HashMap<>();
        for (int id = 1; id <= 3; id++) {
            directoryIds.put(id, MetaProperties.read(root.resolve("node-" + id)).orElseThrow().directoryId()
                    .orElseThrow());
        }

        startChild(clusterId);
        try (Admin admin = admin(1)) {
            QuorumInfo quorum = describe(admin);
            assertThat(quorum.leaderId()).isEqualTo(1);
            assertThat(voters(quorum)).containsExactly(Map.entry(1, directoryIds.get(1)));
            assertThat(quorum.nodes().get(1).endpoints()).extracting(RaftVoterEndpoint::port)
                    .containsExactly(controllerPorts.get(0));
        }

        // Nodes 2 and 3 find the leader through the bootstrap servers and start as observers.
        start(2, configs.get(2));
        start(3, configs.get(3));
        try (Admin admin = admin(2)) {
            await().atMost(BOUND).untilAsserted(() -> assertThat(describe(admin).observers())
                    .extracting(QuorumInfo.ReplicaState::replicaId).contains(2, 3));
            // The leader reports when each observer and voter last fetched and was caught up, as Kafka does.
            await().atMost(BOUND).untilAsserted(() -> {
                long beforeMs = System.currentTimeMillis();
                QuorumInfo quorum = describe(admin);
                long afterMs = System.currentTimeMillis();
                QuorumTimestamps.assertRecent(quorum.voters(), beforeMs, afterMs);
                QuorumTimestamps.assertRecent(quorum.observers(), beforeMs, afterMs);
            });
            // A replica not yet caught up is refused REQUEST_TIMED_OUT, as in Kafka: asked again until added.
            await().atMost(BOUND).ignoreExceptions().untilAsserted(() -> admin.addRaftVoter(2,
                    uuid(directoryIds.get(2)), Set.of(new RaftVoterEndpoint("CONTROLLER", "127.0.0.1",
                            controllerPorts.get(1)))).all().get(60, TimeUnit.SECONDS));
            await().atMost(BOUND).untilAsserted(() -> assertThat(voters(describe(admin))).containsKey(2));
            // Node 3 with Kafka's own tool, run as an operator runs it on the new controller: its configuration
            // gives the node id, the directory id (from meta.properties) and the advertised controller endpoint.
            await().atMost(BOUND).untilAsserted(() -> {
                KafkaDistribution.Result added = KafkaDistribution.run(QUORUM_COMMAND, List.of("--bootstrap-server",
                        brokerAddress(2), "--command-config", root.resolve("node-3.properties").toString(),
                        "add-controller"));
                assertThat(added.exitCode()).as(added.output() + added.errors()).isZero();
            });
            await().atMost(BOUND).untilAsserted(() -> assertThat(voters(describe(admin))).containsKey(3));
            QuorumInfo quorum = describe(admin);
            assertThat(voters(quorum)).isEqualTo(Map.of(1, directoryIds.get(1), 2, directoryIds.get(2), 3,
                    directoryIds.get(3)));
            assertThat(quorum.nodes().keySet()).containsExactlyInAnyOrder(1, 2, 3);
            assertThat(quorum.nodes().get(3).endpoints()).extracting(RaftVoterEndpoint::port)
                    .containsExactly(controllerPorts.get(2));
            admin.createTopics(List.of(new NewTopic("before", 3, (short) 3))).all().get(60, TimeUnit.SECONDS);
        }

        // kill -9 of the original leader: nodes 2 and 3 are a majority of the three voters and elect a leader.
        first.toHandle().destroyForcibly();
        first.onExit().get(60, TimeUnit.SECONDS);
        try (Admin admin = admin(2)) {
            await().atMost(BOUND).ignoreExceptions().untilAsserted(() -> assertThat(describe(admin).leaderId())
                    .isIn(2, 3));
            await().atMost(BOUND).ignoreExceptions().untilAsserted(() -> admin.createTopics(List.of(
                    new NewTopic("after", 2, (short) 2))).all().get(60, TimeUnit.SECONDS));
            // Each broker serves Metadata from its own image, which may be a moment behind the controller's.
            await().atMost(BOUND).untilAsserted(() -> assertThat(admin.listTopics().names().get(60, TimeUnit.SECONDS))
                    .contains("before", "after"));

            KafkaDistribution.Result removed = KafkaDistribution.run(QUORUM_COMMAND, List.of("--bootstrap-server",
                    brokerAddress(3), "remove-controller", "--controller-id", "1",
                    // One argument with '=': a base64 id may start with '-', which the tool's parser takes for an option.
                    "--controller-directory-id=" + uuid(directoryIds.get(1))));
            assertThat(removed.exitCode()).as(removed.output() + removed.errors()).isZero();
            await().atMost(BOUND).untilAsserted(() -> assertThat(voters(describe(admin)))
                    .isEqualTo(Map.of(2, directoryIds.get(2), 3, directoryIds.get(3))));
            // The two voters left commit on their own.
            admin.createTopics(List.of(new NewTopic("removed", 1, (short) 2))).all().get(60, TimeUnit.SECONDS);
        }

        // A voter restarts from its log (the voter set with endpoints) and the two commit again.
        nodes.remove(3).stop();
        start(3, configs.get(3));
        try (Admin admin = admin(3)) {
            await().atMost(BOUND).ignoreExceptions().untilAsserted(() -> assertThat(voters(describe(admin)))
                    .isEqualTo(Map.of(2, directoryIds.get(2), 3, directoryIds.get(3))));
            await().atMost(BOUND).ignoreExceptions().untilAsserted(() -> admin.createTopics(List.of(
                    new NewTopic("restarted", 1, (short) 2))).all().get(60, TimeUnit.SECONDS));
        }
    }

    /**
     * Kafka's single-node quick start: {@code controller.quorum.bootstrap.servers} naming the node's own controller
     * listener, formatted {@code --standalone} (a voter with its directory id), or not formatted at all (started on
     * empty directories as before dynamic quorums: a voter without one). Both lead alone and take metadata changes.
     */
    @Test
    void kafkasSingleNodeFileRunsAQuorumOfOneFormattedStandaloneOrNot() throws Exception {
        List<Integer> ports = FjordTestCluster.freePorts(2);
        for (int id = 1; id <= 2; id++) {
            Map<String, String> config = new HashMap<>();
            config.put("node.id", Integer.toString(id));
            config.put("process.roles", "broker,controller");
            config.put("listeners", "PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:" + ports.get(id - 1));
            config.put("controller.listener.names", "CONTROLLER");
            config.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + ports.get(id - 1));
            config.put("log.dirs", root.resolve("node-" + id).toString());
            UUID expectedDirectory = new UUID(0, 0); // unformatted: a voter without a directory id
            if (id == 1) {
                assertThat(format(id, config, org.apache.kafka.common.Uuid.randomUuid().toString(), "--standalone"))
                        .isZero();
                expectedDirectory = MetaProperties.read(root.resolve("node-1")).orElseThrow().directoryId()
                        .orElseThrow();
            }
            start(id, config);
            try (Admin admin = admin(id)) {
                QuorumInfo quorum = describe(admin);
                assertThat(quorum.leaderId()).isEqualTo(id);
                assertThat(voters(quorum)).isEqualTo(Map.of(id, expectedDirectory));
                admin.createTopics(List.of(new NewTopic("single", 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
            }
        }
    }

    private int format(int id, Map<String, String> config, String clusterId, String quorumOption)
            throws IOException {
        Path file = root.resolve("node-" + id + ".properties");
        Properties properties = new Properties();
        properties.putAll(config);
        try (var out = Files.newBufferedWriter(file)) {
            properties.store(out, null);
        }
        return FjordCli.run("format", "--cluster-id", clusterId, "--config", file.toString(), quorumOption);
    }

    private void start(int id, Map<String, String> config) throws InterruptedException {
        FjordNode node = new FjordNode(NodeConfig.fromProperties(config), InstantSource.system());
        nodes.put(id, node);
        node.start();
    }

    /** Starts node 1 in a child JVM ({@code fjord start}) and waits for its ready line. */
    private void startChild(String clusterId) throws IOException {
        Path logback = root.resolve("logback.xml");
        Files.writeString(logback, "<configuration><appender name=\"OUT\" class=\"ch.qos.logback.core.ConsoleAppender\">"
                + "<encoder><pattern>%d{HH:mm:ss.SSS} %level %logger - %msg%n</pattern></encoder></appender>"
                + "<root level=\"INFO\"><appender-ref ref=\"OUT\"/></root></configuration>");
        Path output = root.resolve("node-1.out");
        first = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dlogback.configurationFile=" + logback, "-cp",
                System.getProperty("java.class.path"), "io.fjord.server.FjordCli", "start", "--config",
                root.resolve("node-1.properties").toString()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        String ready = "Fjord node 1 of cluster " + clusterId + " is ready";
        await().atMost(BOUND).pollInterval(Duration.ofMillis(200))
                .until(() -> !first.isAlive() || Files.readString(output).contains(ready));
        assertThat(first.isAlive()).as("node 1 is running:%n%s", Files.readString(output)).isTrue();
    }

    private String brokerAddress(int id) {
        return "127.0.0.1:" + (nodes.containsKey(id) ? nodes.get(id).boundAddress("PLAINTEXT").getPort()
                : firstClientPort);
    }

    private Admin admin(int id) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokerAddress(id),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000"));
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

    private static Uuid uuid(UUID id) {
        return new Uuid(id.getMostSignificantBits(), id.getLeastSignificantBits());
    }
}
