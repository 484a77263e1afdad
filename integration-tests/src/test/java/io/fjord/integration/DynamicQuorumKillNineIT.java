package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a controller on a dynamic quorum (KIP-853), in child processes: three controller-only nodes formatted
 * with {@code --initial-controllers} and two broker-only nodes, all finding the quorum through
 * {@code controller.quorum.bootstrap.servers}. The active controller is killed with SIGKILL; the two other voters
 * elect a new leader and keep taking metadata changes (a topic is created and its partitions get leaders); the killed
 * controller restarts on its log and DescribeQuorum shows it a voter again, with the same directory id, caught up
 * with the leader. Time bounds are liveness bounds for a busy machine.
 */
class DynamicQuorumKillNineIT {
    private static final Duration BOUND = Duration.ofSeconds(120);
    private static final List<Integer> CONTROLLERS = List.of(1, 2, 3);

    @TempDir
    Path root;

    @Test
    void aKilledControllerOfADynamicQuorumIsReplacedAsLeaderAndRejoinsCaughtUp() throws Exception {
        try (FjordProcessCluster cluster = FjordProcessCluster.startIsolatedDynamic(root, 3, 2, Map.of(
                "offsets.topic.replication.factor", "2"))) {
            String brokers = cluster.runningBootstrapServers();
            try (Admin admin = cluster.admin(brokers)) {
                QuorumInfo quorum = describe(admin);
                assertThat(quorum.voters()).extracting(QuorumInfo.ReplicaState::replicaId)
                        .containsExactlyInAnyOrderElementsOf(CONTROLLERS);
                Map<Integer, Uuid> directories = directories(quorum);
                assertThat(directories.values()).doesNotContain(Uuid.ZERO_UUID);
                admin.createTopics(List.of(new NewTopic("before", 2, (short) 2))).all().get(60, TimeUnit.SECONDS);

                int killed = cluster.activeController();
                assertThat(killed).isIn(CONTROLLERS);
                cluster.kill(killed);
                await().atMost(BOUND).pollInterval(Duration.ofMillis(200)).until(() -> {
                    int next = cluster.activeController();
                    return next != -1 && next != killed;
                });
                // Metadata changes go on: a new topic, whose partitions the new active controller gives leaders.
                await().atMost(BOUND).ignoreExceptions().untilAsserted(() -> admin.createTopics(List.of(
                        new NewTopic("after-kill", 2, (short) 2))).all().get(60, TimeUnit.SECONDS));
                await().atMost(BOUND).ignoreExceptions().untilAsserted(() ->
                        assertThat(leaders(admin, "after-kill")).hasSize(2).allMatch(leader -> leader >= 4));

                cluster.startNode(killed);
                cluster.awaitReady(killed);
                admin.createTopics(List.of(new NewTopic("after-restart", 1, (short) 2))).all()
                        .get(60, TimeUnit.SECONDS);
                // Caught up: its log end reaches the leader's after a change made since the restart (Fjord's
                // DescribeQuorum does not report lastCaughtUpTimestamp yet).
                long target = leaderEndOffset(describe(admin));
                await().atMost(BOUND).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                    QuorumInfo now = describe(admin);
                    assertThat(directories(now)).as("the same voters, directory ids included").isEqualTo(directories);
                    QuorumInfo.ReplicaState rejoined = voter(now, killed).orElseThrow();
                    assertThat(rejoined.logEndOffset()).as("the restarted voter's log end").isGreaterThanOrEqualTo(
                            target);
                });
            }
        }
    }

    private static QuorumInfo describe(Admin admin) throws Exception {
        return admin.describeMetadataQuorum().quorumInfo().get(60, TimeUnit.SECONDS);
    }

    private static Map<Integer, Uuid> directories(QuorumInfo quorum) {
        return quorum.voters().stream().collect(Collectors.toMap(QuorumInfo.ReplicaState::replicaId,
                QuorumInfo.ReplicaState::replicaDirectoryId));
    }

    private static Optional<QuorumInfo.ReplicaState> voter(QuorumInfo quorum, int id) {
        return quorum.voters().stream().filter(voter -> voter.replicaId() == id).findFirst();
    }

    private static long leaderEndOffset(QuorumInfo quorum) {
        return voter(quorum, quorum.leaderId()).orElseThrow().logEndOffset();
    }

    /** The leader of each partition of the topic (-1 for none). */
    private static List<Integer> leaders(Admin admin, String topic) throws Exception {
        TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                .get(30, TimeUnit.SECONDS).get(topic);
        return description.partitions().stream().map(TopicPartitionInfo::leader)
                .map(leader -> leader == null ? -1 : leader.id()).toList();
    }
}
