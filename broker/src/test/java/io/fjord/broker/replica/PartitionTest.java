package io.fjord.broker.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.broker.delayed.ManualClock;
import io.fjord.broker.replica.AlterPartitionSender.IsrMember;
import io.fjord.broker.replica.AlterPartitionSender.Outcome;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.records.PartitionRecord;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.Record;
import io.fjord.storage.EpochEndOffset;
import io.fjord.storage.LogConfig;
import io.fjord.storage.LogManager;
import io.fjord.storage.LogManagerConfig;
import io.fjord.storage.TopicPartition;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The leader's rules of one partition: high watermark, ISR changes and their timing, stale metadata. */
class PartitionTest {
    private static final int LOCAL = 1;
    private static final long LAG_MS = 30_000;
    private static final UUID TOPIC_ID = new UUID(7, 7);
    private static final TopicPartition TOPIC_PARTITION = new TopicPartition("orders", 0);

    @TempDir
    Path directory;
    private LogManager logManager;
    private final ManualClock clock = new ManualClock(1_000_000);
    private final RecordingAlterPartitionSender sender = new RecordingAlterPartitionSender();
    private final Set<Integer> ineligible = new HashSet<>();
    private final List<TopicPartition> moved = new CopyOnWriteArrayList<>();
    private Partition partition;

    @BeforeEach
    void start() {
        logManager = new LogManager(LogManagerConfig.fromProperties(Map.of(LogManagerConfig.LOG_DIRS,
                directory.toString())), clock);
        logManager.startup();
        partition = new Partition(TOPIC_PARTITION, logManager.getOrCreateLog(TOPIC_PARTITION, LogConfig.defaults()),
                new Partition.Context(LOCAL, LAG_MS, sender,
                        (brokerId, epoch) -> !ineligible.contains(brokerId), () -> 100L, clock, moved::add));
    }

    @AfterEach
    void stop() {
        logManager.shutdown();
    }

    static ByteBuffer batch(int records) {
        List<Record> list = new ArrayList<>();
        for (int index = 0; index < records; index++) {
            list.add(new Record(index, 1_000L, null, ByteBuffer.wrap(new byte[] {(byte) index}), List.of()));
        }
        return RecordCodec.encode(BatchSpec.plain(0, CompressionType.NONE), list);
    }

    private static PartitionImage image(List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch,
                                        int partitionEpoch) {
        return new PartitionImage(0, replicas, isr, leader, leaderEpoch, partitionEpoch);
    }

    private long highWatermark() {
        return partition.log().highWatermark();
    }

    private void append(int records) {
        partition.appendAsLeader(batch(records), (short) 1, clock.millis());
    }

    @Test
    void aLeaderAloneInTheIsrCommitsEveryAppendAtOnce() {
        partition.makeLeader(image(List.of(LOCAL), List.of(LOCAL), LOCAL, 0, 0), TOPIC_ID, clock.millis());
        append(3);
        assertThat(highWatermark()).isEqualTo(3);
        partition.appendAsLeader(batch(2), (short) -1, clock.millis());
        assertThat(highWatermark()).isEqualTo(5);
        assertThat(moved).hasSize(2);
    }

    @Test
    void theHighWatermarkIsTheSmallestLogEndOffsetInTheIsrAndNeverMovesBack() {
        partition.makeLeader(image(List.of(1, 2, 3), List.of(1, 2, 3), LOCAL, 1, 1), TOPIC_ID, clock.millis());
        append(3);
        assertThat(highWatermark()).isZero();

        partition.recordFollowerFetch(2, 10, 3, 0, clock.millis());
        assertThat(highWatermark()).as("follower 3 not heard from").isZero();
        partition.recordFollowerFetch(3, 11, 2, 0, clock.millis());
        assertThat(highWatermark()).isEqualTo(2);
        partition.recordFollowerFetch(3, 11, 3, 0, clock.millis());
        assertThat(highWatermark()).isEqualTo(3);
        assertThat(moved).containsExactly(TOPIC_PARTITION, TOPIC_PARTITION);

        partition.recordFollowerFetch(2, 10, 1, 0, clock.millis());
        assertThat(highWatermark()).as("never back").isEqualTo(3);
        assertThat(partition.recordFollowerFetch(2, 10, 9, 0, clock.millis())).as("past the log end").isFalse();
        assertThat(partition.recordFollowerFetch(4, 12, 3, 0, clock.millis())).as("not a replica").isFalse();
    }

