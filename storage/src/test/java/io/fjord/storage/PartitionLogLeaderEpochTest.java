package io.fjord.storage;

import static io.fjord.storage.LogTestSupport.allValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatchValidator;
import io.fjord.storage.internal.EpochEntry;
import io.fjord.storage.internal.LeaderEpochCheckpointFile;
import io.fjord.storage.internal.SegmentHandleCache;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The leader-epoch cache of a partition log: appends, truncation, log-start moves, restarts and crashes. */
class PartitionLogLeaderEpochTest {
    @TempDir
    Path root;
    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor();
    private final ManualClock clock = new ManualClock(LogTestSupport.START_MS);
    private final LogConfig config = LogConfig.defaults().with(LogConfig.SEGMENT_BYTES, 400)
            .with(LogConfig.INDEX_INTERVAL_BYTES, 50);

    @AfterEach
    void stop() {
        background.shutdownNow();
    }

    private Path directory() {
        return root.resolve("epochs-0");
    }

    private PartitionLog open(long recoveryPoint, long highWatermark, boolean clean) {
        return PartitionLog.open(directory(), config, recoveryPoint, 0, highWatermark, clean, clock,
                SegmentHandleCache.unbounded(), background);
    }

    private PartitionLog open() {
        return open(0, 0, true);
    }

    private void appendAsLeader(PartitionLog log, int epoch, int batches) {
        for (int index = 0; index < batches; index++) {
            log.appendAsLeader(TestBatches.batch(clock.millis(), "e" + epoch + "-" + index), epoch);
        }
    }

    /** A batch as a leader of {@code epoch} wrote it at {@code baseOffset}. */
    static ByteBuffer replicated(long baseOffset, int epoch, String... values) {
        ByteBuffer batch = TestBatches.batch(LogTestSupport.START_MS, values);
        RecordBatch view = RecordBatch.at(batch);
        view.setBaseOffset(baseOffset);
        view.setPartitionLeaderEpoch(epoch);
        return batch;
    }

    private List<EpochEntry> checkpointed() {
        return new LeaderEpochCheckpointFile(directory()).read().orElseThrow();
    }

    @Test
    void leaderAppendsStampTheirEpochIntoEachBatchAndRecordWhereEachEpochStarts() {
        PartitionLog log = open();
        assertThat(log.latestEpoch()).isEmpty();
        assertThat(log.endOffsetForEpoch(0)).isEmpty();
        appendAsLeader(log, 1, 3);
        appendAsLeader(log, 4, 2);
        appendAsLeader(log, 6, 4);
        assertThat(log.latestEpoch()).hasValue(6);
        assertThat(log.endOffsetForEpoch(1)).contains(new EpochEndOffset(1, 3));
        assertThat(log.endOffsetForEpoch(3)).contains(new EpochEndOffset(1, 3));
        assertThat(log.endOffsetForEpoch(4)).contains(new EpochEndOffset(4, 5));
        assertThat(log.endOffsetForEpoch(6)).contains(new EpochEndOffset(6, 9));
        assertThat(log.endOffsetForEpoch(0)).contains(new EpochEndOffset(0, 0));
        assertThat(log.endOffsetForEpoch(7)).isEmpty();
        assertThat(checkpointed()).containsExactly(new EpochEntry(1, 0), new EpochEntry(4, 3), new EpochEntry(6, 5));

        ByteBuffer stored = log.readAllFrom(0);
        List<Integer> epochs = LogTestSupport.batches(stored.duplicate()).stream()
                .map(RecordBatch::partitionLeaderEpoch).toList();
        assertThat(epochs).containsExactly(1, 1, 1, 4, 4, 6, 6, 6, 6);
        for (RecordBatch batch : LogTestSupport.batches(stored.duplicate())) {
            // The epoch lies outside the CRC, so the stored CRC still holds.
            RecordBatchValidator.validateFrameAndCrc(batch.buffer(), batch.position(), batch.sizeInBytes());
        }
        log.close();
    }

