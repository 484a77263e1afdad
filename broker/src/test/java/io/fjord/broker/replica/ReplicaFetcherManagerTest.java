package io.fjord.broker.replica;

import static io.fjord.broker.replica.ReplicaLogs.appendAsLeader;
import static io.fjord.broker.replica.ReplicaLogs.bytesFrom;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fjord.storage.PartitionLog;
import io.fjord.storage.TopicPartition;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The manager with real fetcher threads against in-memory leaders. */
class ReplicaFetcherManagerTest {
    private static final UUID TOPIC_ID = UUID.randomUUID();
    private static final TopicPartition PARTITION = new TopicPartition("orders", 0);
    /** Liveness bound on a busy machine, not a performance claim. */
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path leaderDirectory;
    @TempDir
    Path followerDirectory;

    private final Map<Integer, InMemoryLeader> leaders = new HashMap<>();
    private ReplicaLogs leaderLogs;
    private ReplicaLogs followerLogs;
    private ReplicaFetcherManager manager;

    @BeforeEach
    void setUp() {
        leaderLogs = new ReplicaLogs(leaderDirectory);
        followerLogs = new ReplicaLogs(followerDirectory);
        leaders.put(1, new InMemoryLeader());
        leaders.put(3, new InMemoryLeader());
    }

    @AfterEach
    void tearDown() {
        if (manager != null) {
            manager.close();
        }
        leaderLogs.close();
        followerLogs.close();
    }

    private ReplicaFetcherManager manager(int fetchersPerSourceBroker) {
        ReplicaFetcherConfig config = ReplicaFetcherConfig.withDefaults().withFetchBackoffMs(50)
                .withFetchersPerSourceBroker(fetchersPerSourceBroker);
        manager = new ReplicaFetcherManager(2, () -> 7L, config, followerLogs.logManager::getLog,
                (leaderId, fetcherIndex) -> leaders.get(leaderId), partition -> { }, InstantSource.system());
        return manager;
    }

    @Test
    void aNewLeaderTakesThePartitionOverAndTheOldFetcherStops() {
        PartitionLog leaderLog = leaderLogs.log(PARTITION);
        PartitionLog followerLog = followerLogs.log(PARTITION);
        appendAsLeader(leaderLog, 5, "a");
        leaders.get(1).lead(PARTITION, TOPIC_ID, leaderLog, 5);
        manager(1).start();
        manager.addPartitions(Map.of(PARTITION, new InitialFetchState(TOPIC_ID, 1, 5, 0)));
        await().atMost(WAIT).until(() -> followerLog.logEndOffset() == 1);

        // Broker 3 now leads at epoch 6 (the same log, as if it had all of it) and writes more.
        leaders.get(3).lead(PARTITION, TOPIC_ID, leaderLog, 6);
        appendAsLeader(leaderLog, 6, "b", "c");
        manager.addPartitions(Map.of(PARTITION, new InitialFetchState(TOPIC_ID, 3, 6, 1)));
        int fetchesFromOldLeader = leaders.get(1).fetches().size();

        await().atMost(WAIT).until(() -> followerLog.logEndOffset() == 3);
        assertThat(bytesFrom(followerLog, 0)).isEqualTo(bytesFrom(leaderLog, 0));
        assertThat(manager.leaders()).isEqualTo(Map.of(PARTITION, 3));
        assertThat(manager.fetcherCount()).isEqualTo(1);
        assertThat(leaders.get(1).fetches()).hasSize(fetchesFromOldLeader);
        assertThat(leaders.get(3).fetches().get(0).topics().get(0).partitions().get(0).currentLeaderEpoch())
                .isEqualTo(6);

        manager.removePartitions(Set.of(PARTITION));
        assertThat(manager.fetcherCount()).isZero();
        assertThat(manager.leaders()).isEmpty();
    }

    @Test
    void partitionsSpreadOverTheFetchersOfALeaderByKafkasHash() {
        manager(2).start();
        Map<TopicPartition, InitialFetchState> partitions = new HashMap<>();
        for (int index = 0; index < 4; index++) {
            TopicPartition partition = new TopicPartition("orders", index);
            PartitionLog leaderLog = leaderLogs.log(partition);
            followerLogs.log(partition);
            leaders.get(1).lead(partition, TOPIC_ID, leaderLog, 5);
            partitions.put(partition, new InitialFetchState(TOPIC_ID, 1, 5, 0));
            // abs(31 * hash("orders") + index) % 2 alternates with the partition index.
            assertThat(ReplicaFetcherManager.fetcherIndex(partition, 2))
                    .isEqualTo(Math.abs(31 * "orders".hashCode() + index) % 2);
        }
        manager.addPartitions(partitions);
        assertThat(manager.fetcherCount()).isEqualTo(2);
        manager.removePartitions(Set.of(new TopicPartition("orders", 0), new TopicPartition("orders", 2)));
        assertThat(manager.fetcherCount()).isEqualTo(1);
    }
}