    @Test
    void becomingLeaderAssignsTheEpochStartOffsetInTheLogBeforeAnyAppend() {
        partition.makeLeader(image(List.of(1, 2), List.of(1, 2), LOCAL, 1, 1), TOPIC_ID, clock.millis());
        append(4);
        partition.makeFollower(image(List.of(1, 2), List.of(1, 2), 2, 2, 2), TOPIC_ID);

        partition.makeLeader(image(List.of(1, 2), List.of(1, 2), LOCAL, 5, 3), TOPIC_ID, clock.millis());

        // Kafka's makeLeader: OffsetForLeaderEpoch knows epoch 5 at once, and epochs 2-4 (never written here) end
        // where it starts.
        assertThat(partition.log().latestEpoch()).hasValue(5);
        assertThat(partition.log().endOffsetForEpoch(5)).hasValue(new EpochEndOffset(5, 4));
        assertThat(partition.log().endOffsetForEpoch(4)).hasValue(new EpochEndOffset(1, 4));
    }

    @Test
    void aLeaderElectedRecoveringMarksItselfRecoveredAndTellsTheController() {
        PartitionImage unclean = new PartitionImage(0, List.of(1, 2), List.of(LOCAL), LOCAL, 4, 6, List.of(),
                List.of(), PartitionRecord.RECOVERING, List.of(), List.of());

        partition.makeLeader(unclean, TOPIC_ID, clock.millis());

        // KIP-704 with nothing to recover (no transactions): recovered at once, the ISR proposed unchanged.
        assertThat(partition.leaderRecoveryState()).isEqualTo(PartitionRecord.RECOVERED);
        assertThat(sender.submitted()).hasSize(1);
        assertThat(sender.last().proposal().leaderRecoveryState()).isEqualTo(PartitionRecord.RECOVERED);
        assertThat(sender.last().proposal().newIsrIds()).containsExactly(LOCAL);
        assertThat(sender.last().proposal().partitionEpoch()).isEqualTo(6);
        sender.last().future().complete(new Outcome(Errors.NONE, LOCAL, 4, List.of(LOCAL), PartitionRecord.RECOVERED,
                7));
        assertThat(partition.partitionEpoch()).isEqualTo(7);
        assertThat(partition.isrState().isInFlight()).isFalse();

        // A recovered leadership proposes nothing.
        partition.makeLeader(image(List.of(1, 2), List.of(LOCAL), LOCAL, 5, 8), TOPIC_ID, clock.millis());
        assertThat(sender.submitted()).hasSize(1);
    }

    @Test
    void aNewLeaderKeepsItsHighWatermarkUntilTheFollowersFetchInItsEpoch() {
        partition.makeLeader(image(List.of(1, 2), List.of(1, 2), LOCAL, 1, 1), TOPIC_ID, clock.millis());
        append(4);
        partition.recordFollowerFetch(2, 10, 4, 0, clock.millis());
        append(2);
        assertThat(highWatermark()).isEqualTo(4);

        assertThat(partition.makeFollower(image(List.of(1, 2), List.of(1, 2), 2, 2, 2), TOPIC_ID)).isTrue();
        assertThat(partition.makeLeader(image(List.of(1, 2), List.of(1, 2), LOCAL, 3, 3), TOPIC_ID,
                clock.millis())).isTrue();
        assertThat(partition.leaderEpochStartOffset()).isEqualTo(6);
        assertThat(partition.followerState(2)).get().extracting(FollowerState::logEndOffset)
                .isEqualTo(FollowerState.UNKNOWN_OFFSET);
        assertThat(highWatermark()).as("the follower's position from the old leadership is forgotten").isEqualTo(4);

        partition.recordFollowerFetch(2, 10, 6, 0, clock.millis());
        assertThat(highWatermark()).isEqualTo(6);
    }

