package io.fjord.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.records.RecordBatch;
import io.fjord.storage.FileSlice;
import io.fjord.storage.TestBatches;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An active segment's recent appends: the leader's last batches, served to fetches from memory under a budget. */
class LogSegmentRecentAppendsTest {
    private static final int INDEX_BYTES = 4096;

    @TempDir
    Path directory;
    /** A budget with room for one segment's recent appends, for the tests that do not test the budget. */
    private final SegmentHandleCache cache = cacheWithBudget(RecentAppends.BYTES_MAX);

    private static SegmentHandleCache cacheWithBudget(long bytes) {
        return new SegmentHandleCache(100, 60_000, new RecentAppendsBudget(bytes));
    }

    /** Appends a batch of one record with a value of {@code valueBytes} bytes at {@code offset}. */
    private static BatchHeader append(LogSegment segment, long offset, int valueBytes, boolean asLeader) {
        ByteBuffer batch = TestBatches.batch(1000 + offset, "v".repeat(valueBytes) + offset);
        RecordBatch.at(batch).setBaseOffset(offset);
        segment.append(batch, 4096, asLeader);
        return segment.findBatch(offset, segment.sizeBytes());
    }

    private LogSegment activeSegment() {
        return LogSegment.create(directory, 0, INDEX_BYTES, 0, cache, 5);
    }

    /** Closes the segment, checking it gave back all it had reserved. */
    private void closeAndCheckTheBudgetIsBack(LogSegment segment) {
        segment.closeCleanly();
        assertThat(cache.recentAppendsBudget().reservedBytes()).isZero();
    }

    private static BatchHeader append(LogSegment segment, long offset, int valueBytes) {
        return append(segment, offset, valueBytes, true);
    }

    /** The slice's bytes in memory, checked to be the file's; null when it has none. */
    private static ByteBuffer inMemory(LogSegment segment, BatchHeader from, int length) {
        FileSlice slice = segment.slice(from.position(), length);
        ByteBuffer cached = slice.cachedBytes();
        if (cached != null) {
            assertThat(cached).isEqualTo(segment.read(from.position(), length));
            assertThat(slice.readAll()).isEqualTo(cached);
        }
        return cached; // not released: the test took no reference on the segment for it
    }

    @Test
    void aFetchOfTheLeadersLastAppendsIsServedFromMemoryAndOlderOnesFromTheFile() {
        LogSegment segment = activeSegment();
        BatchHeader[] batches = new BatchHeader[12];
        for (int index = 0; index < batches.length; index++) {
            batches[index] = append(segment, index, 10_000); // about 10 KB each: older ones give way
        }
        BatchHeader last = batches[batches.length - 1];
        BatchHeader oneBehind = batches[batches.length - 2];
        assertThat(inMemory(segment, last, last.sizeBytes())).isNotNull();
        assertThat(inMemory(segment, oneBehind, oneBehind.sizeBytes())).isNotNull();
        assertThat(inMemory(segment, oneBehind, last.endPosition() - oneBehind.position()))
                .as("two appends: the file").isNull();
        assertThat(inMemory(segment, batches[0], batches[0].sizeBytes())).isNull();
        assertThat(segment.slice(0, batches[1].endPosition()).readAll())
                .isEqualTo(segment.read(0, batches[1].endPosition()));
        long reserved = cache.recentAppendsBudget().reservedBytes();
        assertThat(reserved).isBetween((long) RecentAppends.BYTES_MAX - 2 * last.sizeBytes(),
                (long) RecentAppends.BYTES_MAX);
        closeAndCheckTheBudgetIsBack(segment);
    }

    @Test
    void aFollowersAppendIsNotKeptAndDropsWhatTheLeaderKept() {
        LogSegment segment = activeSegment();
        BatchHeader leaders = append(segment, 0, 100, true);
        assertThat(inMemory(segment, leaders, leaders.sizeBytes())).isNotNull();
        BatchHeader followers = append(segment, 1, 100, false);
        assertThat(inMemory(segment, followers, followers.sizeBytes())).isNull();
        assertThat(inMemory(segment, leaders, leaders.sizeBytes())).isNull();
        assertThat(cache.recentAppendsBudget().reservedBytes()).isZero();
        BatchHeader leadersAgain = append(segment, 2, 100, true);
        assertThat(inMemory(segment, leadersAgain, leadersAgain.sizeBytes())).isNotNull();
        closeAndCheckTheBudgetIsBack(segment);
    }

