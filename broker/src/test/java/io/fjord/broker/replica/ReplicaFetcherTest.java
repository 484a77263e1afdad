package io.fjord.broker.replica;

import static io.fjord.broker.replica.ReplicaLogs.appendAsLeader;
import static io.fjord.broker.replica.ReplicaLogs.bytesFrom;
import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.delayed.ManualClock;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.FetchRequestData;
import io.fjord.protocol.message.OffsetForLeaderEpochRequestData;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.TopicPartition;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One replica fetcher, driven round by round on the test's thread with a manual clock, against an in-memory leader
 * over real partition logs.
 */
class ReplicaFetcherTest {
    private static final TopicPartition PARTITION = new TopicPartition("orders", 0);
    private static final UUID TOPIC_ID = UUID.randomUUID();
    private static final int LEADER_ID = 1;
    private static final int LOCAL_ID = 2;
    private static final int LEADER_EPOCH = 5;
    private static final long BACKOFF_MS = 1000;

    @TempDir
    Path leaderDirectory;
    @TempDir
    Path followerDirectory;

    private final ManualClock clock = new ManualClock(1_000_000);
    private final InMemoryLeader leader = new InMemoryLeader();
    private final List<TopicPartition> changed = new CopyOnWriteArrayList<>();
    private ReplicaLogs leaderLogs;
    private ReplicaLogs followerLogs;
    private PartitionLog leaderLog;
    private PartitionLog followerLog;
    private ReplicaFetcher fetcher;

    @BeforeEach
    void setUp() {
        leaderLogs = new ReplicaLogs(leaderDirectory);
        followerLogs = new ReplicaLogs(followerDirectory);
        leaderLog = leaderLogs.log(PARTITION);
        followerLog = followerLogs.log(PARTITION);
        leader.lead(PARTITION, TOPIC_ID, leaderLog, LEADER_EPOCH);
        // One batch per fetch (the first batch always comes whole), so catching up takes several rounds.
        fetcher = new ReplicaFetcher(LEADER_ID, 0, LOCAL_ID, () -> 7L, new ReplicaFetcherConfig(1, 1, 1024, 500, 1,
                BACKOFF_MS, 30_000, 10_000, 1024 * 1024), followerLogs.logManager::getLog, leader, changed::add,
                clock);
        follow(LEADER_EPOCH);
    }

    @AfterEach
    void tearDown() {
        fetcher.shutdown();
        leaderLogs.close();
        followerLogs.close();
    }

    private void follow(int epoch) {
        fetcher.addPartitions(Map.of(PARTITION, new InitialFetchState(TOPIC_ID, LEADER_ID, epoch,
                followerLog.logEndOffset())));
    }

    /** Fetch rounds until the follower's log and high watermark equal the leader's (at most 50). */
    private void fetchUntilCaughtUp() throws InterruptedException {
        for (int round = 0; round < 50 && (followerLog.logEndOffset() != leaderLog.logEndOffset()
                || followerLog.highWatermark() != leaderLog.highWatermark()); round++) {
            assertThat(fetcher.doWork()).isTrue();
        }
        assertThat(followerLog.logEndOffset()).isEqualTo(leaderLog.logEndOffset());
        assertThat(followerLog.highWatermark()).isEqualTo(leaderLog.highWatermark());
    }

    private void assertIdenticalLogs() {
        assertThat(followerLog.logStartOffset()).isEqualTo(leaderLog.logStartOffset());
        assertThat(followerLog.logEndOffset()).isEqualTo(leaderLog.logEndOffset());
        assertThat(bytesFrom(followerLog, followerLog.logStartOffset()))
                .isEqualTo(bytesFrom(leaderLog, leaderLog.logStartOffset()));
        assertThat(followerLog.latestEpoch()).isEqualTo(leaderLog.latestEpoch());
    }

    /** Gives the follower the leader's first {@code offsets} offsets, as if it had fetched them earlier. */
    private void replicate(long untilOffset) {
        followerLog.appendAsFollower(java.nio.ByteBuffer.wrap(bytesFrom(leaderLog, 0)).limit(
                (int) bytesBelow(untilOffset)));
    }