    @Test
    void aFollowerJoinsTheIsrOnceItReachesTheHighWatermarkAndTheLeaderEpochStart() {
        // Five records from before, committed up to 2; follower 3 (in the ISR, not heard from) holds the mark there.
        partition.log().appendAsLeader(batch(5), 0);
        partition.log().updateHighWatermark(2);
        partition.makeLeader(image(List.of(1, 2, 3), List.of(1, 3), LOCAL, 1, 4), TOPIC_ID, clock.millis());
        assertThat(highWatermark()).isEqualTo(2);
        assertThat(partition.leaderEpochStartOffset()).isEqualTo(5);

        partition.recordFollowerFetch(2, 20, 3, 0, clock.millis());
        assertThat(sender.submitted()).as("past the high watermark, short of the epoch start").isEmpty();

        partition.recordFollowerFetch(2, 20, 5, 0, clock.millis());
        assertThat(sender.submitted()).singleElement().satisfies(submitted -> {
            assertThat(submitted.proposal().newIsr()).containsExactly(new IsrMember(1, 100), new IsrMember(3, -1),
                    new IsrMember(2, 20));
            assertThat(submitted.proposal().leaderEpoch()).isEqualTo(1);
            assertThat(submitted.proposal().partitionEpoch()).isEqualTo(4);
            assertThat(submitted.proposal().topicId()).isEqualTo(TOPIC_ID);
        });
        assertThat(partition.isrState().isInFlight()).isTrue();
        assertThat(partition.isrState().maximalIsr()).containsExactlyInAnyOrder(1, 2, 3);

        sender.last().future().complete(new Outcome(Errors.NONE, LOCAL, 1, List.of(1, 3, 2), (byte) 0, 5));
        assertThat(partition.isrState()).isEqualTo(IsrState.committed(List.of(1, 3, 2)));
        assertThat(partition.partitionEpoch()).isEqualTo(5);
    }

    @Test
    void aFollowerTheMetadataDoesNotAllowIsNeverProposed() {
        partition.makeLeader(image(List.of(1, 2), List.of(1), LOCAL, 1, 1), TOPIC_ID, clock.millis());
        append(2);
        ineligible.add(2);
        partition.recordFollowerFetch(2, 20, 2, 0, clock.millis());
        assertThat(sender.submitted()).isEmpty();
        ineligible.clear();
        partition.recordFollowerFetch(2, 20, 2, 0, clock.millis());
        assertThat(sender.submitted()).hasSize(1);
    }

    @Test
    void aFollowerNotCaughtUpForTheLagTimeIsProposedForRemovalAndTheMarkMovesOnceCommitted() {
        partition.makeLeader(image(List.of(1, 2, 3), List.of(1, 2, 3), LOCAL, 1, 1), TOPIC_ID, clock.millis());
        long leaderStartMs = clock.millis();
        append(2);
        partition.recordFollowerFetch(3, 30, 2, 0, clock.millis());

        clock.advance(LAG_MS);
        assertThat(partition.maybeShrinkIsr(clock.millis())).as("caught up at the leader's start, lag not passed")
                .isFalse();
        partition.recordFollowerFetch(3, 30, 2, 0, clock.millis());
        clock.advance(1);
        assertThat(clock.millis() - leaderStartMs).isGreaterThan(LAG_MS);
        assertThat(partition.maybeShrinkIsr(clock.millis())).isTrue();
        assertThat(sender.last().proposal().newIsrIds()).containsExactly(1, 3);
        assertThat(highWatermark()).as("a shrink in flight still counts the member").isZero();
        assertThat(partition.maybeShrinkIsr(clock.millis())).as("one change at a time").isFalse();

        sender.last().future().complete(new Outcome(Errors.NONE, LOCAL, 1, List.of(1, 3), (byte) 0, 2));
        assertThat(highWatermark()).isEqualTo(2);
        assertThat(moved).contains(TOPIC_PARTITION);
    }