    @Test
    void truncatedAppendsAreNeverServedAndTheAppendsAfterTheCutAre() {
        LogSegment segment = activeSegment();
        append(segment, 0, 100);
        BatchHeader cut = append(segment, 1, 100);
        append(segment, 2, 100);
        segment.truncateTo(1);
        assertThat(cache.recentAppendsBudget().reservedBytes()).isZero();
        assertThat(segment.slice(cut.position(), cut.sizeBytes()).cachedBytes()).isNull();
        BatchHeader rewritten = append(segment, 1, 300); // a different batch where the cut one was
        assertThat(rewritten.position()).isEqualTo(cut.position());
        ByteBuffer cached = inMemory(segment, rewritten, rewritten.sizeBytes());
        assertThat(cached).isNotNull();
        assertThat(RecordBatch.at(cached.duplicate()).sizeInBytes()).isEqualTo(rewritten.sizeBytes());
        closeAndCheckTheBudgetIsBack(segment);
    }

    @Test
    void segmentsShareTheBudgetAndGiveItBackWhenTheyStopBeingActive() throws Exception {
        LogSegment probe = LogSegment.create(Files.createDirectory(directory.resolve("probe")), 0, INDEX_BYTES, 0,
                cacheWithBudget(RecentAppends.BYTES_MAX), 5);
        int batchBytes = append(probe, 0, 100).sizeBytes();
        probe.closeCleanly();
        SegmentHandleCache cache = cacheWithBudget(batchBytes + batchBytes / 2); // room for one batch
        LogSegment first = LogSegment.create(directory, 0, INDEX_BYTES, 0, cache, 5);
        LogSegment second = LogSegment.create(Files.createDirectory(directory.resolve("other")), 0, INDEX_BYTES, 0,
                cache, 5);
        BatchHeader firstBatch = append(first, 0, 100);
        BatchHeader secondBatch = append(second, 0, 100);
        assertThat(inMemory(first, firstBatch, firstBatch.sizeBytes())).isNotNull();
        assertThat(inMemory(second, secondBatch, secondBatch.sizeBytes())).as("no budget left").isNull();
        assertThat(cache.recentAppendsBudget().reservedBytes()).isEqualTo(batchBytes);
        first.unpin(0); // rolled: a newer segment is the active one
        assertThat(cache.recentAppendsBudget().reservedBytes()).isZero();
        assertThat(inMemory(first, firstBatch, firstBatch.sizeBytes())).isNull();
        BatchHeader next = append(second, 1, 100);
        assertThat(inMemory(second, next, next.sizeBytes())).isNotNull();
        second.markDeleted();
        assertThat(cache.recentAppendsBudget().reservedBytes()).isZero();
        first.closeCleanly();
        second.deleteFiles();
    }

    @Test
    void aLargeAppendIsNotKeptAndACleanersOutputKeepsNone() {
        LogSegment segment = activeSegment();
        append(segment, 0, 100);
        BatchHeader large = append(segment, 1, RecentAppends.APPEND_BYTES_MAX);
        assertThat(inMemory(segment, large, large.sizeBytes())).isNull();
        assertThat(cache.recentAppendsBudget().reservedBytes()).isZero();
        BatchHeader small = append(segment, 2, 100);
        assertThat(inMemory(segment, small, small.sizeBytes())).isNotNull();

        LogSegment cleaned = LogSegment.createCleaned(segment, INDEX_BYTES, 5);
        cleaned.append(TestBatches.batch(1000, "c"), 4096);
        assertThat(cleaned.slice(0, cleaned.sizeBytes()).cachedBytes()).isNull();
        assertThat(cache.recentAppendsBudget().reservedBytes()).isEqualTo(small.sizeBytes());
        cleaned.closeAbruptly();
        closeAndCheckTheBudgetIsBack(segment);
    }
}
