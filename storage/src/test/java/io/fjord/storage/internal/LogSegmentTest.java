package io.fjord.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.protocol.records.RecordBatch;
import io.fjord.storage.TestBatches;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogSegmentTest {
    private static final int INDEX_BYTES = 4096;

    @TempDir
    Path directory;
    private final SegmentHandleCache cache = SegmentHandleCache.unbounded();

    /** Appends one batch per timestamp, two records each, from offset 100, indexing every batch. */
    private LogSegment segmentWithBatches(long... timestamps) {
        LogSegment segment = LogSegment.create(directory, 100, INDEX_BYTES, 0, cache, 5);
        long offset = 100;
        for (long timestamp : timestamps) {
            ByteBuffer batch = TestBatches.batch(timestamp, "x" + offset, "y" + offset);
            RecordBatch.at(batch).setBaseOffset(offset);
            segment.append(batch, 0);
            offset += 2;
        }
        return segment;
    }

    @Test
    void findsBatchesByOffsetAndTimestamp() {
        LogSegment segment = segmentWithBatches(1000, 3000, 2000, 4000);
        assertThat(segment.offsetIndex().entries()).isEqualTo(3); // each batch after the first
        assertThat(segment.findBatch(100, segment.sizeBytes()).baseOffset()).isEqualTo(100);
        assertThat(segment.findBatch(105, segment.sizeBytes()).baseOffset()).isEqualTo(104);
        assertThat(segment.findBatch(107, segment.sizeBytes()).baseOffset()).isEqualTo(106);
        assertThat(segment.findBatch(108, segment.sizeBytes())).isNull();
        assertThat(segment.findBatchByTimestamp(2500, 100).baseOffset()).isEqualTo(102);
        assertThat(segment.findBatchByTimestamp(2500, 104).baseOffset()).isEqualTo(106);
        assertThat(segment.findBatchByTimestamp(4001, 100)).isNull();
        assertThat(segment.maxTimestampSoFar()).isEqualTo(4000);
        assertThat(segment.offsetOfMaxTimestampSoFar()).isEqualTo(107);
        assertThat(segment.rollingBasedTimestamp()).isEqualTo(1000);
        assertThat(segment.readNextOffset()).isEqualTo(108);
        segment.closeCleanly();
    }

    @Test
    void offsetLookupsReuseTheThreadsChunkInsteadOfAllocatingOnePerLookup() {
        LogSegment segment = segmentWithBatches(1000, 3000, 2000, 4000);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        int lookups = 2_000;
        assertThat(segment.findBatch(105, segment.sizeBytes()).baseOffset()).isEqualTo(104); // the chunk exists
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < lookups; i++) {
            assertThat(segment.findBatch(100 + i % 8, segment.sizeBytes()).baseOffset()).isEqualTo(100 + i % 8 / 2 * 2);
        }
        long allocatedBytes = threads.getThreadAllocatedBytes(thread) - before;
        // Every fetch looks its start batch up: an 8 KB chunk each would be 16 MB here; headers are ~100 bytes each.
        assertThat(allocatedBytes).isLessThan(lookups * 1024L);
        segment.closeCleanly();
    }

    @Test
    void recentlyAppendedBatchesAreFoundWithoutReadingTheFileUntilATruncation() throws Exception {
        LogSegment segment = segmentWithBatches(1000, 3000, 2000, 4000);
        BatchHeader third = segment.findBatch(104, segment.sizeBytes());
        int viewBeforeLast = third.endPosition();
        // Overwrite the file's bytes behind the segment: a lookup that read the file would now fail.
        try (FileChannel file = FileChannel.open(segment.logFile(), StandardOpenOption.WRITE)) {
            file.write(ByteBuffer.allocate(segment.sizeBytes()), 0);
        }

        assertThat(segment.findBatch(100, segment.sizeBytes()).position()).isZero();
        assertThat(segment.findBatch(105, segment.sizeBytes())).isEqualTo(third);
        assertThat(segment.findBatch(107, segment.sizeBytes()).baseOffset()).isEqualTo(106);
        assertThat(segment.findBatch(108, segment.sizeBytes())).isNull();
        assertThat(segment.findBatch(106, viewBeforeLast)).as("beyond a reader's view").isNull();

        segment.truncateTo(104);
        // The removed batches' positions are forgotten: the file (zeros now) is read, and found corrupt.
        assertThatThrownBy(() -> segment.findBatch(100, segment.sizeBytes()))
                .isInstanceOf(io.fjord.storage.LogCorruptionException.class);
        segment.closeAbruptly();
    }

    @Test
    void theRecentBatchesKeepOnlyTheLastOnesAndOlderOffsetsAreLookedUpInTheFile() {
        long[] timestamps = new long[LogSegment.RECENT_BATCHES_KEPT + 5];
        java.util.Arrays.fill(timestamps, 1000);
        LogSegment segment = segmentWithBatches(timestamps);
        for (int i = 0; i < timestamps.length; i++) {
            BatchHeader found = segment.findBatch(100 + 2L * i + 1, segment.sizeBytes());
            assertThat(found.baseOffset()).isEqualTo(100 + 2L * i);
            assertThat(found.lastOffset()).isEqualTo(100 + 2L * i + 1);
        }
        segment.truncateTo(110);
        ByteBuffer batch = TestBatches.batch(5000, "after", "truncation");
        RecordBatch.at(batch).setBaseOffset(110);
        segment.append(batch, 0);
        assertThat(segment.findBatch(110, segment.sizeBytes()).maxTimestamp()).isEqualTo(5000);
        assertThat(segment.findBatch(108, segment.sizeBytes()).baseOffset()).isEqualTo(108);
        assertThat(segment.findBatch(112, segment.sizeBytes())).isNull();
        segment.closeCleanly();
    }

    @Test
    void canAppendChecksSizeIndexesAndRelativeOffsets() {
        LogSegment segment = segmentWithBatches(1000);
        int size = segment.sizeBytes();
        assertThat(segment.canAppend(100, 110, size + 100)).isTrue();
        assertThat(segment.canAppend(101, 110, size + 100)).isFalse();
        assertThat(segment.canAppend(10, 100L + Integer.MAX_VALUE + 1, Integer.MAX_VALUE)).isFalse();
        segment.closeCleanly();
    }

    @Test
    void truncateRemovesTheBatchHoldingTheOffsetAndLaterOnes() {
        LogSegment segment = segmentWithBatches(1000, 3000, 2000);
        int secondBatch = segment.findBatch(102, segment.sizeBytes()).position();
        int removed = segment.truncateTo(103);
        assertThat(segment.sizeBytes()).isEqualTo(secondBatch);
        assertThat(removed).isPositive();
        assertThat(segment.readNextOffset()).isEqualTo(102);
        assertThat(segment.maxTimestampSoFar()).isEqualTo(1000);
        assertThat(segment.offsetIndex().entries()).isZero();
        assertThat(segment.truncateTo(500)).isZero();
        segment.closeCleanly();
    }

    @Test
    void recoveryCutsATornTailAndRebuildsTheIndexes() throws Exception {
        LogSegment segment = segmentWithBatches(1000, 3000, 2000);
        int size = segment.sizeBytes();
        segment.closeAbruptly();
        Path logFile = SegmentFiles.log(directory, 100);
        try (FileChannel channel = FileChannel.open(logFile, StandardOpenOption.WRITE)) {
            channel.truncate(size - 5);
        }
        Files.delete(SegmentFiles.offsetIndex(directory, 100));
        LogSegment existing = LogSegment.existing(directory, 100, INDEX_BYTES, cache);
        LogSegment.RecoveryResult result = existing.recover(100, 0, 0);
        assertThat(result.nextOffset()).isEqualTo(104);
        assertThat(result.truncatedBytes()).isPositive();
        assertThat(result.problem()).isNotNull();
        assertThat(Files.size(logFile)).isEqualTo(result.validBytes());
        assertThat(existing.offsetIndex().entries()).isEqualTo(1);
        assertThat(existing.findBatch(103, existing.sizeBytes()).baseOffset()).isEqualTo(102);
        assertThat(existing.maxTimestampSoFar()).isEqualTo(3000);
        existing.closeCleanly();
    }

    @Test
    void recoveryNeverCutsDataBelowTheRecoveryPoint() throws Exception {
        LogSegment segment = segmentWithBatches(1000, 3000, 2000);
        int size = segment.sizeBytes();
        segment.closeAbruptly();
        Path logFile = SegmentFiles.log(directory, 100);
        try (FileChannel channel = FileChannel.open(logFile, StandardOpenOption.WRITE)) {
            channel.truncate(size - 5);
        }
        LogSegment existing = LogSegment.existing(directory, 100, INDEX_BYTES, cache);
        assertThatThrownBy(() -> existing.recover(100, 0, 105))
                .isInstanceOf(io.fjord.storage.LogCorruptionException.class)
                .hasMessageContaining(logFile.toString()).hasMessageContaining("recovery point 105");
        assertThat(Files.size(logFile)).isEqualTo(size - 5);
        existing.closeAbruptly();
    }

    @Test
    void recoveryRejectsABatchThatDoesNotContinueTheOffsets() {
        LogSegment segment = segmentWithBatches(1000, 2000);
        segment.closeAbruptly();
        LogSegment existing = LogSegment.existing(directory, 100, INDEX_BYTES, cache);
        LogSegment.RecoveryResult result = existing.recover(101, 0, 0);
        assertThat(result.validBytes()).isZero();
        assertThat(result.nextOffset()).isEqualTo(101);
        existing.closeCleanly();
    }

    @Test
    void becomingInactiveTrimsFilesAndWritesTheLastTimeEntry() throws Exception {
        LogSegment segment = LogSegment.create(directory, 100, INDEX_BYTES, 8192, cache, 5);
        ByteBuffer batch = TestBatches.batch(7000, "a");
        RecordBatch.at(batch).setBaseOffset(100);
        segment.append(batch, 1_000_000);
        assertThat(Files.size(SegmentFiles.log(directory, 100))).isEqualTo(8192);
        segment.onBecomeInactive();
        assertThat(Files.size(SegmentFiles.log(directory, 100))).isEqualTo(segment.sizeBytes());
        assertThat(segment.timeIndex().lastEntry()).isEqualTo(new TimeIndex.Entry(7000, 100));
        assertThat(Files.size(SegmentFiles.offsetIndex(directory, 100))).isZero();
        segment.closeCleanly();
        LogSegment reopened = LogSegment.existing(directory, 100, INDEX_BYTES, cache);
        assertThat(reopened.loadCleanState()).isTrue();
        assertThat(reopened.maxTimestampSoFar()).isEqualTo(7000);
        assertThat(reopened.readNextOffset()).isEqualTo(101);
        reopened.closeCleanly();
    }
}
