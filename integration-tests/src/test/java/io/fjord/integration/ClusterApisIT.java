package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fjord.storage.Base64Uuids;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.FeatureUpdate;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.UpdateFeaturesOptions;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.BrokerIdNotRegisteredException;
import org.apache.kafka.common.errors.ElectionNotNeededException;
import org.apache.kafka.common.errors.InvalidUpdateVersionException;
import org.apache.kafka.common.errors.NoReassignmentInProgressException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #11's cluster APIs on three in-process nodes (each a broker and a voter), driven through any node by the
 * Admin client and by Kafka 4.4's own tools in child JVMs: DescribeQuorum ({@code kafka-metadata-quorum}, through a
 * broker and through a controller listener), ElectLeaders ({@code kafka-leader-election}), UnregisterBroker, feature
 * levels ({@code kafka-features}) and partition reassignments ({@code kafka-reassign-partitions}). Time bounds are
 * liveness bounds for a busy machine.
 */
class ClusterApisIT {
    private static final Duration BOUND = Duration.ofSeconds(90);
    private static final String QUORUM_COMMAND = "org.apache.kafka.tools.MetadataQuorumCommand";
    private static final String ELECTION_COMMAND = "org.apache.kafka.tools.LeaderElectionCommand";
    private static final String FEATURE_COMMAND = "org.apache.kafka.tools.FeatureCommand";
    private static final String REASSIGN_COMMAND = "org.apache.kafka.tools.reassign.ReassignPartitionsCommand";

    @TempDir
    static Path data;