    @Test
    void theControllersRefusalsAreHandledAsKafkaDoes() {
        partition.makeLeader(image(List.of(1, 2), List.of(1), LOCAL, 1, 1), TOPIC_ID, clock.millis());
        append(1);
        partition.recordFollowerFetch(2, 20, 1, 0, clock.millis());
        assertThat(sender.submitted()).hasSize(1);

        // Not applied by the controller: back to the committed ISR, and a later fetch proposes again.
        sender.last().future().complete(Outcome.failed(Errors.OPERATION_NOT_ATTEMPTED));
        assertThat(partition.isrState().isInFlight()).isFalse();
        partition.recordFollowerFetch(2, 20, 1, 0, clock.millis());
        assertThat(sender.submitted()).hasSize(2);

        // Any other error is retried with the same proposal.
        sender.last().future().complete(Outcome.failed(Errors.UNKNOWN_SERVER_ERROR));
        assertThat(sender.submitted()).hasSize(3);
        assertThat(sender.last().proposal()).isEqualTo(sender.submitted().get(1).proposal());

        // A stale partition epoch: wait for the metadata, proposing nothing meanwhile.
        sender.last().future().complete(Outcome.failed(Errors.INVALID_UPDATE_VERSION));
        assertThat(partition.isrState().isInFlight()).isTrue();
        partition.recordFollowerFetch(2, 20, 1, 0, clock.millis());
        assertThat(sender.submitted()).hasSize(3);
        partition.makeLeader(image(List.of(1, 2), List.of(1, 2), LOCAL, 1, 2), TOPIC_ID, clock.millis());
        assertThat(partition.isrState()).isEqualTo(IsrState.committed(List.of(1, 2)));
    }

    @Test
    void anAnswerForAnOlderStateIsIgnored() {
        partition.makeLeader(image(List.of(1, 2), List.of(1), LOCAL, 1, 1), TOPIC_ID, clock.millis());
        append(1);
        partition.recordFollowerFetch(2, 20, 1, 0, clock.millis());
        partition.makeLeader(image(List.of(1, 2), List.of(1, 2), LOCAL, 2, 3), TOPIC_ID, clock.millis());
        sender.last().future().complete(new Outcome(Errors.NONE, LOCAL, 1, List.of(1), (byte) 0, 2));
        assertThat(partition.isrState()).isEqualTo(IsrState.committed(List.of(1, 2)));
        assertThat(partition.partitionEpoch()).isEqualTo(3);
    }

    @Test
    void staleMetadataIsIgnoredSoEpochsOnlyMoveForward() {
        assertThat(partition.makeLeader(image(List.of(1, 2), List.of(1, 2), LOCAL, 5, 7), TOPIC_ID,
                clock.millis())).isTrue();
        assertThat(partition.makeLeader(image(List.of(1, 2), List.of(1), LOCAL, 5, 6), TOPIC_ID,
                clock.millis())).isFalse();
        assertThat(partition.makeFollower(image(List.of(1, 2), List.of(2), 2, 4, 8), TOPIC_ID)).isFalse();
        assertThat(partition.isLeader()).isTrue();
        assertThat(partition.leaderEpoch()).isEqualTo(5);
        assertThat(partition.partitionEpoch()).isEqualTo(7);
        assertThat(partition.isrState().isr()).containsExactly(1, 2);

        assertThat(partition.makeFollower(image(List.of(1, 2), List.of(2), 2, 6, 8), TOPIC_ID)).isTrue();
        assertThat(partition.makeFollower(image(List.of(1, 2), List.of(1, 2), 2, 6, 9), TOPIC_ID))
                .as("same leader and epoch: the fetcher goes on").isFalse();
        assertThat(partition.leaderId()).isEqualTo(2);
    }