    @Test
    void appendsOfTheSameEpochDoNotRewriteTheCheckpoint() throws IOException {
        PartitionLog log = open();
        appendAsLeader(log, 2, 1);
        Object fileBefore = fileKey(directory().resolve(LeaderEpochCheckpointFile.FILE_NAME));
        appendAsLeader(log, 2, 50);
        // Every checkpoint write renames a new file into place, so an unchanged file key means no write.
        assertThat(fileKey(directory().resolve(LeaderEpochCheckpointFile.FILE_NAME))).isEqualTo(fileBefore);
        appendAsLeader(log, 3, 1);
        assertThat(fileKey(directory().resolve(LeaderEpochCheckpointFile.FILE_NAME))).isNotEqualTo(fileBefore);
        log.close();
    }

    private static Object fileKey(Path file) throws IOException {
        Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        assertThat(key).as("the file system reports file keys").isNotNull();
        return key;
    }

    @Test
    void followerAppendsKeepTheLeadersOffsetsAndEpochs() {
        PartitionLog log = open();
        ByteBuffer several = ByteBuffer.allocate(1024);
        several.put(replicated(0, 2, "a", "b")).put(replicated(2, 2, "c")).put(replicated(3, 5, "d")).flip();
        log.appendAsFollower(several);
        log.appendAsFollower(replicated(4, 5, "e"));
        log.appendAsFollower(replicated(5, 7, "f", "g"));
        assertThat(log.logEndOffset()).isEqualTo(7);
        assertThat(checkpointed()).containsExactly(new EpochEntry(2, 0), new EpochEntry(5, 3), new EpochEntry(7, 5));
        assertThat(log.endOffsetForEpoch(5)).contains(new EpochEndOffset(5, 5));
        assertThat(LogTestSupport.batches(log.readAllFrom(0)).stream().map(RecordBatch::partitionLeaderEpoch))
                .containsExactly(2, 2, 5, 5, 7);

        assertThatThrownBy(() -> log.appendAsFollower(replicated(9, 8, "gap")))
                .isInstanceOf(UnexpectedAppendOffsetException.class);
        assertThatThrownBy(() -> log.appendAsFollower(replicated(6, 8, "overlap")))
                .isInstanceOf(UnexpectedAppendOffsetException.class);
        assertThat(log.latestEpoch()).as("a refused append records no epoch").hasValue(7);
        assertThat(log.logEndOffset()).isEqualTo(7);
        log.close();
    }

    @Test
    void truncationAndLogStartMovesTrimTheCache() {
        PartitionLog log = open();
        appendAsLeader(log, 1, 4);   // 0..3
        appendAsLeader(log, 3, 4);   // 4..7
        appendAsLeader(log, 5, 4);   // 8..11
        log.truncateTo(9);
        assertThat(log.endOffsetForEpoch(5)).contains(new EpochEndOffset(5, 9));
        log.truncateTo(8);
        assertThat(log.latestEpoch()).hasValue(3);
        assertThat(log.endOffsetForEpoch(5)).isEmpty();
        assertThat(checkpointed()).containsExactly(new EpochEntry(1, 0), new EpochEntry(3, 4));

        log.updateHighWatermark(8);
        assertThat(log.maybeAdvanceLogStartOffset(2)).isTrue();
        assertThat(checkpointed()).containsExactly(new EpochEntry(1, 2), new EpochEntry(3, 4));
        assertThat(log.maybeAdvanceLogStartOffset(6)).isTrue();
        assertThat(checkpointed()).containsExactly(new EpochEntry(3, 6));
        assertThat(log.endOffsetForEpoch(1)).contains(new EpochEndOffset(1, 6));

        log.truncateFullyAndStartAt(20);
        assertThat(log.latestEpoch()).isEmpty();
        assertThat(checkpointed()).isEmpty();
        appendAsLeader(log, 9, 1);
        assertThat(checkpointed()).containsExactly(new EpochEntry(9, 20));
        log.close();
    }