    private long bytesBelow(long offset) {
        long size = 0;
        java.nio.ByteBuffer all = java.nio.ByteBuffer.wrap(bytesFrom(leaderLog, 0));
        while (size < all.limit()) {
            io.fjord.protocol.records.RecordBatch batch = new io.fjord.protocol.records.RecordBatch(all, (int) size);
            if (batch.baseOffset() >= offset) {
                break;
            }
            size += batch.sizeInBytes();
        }
        return size;
    }

    @Test
    void aThrottledPartitionNotInSyncIsLeftOutOfRequestsWhileTheFollowerQuotaIsExceeded() throws Exception {
        ReplicationQuota quota = new ReplicationQuota(11, 1000, clock);
        quota.setRateBoundBytesPerSecond(100);
        quota.setThrottledPartitions(Map.of(PARTITION.topic(), Set.of(PARTITION.partition())));
        fetcher.shutdown();
        fetcher = new ReplicaFetcher(LEADER_ID, 0, LOCAL_ID, () -> 7L, new ReplicaFetcherConfig(1, 1, 1024, 500, 1,
                BACKOFF_MS, 30_000, 10_000, 1024 * 1024), followerLogs.logManager::getLog, leader, changed::add,
                clock, quota, LogTruncation.DIRECT);
        follow(LEADER_EPOCH);
        appendAsLeader(leaderLog, LEADER_EPOCH, "a");
        appendAsLeader(leaderLog, LEADER_EPOCH, "b");
        leaderLog.updateHighWatermark(2);

        assertThat(fetcher.doWork()).as("below the bound").isTrue();
        assertThat(followerLog.logEndOffset()).isEqualTo(1);
        assertThat(quota.rateBytesPerSecond()).as("the throttled partition's bytes are counted").isPositive();

        quota.record(100_000);
        assertThat(fetcher.doWork()).as("nothing to send: the only partition is held back").isFalse();
        assertThat(followerLog.logEndOffset()).isEqualTo(1);

        clock.advance(12_000);
        fetchUntilCaughtUp();
        quota.record(100_000);
        appendAsLeader(leaderLog, LEADER_EPOCH, "c");
        assertThat(fetcher.doWork()).as("a replica in sync is never held back").isTrue();
        assertThat(followerLog.logEndOffset()).isEqualTo(3);
    }

    @Test
    void catchesUpFromAnEmptyLogWithTheLeadersOffsetsEpochsAndHighWatermark() throws Exception {
        appendAsLeader(leaderLog, 3, "a", "b");
        appendAsLeader(leaderLog, 3, "c");
        appendAsLeader(leaderLog, 5, "d", "e", "f");
        leaderLog.updateHighWatermark(3);

        fetchUntilCaughtUp();

        assertIdenticalLogs();
        assertThat(followerLog.endOffsetForEpoch(3)).contains(new io.fjord.storage.EpochEndOffset(3, 3));
        assertThat(changed).contains(PARTITION);
        FetchRequestData first = leader.fetches().get(0);
        FetchRequestData.FetchPartition asked = first.topics().get(0).partitions().get(0);
        assertThat(first.replicaState().replicaId()).isEqualTo(LOCAL_ID);
        assertThat(first.replicaState().replicaEpoch()).isEqualTo(7L);
        assertThat(first.topics().get(0).topicId()).isEqualTo(TOPIC_ID);
        assertThat(asked.fetchOffset()).isZero();
        assertThat(asked.lastFetchedEpoch()).isEqualTo(-1);
        assertThat(asked.currentLeaderEpoch()).isEqualTo(LEADER_EPOCH);
        FetchRequestData.FetchPartition last = leader.fetches().get(leader.fetches().size() - 1).topics().get(0)
                .partitions().get(0);
        assertThat(last.lastFetchedEpoch()).isEqualTo(3); // the follower's latest epoch when it asked for offset 3
        assertThat(last.fetchOffset()).isEqualTo(3);
    }