    private static FjordTestCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = FjordTestCluster.start(data, 3, Map.of());
        cluster.awaitOneController(BOUND);
        try (Admin admin = cluster.admin(1)) {
            admin.createTopics(List.of(new NewTopic("orders", 3, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** A node that is not the active controller, so its requests are forwarded. */
    private static int follower() {
        int controller = cluster.controllerId(1);
        return cluster.running().stream().filter(id -> id != controller).findFirst().orElseThrow();
    }

    private static KafkaDistribution.Result tool(String mainClass, int nodeId, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("--bootstrap-server", cluster.bootstrapServers(nodeId)));
        command.addAll(List.of(arguments));
        return KafkaDistribution.run(mainClass, command);
    }

    @Test
    void theQuorumIsDescribedThroughAnyBrokerAndThroughAControllerListener() throws Exception {
        int follower = follower();
        try (Admin admin = cluster.admin(follower)) {
            long beforeMs = System.currentTimeMillis();
            QuorumInfo quorum = admin.describeMetadataQuorum().quorumInfo().get(60, TimeUnit.SECONDS);
            long afterMs = System.currentTimeMillis();
            assertThat(quorum.leaderId()).isEqualTo(cluster.controllerId(follower));
            assertThat(quorum.voters()).extracting(QuorumInfo.ReplicaState::replicaId)
                    .containsExactlyInAnyOrder(1, 2, 3);
            assertThat(quorum.highWatermark()).isPositive();
            // The leader reports when each voter last fetched and was caught up (itself: now), as Kafka does.
            QuorumTimestamps.assertRecent(quorum.voters(), beforeMs, afterMs);
        }
        KafkaDistribution.Result status = tool(QUORUM_COMMAND, follower, "describe", "--status");
        assertThat(status.exitCode()).as("status; errors: %s", status.errors()).isZero();
        assertThat(status.output()).containsPattern("LeaderId: +" + cluster.controllerId(follower) + "\n")
                .contains("CurrentVoters:").contains("\"id\": 1").contains("\"id\": 2").contains("\"id\": 3");

        KafkaDistribution.Result replication = tool(QUORUM_COMMAND, follower, "describe", "--replication");
        assertThat(replication.exitCode()).as("replication; errors: %s", replication.errors()).isZero();
        // One row per voter (no observer: every node is a voter): the leader and two followers.
        List<String> rows = replication.output().lines().filter(line -> line.matches("\\d+\\s.*")).toList();
        assertThat(rows).as(replication.output()).hasSize(3);
        assertThat(rows.stream().filter(row -> row.strip().endsWith("Leader"))).as(replication.output()).hasSize(1);
        assertThat(rows.stream().filter(row -> row.strip().endsWith("Follower"))).as(replication.output())
                .hasSize(2);
        // Every column is known: no -1 for an offset, a lag or a last fetch or caught-up time.
        assertThat(rows).as(replication.output()).noneMatch(row -> row.matches(".*\\s-1(\\s.*)?"));

        int controllerPort = cluster.node(follower).metadataQuorum().boundAddress().getPort();
        KafkaDistribution.Result direct = KafkaDistribution.run(QUORUM_COMMAND, List.of("--bootstrap-controller",
                "127.0.0.1:" + controllerPort, "describe", "--status"));
        assertThat(direct.exitCode()).as("via the controller listener; errors: %s", direct.errors()).isZero();
        assertThat(direct.output()).containsPattern("LeaderId: +" + cluster.controllerId(follower) + "\n");
    }

    @Test
    void controllersCannotBeRemovedFromAStaticQuorum() throws Exception {
        // A static quorum refuses RemoveRaftVoter, through a broker (which forwards it) or directly, as Kafka's does.
        // The id goes with '=': a base64 id may start with '-', which the tool's parser takes for an option.
        KafkaDistribution.Result removed = tool(QUORUM_COMMAND, follower(), "remove-controller", "--controller-id",
                "3", "--controller-directory-id=" + Base64Uuids.encode(java.util.UUID.randomUUID()));
        assertThat(removed.exitCode()).isNotZero();
        assertThat(removed.output() + removed.errors()).contains("UnsupportedVersionException");
        int controllerPort = cluster.node(follower()).metadataQuorum().boundAddress().getPort();
        KafkaDistribution.Result direct = KafkaDistribution.run(QUORUM_COMMAND, List.of("--bootstrap-controller",
                "127.0.0.1:" + controllerPort, "remove-controller", "--controller-id", "3",
                "--controller-directory-id=" + Base64Uuids.encode(java.util.UUID.randomUUID())));
        assertThat(direct.exitCode()).isNotZero();
        assertThat(direct.output() + direct.errors()).contains("UnsupportedVersionException")
                .contains("dynamic quorums (KIP-853)");
        try (Admin admin = cluster.admin(1)) {
            QuorumInfo quorum = admin.describeMetadataQuorum().quorumInfo().get(60, TimeUnit.SECONDS);
            assertThat(quorum.voters()).extracting(QuorumInfo.ReplicaState::replicaId)
                    .containsExactlyInAnyOrder(1, 2, 3);
        }
    }

    @Test
    void leaderElectionsAreDecidedByTheController() throws Exception {
        try (Admin admin = cluster.admin(follower())) {
            TopicPartition orders0 = new TopicPartition("orders", 0);
            TopicPartition missing = new TopicPartition("missing", 0);
            Map<TopicPartition, Optional<Throwable>> results = admin.electLeaders(ElectionType.PREFERRED,
                    Set.of(orders0, missing)).partitions().get(60, TimeUnit.SECONDS);
            // One replica per partition (issue #12): the preferred one leads already.
            assertThat(results.get(orders0)).containsInstanceOf(ElectionNotNeededException.class);
            assertThat(results.get(missing)).containsInstanceOf(UnknownTopicOrPartitionException.class);
        }
        KafkaDistribution.Result preferred = tool(ELECTION_COMMAND, follower(), "--election-type", "preferred",
                "--all-topic-partitions");
        // All partitions: the answer leaves out those needing no election, as Kafka's does, so nothing is printed.
        assertThat(preferred.exitCode()).as("preferred; errors: %s", preferred.errors()).isZero();
        KafkaDistribution.Result named = tool(ELECTION_COMMAND, follower(), "--election-type", "preferred",
                "--topic", "orders", "--partition", "0");
        assertThat(named.exitCode()).as("preferred, named; errors: %s", named.errors()).isZero();
        assertThat(named.output()).contains("Valid replica already elected for partitions orders-0");
        KafkaDistribution.Result unclean = tool(ELECTION_COMMAND, follower(), "--election-type", "unclean",
                "--topic", "orders", "--partition", "1");
        assertThat(unclean.exitCode()).as("unclean; errors: %s", unclean.errors()).isZero();
        assertThat(unclean.output()).contains("Valid replica already elected for partitions orders-1");
    }

    @Test
    void aStoppedBrokerIsUnregisteredThroughAnotherNode() throws Exception {
        cluster.addBroker(4, Map.of());
        try (Admin admin = cluster.admin(follower())) {
            DescribeClusterOptions withFenced = new DescribeClusterOptions().includeFencedBrokers(true);
            await().atMost(BOUND).until(() -> ids(admin.describeCluster(withFenced).nodes().get()).contains(4));
            cluster.stop(4);
            admin.unregisterBroker(4).all().get(60, TimeUnit.SECONDS);
            assertThat(ids(admin.describeCluster(withFenced).nodes().get(60, TimeUnit.SECONDS)))
                    .containsExactlyInAnyOrder(1, 2, 3);
            assertThatThrownBy(() -> admin.unregisterBroker(99).all().get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(BrokerIdNotRegisteredException.class);
        }
    }

    private void awaitTransactionVersion(short level) throws Exception {
        try (Admin admin = cluster.admin(follower())) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(admin.describeFeatures()
                    .featureMetadata().get(60, TimeUnit.SECONDS).finalizedFeatures().get("transaction.version")
                    .maxVersionLevel()).isEqualTo(level));
        }
    }

    private static Set<Integer> ids(java.util.Collection<Node> nodes) {
        Set<Integer> ids = new HashSet<>();
        nodes.forEach(node -> ids.add(node.id()));
        return ids;
    }

    @Test
    void featureLevelsAreDescribedAndOnlyTheLevelsInForceAreAccepted() throws Exception {
        KafkaDistribution.Result described = tool(FEATURE_COMMAND, follower(), "describe");
        assertThat(described.exitCode()).as("describe; errors: %s", described.errors()).isZero();
        assertThat(described.output()).contains("Feature: group.version").contains("FinalizedVersionLevel: 1")
                .contains("Feature: transaction.version");

        KafkaDistribution.Result upgrade = tool(FEATURE_COMMAND, follower(), "upgrade", "--feature",
                "transaction.version=3");
        assertThat(upgrade.exitCode()).isNotZero();
        assertThat(upgrade.output() + upgrade.errors()).contains("transaction.version")
                .contains("only supports versions 0-2");
        // transaction.version is finalized in the metadata log: a new cluster starts at 2 (Kafka 4.4's default), goes
        // down to 1 and back up to 2 on every node.
        assertThat(described.output()).containsPattern("Feature: transaction.version\\s+SupportedMinVersion: 0\\s+"
                + "SupportedMaxVersion: 2\\s+FinalizedVersionLevel: 2");
        KafkaDistribution.Result downgraded = tool(FEATURE_COMMAND, follower(), "downgrade", "--feature",
                "transaction.version=1");
        assertThat(downgraded.exitCode()).as("downgrade; errors: %s", downgraded.errors()).isZero();
        awaitTransactionVersion((short) 1);
        KafkaDistribution.Result upgraded = tool(FEATURE_COMMAND, follower(), "upgrade", "--feature",
                "transaction.version=2");
        assertThat(upgraded.exitCode()).as("upgrade; errors: %s", upgraded.errors()).isZero();
        awaitTransactionVersion((short) 2);

        try (Admin admin = cluster.admin(follower())) {
            admin.updateFeatures(Map.of("group.version", new FeatureUpdate((short) 1,
                    FeatureUpdate.UpgradeType.UPGRADE)), new UpdateFeaturesOptions()).all().get(60, TimeUnit.SECONDS);
            assertThatThrownBy(() -> admin.updateFeatures(Map.of("group.version", new FeatureUpdate((short) 0,
                    FeatureUpdate.UpgradeType.SAFE_DOWNGRADE)), new UpdateFeaturesOptions()).all()
                    .get(60, TimeUnit.SECONDS)).hasCauseInstanceOf(InvalidUpdateVersionException.class);
        }
    }

    @Test
    void aReassignmentKeepingTheReplicasCompletesAtOnceAndCancellingNoneIsRefused() throws Exception {
        // Reassignments that move data: ReassignmentIT.
        try (Admin admin = cluster.admin(follower())) {
            TopicDescription orders = admin.describeTopics(List.of("orders")).allTopicNames()
                    .get(60, TimeUnit.SECONDS).get("orders");
            TopicPartition partition0 = new TopicPartition("orders", 0);
            int owner = orders.partitions().get(0).replicas().get(0).id();
            Map<TopicPartition, org.apache.kafka.common.KafkaFuture<Void>> results = admin.alterPartitionReassignments(
                    Map.of(partition0, Optional.of(new NewPartitionReassignment(List.of(owner))),
                            new TopicPartition("orders", 1), Optional.empty())).values();
            results.get(partition0).get(60, TimeUnit.SECONDS);
            assertThatThrownBy(() -> results.get(new TopicPartition("orders", 1)).get(60, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(NoReassignmentInProgressException.class);
            assertThat(admin.listPartitionReassignments().reassignments().get(60, TimeUnit.SECONDS)).isEmpty();
        }
        KafkaDistribution.Result listed = tool(REASSIGN_COMMAND, follower(), "--list");
        assertThat(listed.exitCode()).as("list; errors: %s", listed.errors()).isZero();
        assertThat(listed.output()).contains("No partition reassignments found.");
    }
}