    @Test
    void aCoordinatorAppendInAnotherLeaderEpochWritesNothingAndOnlyTheLeadersMarkIsRead() {
        partition.makeLeader(image(List.of(1, 2), List.of(1, 2), LOCAL, 2, 2), TOPIC_ID, clock.millis());
        assertThatThrownBy(() -> partition.appendAsLeader(batch(1), (short) 1, 1, clock.millis()))
                .isInstanceOfSatisfying(ReplicaException.class,
                        e -> assertThat(e.error()).isEqualTo(Errors.FENCED_LEADER_EPOCH));
        assertThatThrownBy(() -> partition.appendAsLeader(batch(1), (short) 1, 3, clock.millis()))
                .isInstanceOfSatisfying(ReplicaException.class,
                        e -> assertThat(e.error()).isEqualTo(Errors.UNKNOWN_LEADER_EPOCH));
        assertThat(partition.log().logEndOffset()).as("nothing appended").isZero();

        partition.appendAsLeader(batch(2), (short) 1, 2, clock.millis());
        assertThat(partition.log().logEndOffset()).isEqualTo(2);
        partition.recordFollowerFetch(2, 20, 2, 0, clock.millis());
        assertThat(partition.leaderHighWatermark(2)).isEqualTo(2);
        assertThat(partition.leaderHighWatermark(1)).as("another leadership's").isEqualTo(-1);
        partition.makeFollower(image(List.of(1, 2), List.of(1, 2), 2, 3, 3), TOPIC_ID);
        assertThat(partition.leaderHighWatermark(2)).as("a follower's mark is not the leader's").isEqualTo(-1);
    }

    @Test
    void acksAllNeedsTheMinimumIsrAndTheMarkWaitsForIt() {
        partition.setMinInsyncReplicas(2);
        partition.makeLeader(image(List.of(1, 2, 3), List.of(1), LOCAL, 1, 1), TOPIC_ID, clock.millis());
        assertThatThrownBy(() -> partition.appendAsLeader(batch(1), (short) -1, clock.millis()))
                .isInstanceOfSatisfying(ReplicaException.class,
                        e -> assertThat(e.error()).isEqualTo(Errors.NOT_ENOUGH_REPLICAS));
        assertThat(partition.log().logEndOffset()).as("nothing appended").isZero();
        append(1);
        assertThat(highWatermark()).as("KIP-966: no progress below the minimum ISR").isZero();
        assertThat(partition.checkEnoughReplicasReachOffset(1).done()).isFalse();
    }

    @Test
    void aProduceReplicatedBeforeTheIsrShrankBelowTheMinimumAnswersNotEnoughReplicasAfterAppend() {
        partition.setMinInsyncReplicas(2);
        partition.makeLeader(image(List.of(1, 2, 3), List.of(1, 2), LOCAL, 1, 1), TOPIC_ID, clock.millis());
        partition.appendAsLeader(batch(1), (short) -1, clock.millis());
        assertThat(partition.checkEnoughReplicasReachOffset(1)).isEqualTo(new Partition.ReplicationCheck(false,
                Errors.NONE));
        partition.recordFollowerFetch(2, 20, 1, 0, clock.millis());
        assertThat(highWatermark()).isEqualTo(1);

        clock.advance(LAG_MS + 1);
        append(1);
        partition.maybeShrinkIsr(clock.millis());
        sender.last().future().complete(new Outcome(Errors.NONE, LOCAL, 1, List.of(1), (byte) 0, 2));
        assertThat(partition.checkEnoughReplicasReachOffset(1)).isEqualTo(new Partition.ReplicationCheck(true,
                Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND));
    }

    @Test
    void aFollowerNeitherAppendsNorRecordsFetches() {
        partition.makeFollower(image(List.of(1, 2), List.of(1, 2), 2, 1, 1), TOPIC_ID);
        assertThatThrownBy(() -> append(1)).isInstanceOfSatisfying(ReplicaException.class,
                e -> assertThat(e.error()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER));
        assertThat(partition.recordFollowerFetch(2, 20, 0, 0, clock.millis())).isFalse();
        assertThat(partition.checkEnoughReplicasReachOffset(0)).isEqualTo(new Partition.ReplicationCheck(true,
                Errors.NOT_LEADER_OR_FOLLOWER));
    }
}