    @Test
    void keepsFetchingAndTakesTheLeadersHighWatermarkCappedToItsOwnLogEnd() throws Exception {
        appendAsLeader(leaderLog, LEADER_EPOCH, "a");
        leaderLog.updateHighWatermark(1);
        fetchUntilCaughtUp();

        appendAsLeader(leaderLog, LEADER_EPOCH, "b", "c");
        appendAsLeader(leaderLog, LEADER_EPOCH, "d");
        leaderLog.updateHighWatermark(4); // the ISR has it all, this follower not yet
        fetcher.doWork();
        assertThat(followerLog.logEndOffset()).isEqualTo(3);
        assertThat(followerLog.highWatermark()).isEqualTo(3); // min(leader's 4, own log end 3)
        fetcher.doWork();
        assertThat(followerLog.logEndOffset()).isEqualTo(4);
        assertThat(followerLog.highWatermark()).isEqualTo(4);
        assertIdenticalLogs();
    }

    @Test
    void aTruncationThroughTheLogManagerLowersTheRecoveryPointCheckpointAtOnce() throws Exception {
        // Found by the replication simulation (seed 199): a follower truncated below its checkpointed recovery
        // point, appended again without flushing and lost power; the restart took the torn re-appended tail for
        // damaged flushed data and refused the log. Kafka's fetchers truncate through the log manager, which
        // checkpoints the recovery point; so do these.
        fetcher.shutdown();
        fetcher = new ReplicaFetcher(LEADER_ID, 0, LOCAL_ID, () -> 7L, new ReplicaFetcherConfig(1, 1, 1024, 500, 1,
                BACKOFF_MS, 30_000, 10_000, 1024 * 1024), followerLogs.logManager::getLog, leader, changed::add,
                clock, new ReplicationQuota(1, 1000, clock),
                LogTruncation.through(followerLogs.logManager));
        follow(LEADER_EPOCH);
        appendAsLeader(leaderLog, 1, "a", "b", "c");
        replicate(3);
        appendAsLeader(followerLog, 1, "lost-1", "lost-2");
        followerLog.flush();
        followerLogs.logManager.checkpointRecoveryPointsOnce();
        assertThat(recoveryPointCheckpoint()).isEqualTo(5);
        appendAsLeader(leaderLog, 2, "p", "q", "r");
        leaderLog.updateHighWatermark(6);

        fetcher.doWork();

        assertThat(followerLog.logEndOffset()).isEqualTo(3);
        assertThat(recoveryPointCheckpoint()).as("checkpointed with the truncation").isEqualTo(3);
    }

    @Test
    void startingAgainAtTheLeadersLogStartGoesThroughTheLogManagerAndCheckpointsTheRecoveryPoint() throws Exception {
        // As truncateTo: the full truncation pauses the log's cleaning and checkpoints the recovery point at once,
        // rather than leaving the checkpoint of the log it replaced until the next periodic write.
        fetcher.shutdown();
        fetcher = new ReplicaFetcher(LEADER_ID, 0, LOCAL_ID, () -> 7L, new ReplicaFetcherConfig(1, 1, 1024, 500, 1,
                BACKOFF_MS, 30_000, 10_000, 1024 * 1024), followerLogs.logManager::getLog, leader, changed::add,
                clock, new ReplicationQuota(1, 1000, clock), LogTruncation.through(followerLogs.logManager));
        for (int batch = 0; batch < 5; batch++) {
            appendAsLeader(leaderLog, LEADER_EPOCH, "v" + batch, "w" + batch);
        }
        replicate(2);
        followerLog.flush();
        followerLogs.logManager.checkpointRecoveryPointsOnce();
        assertThat(recoveryPointCheckpoint()).isEqualTo(2);
        follow(LEADER_EPOCH);
        leaderLog.updateHighWatermark(10);
        leaderLog.maybeAdvanceLogStartOffset(8);

        fetcher.doWork(); // offset 2 is out of range: the leader's log starts at 8

        assertThat(followerLog.logStartOffset()).isEqualTo(8);
        assertThat(followerLog.logEndOffset()).isEqualTo(8);
        assertThat(recoveryPointCheckpoint()).as("checkpointed with the full truncation").isEqualTo(8);
        fetchUntilCaughtUp();
        assertThat(bytesFrom(followerLog, 8)).isEqualTo(bytesFrom(leaderLog, 8));
    }

    private long recoveryPointCheckpoint() {
        return new io.fjord.storage.internal.OffsetCheckpointFile(followerDirectory.resolve(
                "recovery-point-offset-checkpoint")).read().get(PARTITION);
    }