    @Test
    void retentionTrimsTheCacheToTheNewLogStart() {
        PartitionLog log = PartitionLog.open(directory(), config.with(LogConfig.RETENTION_BYTES, 1), 0, 0, true, clock,
                SegmentHandleCache.unbounded(), background);
        appendAsLeader(log, 1, 6);
        appendAsLeader(log, 2, 6);
        log.updateHighWatermark(log.logEndOffset());
        assertThat(log.deleteOldSegments()).isPositive();
        long start = log.logStartOffset();
        assertThat(start).isGreaterThan(6);
        assertThat(checkpointed()).containsExactly(new EpochEntry(2, start));
        log.close();
    }

    @Test
    void aRestartKeepsTheCacheAndTheHighWatermark() {
        PartitionLog log = open();
        appendAsLeader(log, 1, 3);
        appendAsLeader(log, 2, 3);
        log.updateHighWatermark(4);
        long highWatermark = log.highWatermark();
        log.close();

        PartitionLog reopened = open(0, highWatermark, true);
        assertThat(reopened.highWatermark()).isEqualTo(4);
        assertThat(reopened.latestEpoch()).hasValue(2);
        assertThat(reopened.endOffsetForEpoch(1)).contains(new EpochEndOffset(1, 3));
        reopened.close();
        assertThat(open(0, 1_000, true).highWatermark()).as("capped to the log end").isEqualTo(6);
    }

    @Test
    void aMissingOrMalformedCheckpointIsRebuiltFromTheBatches() throws IOException {
        PartitionLog log = open();
        appendAsLeader(log, 0, 5);
        log.appendAsFollower(replicated(5, 3, "x", "y"));
        appendAsLeader(log, 8, 5);
        List<EpochEntry> expected = checkpointed();
        assertThat(log.segmentCount()).isGreaterThan(1);
        log.close();

        Path checkpoint = directory().resolve(LeaderEpochCheckpointFile.FILE_NAME);
        Files.delete(checkpoint);
        PartitionLog rebuilt = open();
        assertThat(rebuilt.endOffsetForEpoch(3)).contains(new EpochEndOffset(3, 7));
        assertThat(checkpointed()).as("written back").isEqualTo(expected);
        rebuilt.close();

        Files.writeString(checkpoint, "0\n2\n7 0\n");
        PartitionLog repaired = open();
        assertThat(repaired.latestEpoch()).hasValue(8);
        assertThat(checkpointed()).isEqualTo(expected);
        repaired.close();
    }

    @Test
    void aTornTailAfterACrashTrimsTheCacheToTheRecoveredLogEnd() throws IOException {
        PartitionLog log = open();
        appendAsLeader(log, 1, 3);
        log.flush();
        long recoveryPoint = log.recoveryPoint();
        log.appendAsLeader(TestBatches.batch(clock.millis(), "lost-1", "lost-2"), 4);
        assertThat(log.latestEpoch()).hasValue(4);
        Path active = directory().resolve(String.format("%020d.log", log.segmentBaseOffsets().get(
                log.segmentBaseOffsets().size() - 1)));
        log.closeAbruptly();
        try (RandomAccessFile file = new RandomAccessFile(active.toFile(), "rw")) {
            file.setLength(file.length() - 5); // the epoch-4 batch was torn by the crash
        }

        PartitionLog recovered = open(recoveryPoint, 0, false);
        assertThat(recovered.logEndOffset()).isEqualTo(3);
        assertThat(recovered.latestEpoch()).hasValue(1);
        assertThat(recovered.endOffsetForEpoch(4)).isEmpty();
        assertThat(recovered.endOffsetForEpoch(1)).contains(new EpochEndOffset(1, 3));
        assertThat(checkpointed()).containsExactly(new EpochEntry(1, 0));
        assertThat(allValues(recovered)).hasSize(3);
        recovered.close();
    }

    @Test
    void batchesWithoutALeaderEpochRecordNone() {
        PartitionLog log = open();
        log.appendAsFollower(PartitionLogReadTest.withBase(0, "a"));
        log.appendAsLeader(TestBatches.batch(clock.millis(), "b"), RecordBatch.NO_PARTITION_LEADER_EPOCH);
        assertThat(log.latestEpoch()).isEmpty();
        assertThat(Optional.of(directory().resolve(LeaderEpochCheckpointFile.FILE_NAME)).filter(Files::exists))
                .isEmpty();
        log.close();
    }
}
