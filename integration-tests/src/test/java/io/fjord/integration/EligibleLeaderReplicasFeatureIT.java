package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.FeatureUpdate;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.UpdateFeaturesOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidUpdateVersionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KIP-966's feature {@code eligible.leader.replicas.version} changed at run time through UpdateFeatures on three
 * in-process nodes: by the Admin client through a node that forwards it, and by Kafka 4.4's {@code kafka-features}
 * tool (describe, dry-run); DescribeFeatures (the nodes' ApiVersions) reports the level in force; while it is 1 a
 * replica that leaves an ISR below {@code min.insync.replicas} is kept eligible (ELR, seen through
 * DescribeTopicPartitions), while it is 0 it is not; a change of {@code min.insync.replicas} clears the ELR, and a
 * per-broker one is refused, as in Kafka 4.4. Time bounds are liveness bounds for a busy machine.
 */
class EligibleLeaderReplicasFeatureIT {
    private static final Duration BOUND = Duration.ofSeconds(90);
    private static final String ELR = "eligible.leader.replicas.version";
    private static final String FEATURE_COMMAND = "org.apache.kafka.tools.FeatureCommand";

    @TempDir
    Path data;

    private FjordTestCluster cluster;

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Optional<Short> finalizedLevel(Admin admin) throws Exception {
        FinalizedVersionRange range = admin.describeFeatures().featureMetadata().get(60, TimeUnit.SECONDS)
                .finalizedFeatures().get(ELR);
        return Optional.ofNullable(range).map(FinalizedVersionRange::maxVersionLevel);
    }

    private static TopicPartitionInfo partition(Admin admin) throws Exception {
        return admin.describeTopics(List.of("elr")).allTopicNames().get(60, TimeUnit.SECONDS).get("elr").partitions()
                .get(0);
    }

    private static List<Integer> ids(List<Node> nodes) {
        return nodes.stream().map(Node::id).toList();
    }

    private static void update(Admin admin, int level, FeatureUpdate.UpgradeType type, boolean validateOnly)
            throws Exception {
        admin.updateFeatures(Map.of(ELR, new FeatureUpdate((short) level, type)),
                new UpdateFeaturesOptions().validateOnly(validateOnly)).all().get(60, TimeUnit.SECONDS);
    }

    private static void alter(Admin admin, ConfigResource resource, String name, String value) throws Exception {
        admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(new ConfigEntry(name, value),
                AlterConfigOp.OpType.SET)))).all().get(60, TimeUnit.SECONDS);
    }

    /** The nodes' parts: the controller, the node the Admin client talks to, and the one the tests stop. */
    private record Roles(int controller, int client, int stopped) {
    }

    /**
     * Starts three nodes and creates topic "elr" with one partition on all of them and {@code min.insync.replicas=3},
     * once the new cluster has ELR on (Kafka 4.1+'s default); returns when its ISR is full.
     */
    private Roles startWithTopic() throws Exception {
        cluster = FjordTestCluster.start(data, 3, Map.of());
        int controller = cluster.awaitOneController(BOUND);
        List<Integer> others = new ArrayList<>(cluster.running().stream().filter(id -> id != controller).toList());
        Roles roles = new Roles(controller, others.get(0), others.get(1));
        try (Admin admin = cluster.admin(roles.client())) {
            await().atMost(BOUND).until(() -> finalizedLevel(admin).equals(Optional.of((short) 1)));
            admin.createTopics(List.of(new NewTopic("elr", Map.of(0, List.of(controller, roles.client(),
                    roles.stopped()))).configs(Map.of("min.insync.replicas", "3")))).all().get(60, TimeUnit.SECONDS);
            await().atMost(BOUND).until(() -> partition(admin).isr().size() == 3);
        }
        return roles;
    }

    @Test
    void aMinInsyncReplicasChangeClearsTheElrAndAPerBrokerOneIsRefused() throws Exception {
        Roles roles = startWithTopic();
        int client = roles.client();
        int stopped = roles.stopped();
        try (Admin admin = cluster.admin(client)) {
            cluster.stop(stopped);
            await().atMost(BOUND).until(() -> ids(partition(admin).elr()).contains(stopped));

            // The topic's minimum changes: its ELR (chosen under the old minimum) is cleared with the config.
            alter(admin, new ConfigResource(ConfigResource.Type.TOPIC, "elr"), "min.insync.replicas", "2");
            await().atMost(BOUND).until(() -> partition(admin).elr().isEmpty());
            assertThat(partition(admin).lastKnownElr()).isEmpty();
            assertThat(ids(partition(admin).isr())).containsExactlyInAnyOrder(roles.controller(), client);

            // A per-broker minimum is refused while ELR is on, with Kafka's error and message.
            assertThatThrownBy(() -> alter(admin, new ConfigResource(ConfigResource.Type.BROKER,
                    Integer.toString(client)), "min.insync.replicas", "2"))
                    .hasCauseInstanceOf(InvalidConfigurationException.class)
                    .hasMessageContaining("Broker-level min.insync.replicas cannot be altered while ELR is enabled.");
        }
    }

    @Test
    void theFeatureIsChangedThroughUpdateFeaturesAndTheElrFollowsIt() throws Exception {
        Roles roles = startWithTopic();
        int client = roles.client();
        int stopped = roles.stopped();
        try (Admin admin = cluster.admin(client)) {
            // Level 1: the stopped replica leaves the ISR below min ISR and stays eligible.
            cluster.stop(stopped);
            await().atMost(BOUND).until(() -> !ids(partition(admin).isr()).contains(stopped));
            assertThat(ids(partition(admin).elr())).containsExactly(stopped);
            cluster.startNodes(List.of(stopped));
            await().atMost(BOUND).until(() -> partition(admin).isr().size() == 3 && partition(admin).elr().isEmpty());

            // Invalid levels and validate-only change nothing.
            assertThatThrownBy(() -> update(admin, 2, FeatureUpdate.UpgradeType.UPGRADE, false))
                    .hasCauseInstanceOf(InvalidUpdateVersionException.class);
            update(admin, 0, FeatureUpdate.UpgradeType.SAFE_DOWNGRADE, true);
            KafkaDistribution.Result dryRun = KafkaDistribution.run(FEATURE_COMMAND, List.of("--bootstrap-server",
                    cluster.bootstrapServers(client), "downgrade", "--feature", ELR + "=0", "--dry-run"));
            assertThat(dryRun.exitCode()).as("dry run; errors: %s", dryRun.errors()).isZero();
            assertThat(finalizedLevel(admin)).contains((short) 1);

            // Level 0: every node reports it, and a replica leaving the ISR is no longer eligible.
            update(admin, 0, FeatureUpdate.UpgradeType.SAFE_DOWNGRADE, false);
            for (int node : cluster.running()) {
                try (Admin direct = cluster.admin(node)) {
                    await().atMost(BOUND).until(() -> finalizedLevel(direct).isEmpty());
                }
            }
            KafkaDistribution.Result described = KafkaDistribution.run(FEATURE_COMMAND, List.of("--bootstrap-server",
                    cluster.bootstrapServers(client), "describe"));
            assertThat(described.exitCode()).as("describe; errors: %s", described.errors()).isZero();
            assertThat(described.output()).containsPattern("Feature: " + ELR.replace(".", "\\.")
                    + "\\s+SupportedMinVersion: 0\\s+SupportedMaxVersion: 1\\s+FinalizedVersionLevel: 0");
            cluster.stop(stopped);
            await().atMost(BOUND).until(() -> !ids(partition(admin).isr()).contains(stopped));
            assertThat(partition(admin).elr()).isEmpty();
            cluster.startNodes(List.of(stopped));
            await().atMost(BOUND).until(() -> partition(admin).isr().size() == 3);

            // Level 1 again, by Kafka's tool: the ELR is maintained again.
            KafkaDistribution.Result upgrade = KafkaDistribution.run(FEATURE_COMMAND, List.of("--bootstrap-server",
                    cluster.bootstrapServers(client), "upgrade", "--feature", ELR + "=1"));
            assertThat(upgrade.exitCode()).as("upgrade; errors: %s", upgrade.errors()).isZero();
            await().atMost(BOUND).until(() -> finalizedLevel(admin).equals(Optional.of((short) 1)));
            cluster.stop(stopped);
            await().atMost(BOUND).until(() -> ids(partition(admin).elr()).contains(stopped));
            assertThat(ids(partition(admin).isr())).doesNotContain(stopped);
        }
    }
}