    @Test
    void truncatesAnUncommittedTailOfAnOldEpochExactlyWhereTheNewLeaderDiverged() throws Exception {
        // KIP-101: both had offsets 0-2 of epoch 1; the follower, leader in epoch 1, also wrote 3-4, which the new
        // leader (epoch 2) never got, and its high watermark covers them. Truncating by high watermark would keep
        // them; the epochs say they must go.
        appendAsLeader(leaderLog, 1, "a", "b", "c");
        replicate(3);
        appendAsLeader(followerLog, 1, "lost-1", "lost-2");
        followerLog.updateHighWatermark(5);
        appendAsLeader(leaderLog, 2, "p", "q", "r");
        leaderLog.updateHighWatermark(6);

        fetcher.doWork();

        assertThat(followerLog.logEndOffset()).isEqualTo(3);
        FetchRequestData.FetchPartition asked = leader.fetches().get(0).topics().get(0).partitions().get(0);
        assertThat(asked.lastFetchedEpoch()).isEqualTo(1);
        assertThat(asked.fetchOffset()).isEqualTo(5);
        fetchUntilCaughtUp();
        assertIdenticalLogs();
    }

    @Test
    void truncatesAnEpochTheLeaderNeverHadInTwoStepsThroughTheEpochsBothKnow() throws Exception {
        // Follower: epoch 0 [0,2), epoch 2 [2,6). Leader: epoch 0 [0,2), epoch 1 [2,4), epoch 3 [4,7).
        appendAsLeader(leaderLog, 0, "a", "b");
        replicate(2);
        appendAsLeader(followerLog, 2, "x", "y", "z", "w");
        appendAsLeader(leaderLog, 1, "c", "d");
        appendAsLeader(leaderLog, 3, "e", "f", "g");
        leaderLog.updateHighWatermark(7);

        fetcher.doWork(); // the leader's epoch 1 is unknown here: truncate to the end of epoch 0, ask again

        assertThat(followerLog.logEndOffset()).isEqualTo(2);
        assertThat(followerLog.latestEpoch()).hasValue(0);
        fetchUntilCaughtUp();
        assertIdenticalLogs();
    }

    @Test
    void startsAgainAtTheLeadersLogStartWhenItDeletedWhatThisFollowerNeeds() throws Exception {
        for (int batch = 0; batch < 5; batch++) {
            appendAsLeader(leaderLog, LEADER_EPOCH, "v" + batch, "w" + batch);
        }
        leaderLog.updateHighWatermark(10);
        leaderLog.maybeAdvanceLogStartOffset(8);

        fetcher.doWork(); // offset 0 is out of range: the leader's log starts at 8
        assertThat(followerLog.logStartOffset()).isEqualTo(8);
        assertThat(followerLog.logEndOffset()).isEqualTo(8);

        fetchUntilCaughtUp();
        assertThat(bytesFrom(followerLog, 8)).isEqualTo(bytesFrom(leaderLog, 8));
        // And the log start follows the leader's while fetching.
        leaderLog.maybeAdvanceLogStartOffset(9);
        fetcher.doWork();
        assertThat(followerLog.logStartOffset()).isEqualTo(9);
    }

    @Test
    void outOfRangeAboveTheLeadersEndIsTruncatedAfterAskingWhereItsEpochEnds() throws Exception {
        appendAsLeader(leaderLog, 1, "a", "b", "c");
        replicate(3);
        appendAsLeader(followerLog, 1, "lost");
        leader.failNextFetch(PARTITION, Errors.OFFSET_OUT_OF_RANGE);

        fetcher.doWork();

        OffsetForLeaderEpochRequestData asked = leader.requests.stream()
                .filter(OffsetForLeaderEpochRequestData.class::isInstance)
                .map(OffsetForLeaderEpochRequestData.class::cast).findFirst().orElseThrow();
        assertThat(asked.topics().get(0).partitions().get(0).leaderEpoch()).isEqualTo(1);
        assertThat(followerLog.logEndOffset()).isEqualTo(3);
        leaderLog.updateHighWatermark(3);
        fetchUntilCaughtUp();
        assertIdenticalLogs();
    }

    @Test
    void aPartitionErrorPausesThePartitionForTheBackoffOnly() throws Exception {
        appendAsLeader(leaderLog, LEADER_EPOCH, "a");
        leader.failNextFetch(PARTITION, Errors.NOT_LEADER_OR_FOLLOWER);

        assertThat(fetcher.doWork()).isTrue();
        assertThat(fetcher.doWork()).isFalse(); // backing off: nothing to send
        clock.advance(BACKOFF_MS - 1);
        assertThat(fetcher.doWork()).isFalse();
        clock.advance(1);
        assertThat(fetcher.doWork()).isTrue();
        assertThat(followerLog.logEndOffset()).isEqualTo(1);
        assertThat(leader.fetches()).hasSize(2);
    }

    @Test
    void anUnreachableLeaderPausesTheWholeFetcher() throws Exception {
        TopicPartition other = new TopicPartition("orders", 1);
        PartitionLog otherLeaderLog = leaderLogs.log(other);
        followerLogs.log(other);
        leader.lead(other, TOPIC_ID, otherLeaderLog, LEADER_EPOCH);
        fetcher.addPartitions(Map.of(other, new InitialFetchState(TOPIC_ID, LEADER_ID, LEADER_EPOCH, 0)));
        appendAsLeader(leaderLog, LEADER_EPOCH, "a");
        appendAsLeader(otherLeaderLog, LEADER_EPOCH, "b");
        leader.unreachable = true;

        assertThat(fetcher.doWork()).isTrue();
        leader.unreachable = false;
        assertThat(fetcher.doWork()).isFalse();
        clock.advance(BACKOFF_MS);
        assertThat(fetcher.doWork()).isTrue();
        assertThat(followerLog.logEndOffset()).isEqualTo(1);
        assertThat(followerLogs.logManager.getLog(other).orElseThrow().logEndOffset()).isEqualTo(1);
    }

    @Test
    void aFencedEpochParksThePartitionUntilTheMetadataMovesIt() throws Exception {
        appendAsLeader(leaderLog, LEADER_EPOCH, "a");
        follow(LEADER_EPOCH - 1); // this node's metadata is behind the leader's

        assertThat(fetcher.doWork()).isTrue();
        assertThat(fetcher.isParked(PARTITION)).isTrue();
        clock.advance(10 * BACKOFF_MS);
        assertThat(fetcher.doWork()).isFalse();

        follow(LEADER_EPOCH);
        assertThat(fetcher.doWork()).isTrue();
        assertThat(followerLog.logEndOffset()).isEqualTo(1);
    }

    @Test
    void dataThatDoesNotContinueTheLogIsNeverAppendedWithAGap() throws Exception {
        appendAsLeader(leaderLog, LEADER_EPOCH, "a");
        appendAsLeader(leaderLog, LEADER_EPOCH, "b");
        leader.answerFromWrongOffset(PARTITION, 1);

        fetcher.doWork();

        assertThat(followerLog.logEndOffset()).isZero();
        assertThat(fetcher.isParked(PARTITION)).isTrue();
    }

    @Test
    void aRemovedPartitionIsNotTouchedByTheResponseInFlight() throws Exception {
        TopicPartition kept = new TopicPartition("orders", 1);
        PartitionLog keptLeaderLog = leaderLogs.log(kept);
        PartitionLog keptFollowerLog = followerLogs.log(kept);
        leader.lead(kept, TOPIC_ID, keptLeaderLog, LEADER_EPOCH);
        fetcher.addPartitions(Map.of(kept, new InitialFetchState(TOPIC_ID, LEADER_ID, LEADER_EPOCH, 0)));
        appendAsLeader(leaderLog, LEADER_EPOCH, "a");
        appendAsLeader(keptLeaderLog, LEADER_EPOCH, "b");
        java.util.concurrent.CompletableFuture<Void> hold = new java.util.concurrent.CompletableFuture<>();
        leader.holdFetches = hold;
        fetcher.start();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> leader.fetches().size() == 1);

        fetcher.removePartitions(Set.of(PARTITION)); // returns although the answer is still out
        leader.holdFetches = null;
        hold.complete(null);

        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> keptFollowerLog.logEndOffset() == 1);
        fetcher.shutdown();
        assertThat(followerLog.logEndOffset()).isZero();
    }
}
