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

/** The active segment's tail: the last appended bytes, served to fetches from memory under a node-wide budget. */
class LogSegmentTailTest {
    private static final int INDEX_BYTES = 4096;

    @TempDir
    Path directory;

    private static SegmentHandleCache cacheWithTails(int tails) {
        return new SegmentHandleCache(100, 60_000, new TailBudget((long) tails * TailBytes.CAPACITY_BYTES));
    }

    /** Appends a batch of one record with a value of {@code valueBytes} bytes at {@code offset}. */
    private static BatchHeader append(LogSegment segment, long offset, int valueBytes) {
        ByteBuffer batch = TestBatches.batch(1000 + offset, "v".repeat(valueBytes) + offset);
        RecordBatch.at(batch).setBaseOffset(offset);
        segment.append(batch, 4096);
        return segment.findBatch(offset, segment.sizeBytes());
    }

    /** The slice's cached bytes, checked to be the file's; null when the slice has none. */
    private static ByteBuffer cachedAndEqualToTheFile(LogSegment segment, BatchHeader from, int length) {
        FileSlice slice = segment.slice(from.position(), length);
        ByteBuffer cached = slice.cachedBytes();
        if (cached != null) {
            assertThat(cached).isEqualTo(segment.read(from.position(), length));
            assertThat(slice.readAll()).isEqualTo(cached);
        }
        return cached;
    }

    @Test
    void fetchesAtTheEndFindTheLastBatchesInMemoryAndOlderOnesInTheFile() {
        SegmentHandleCache cache = cacheWithTails(1);
        LogSegment segment = LogSegment.create(directory, 0, INDEX_BYTES, 0, cache, 5);
        BatchHeader[] batches = new BatchHeader[12];
        for (int index = 0; index < batches.length; index++) {
            batches[index] = append(segment, index, 10_000); // about 10 KB each: the tail fills up several times
        }
        BatchHeader last = batches[batches.length - 1];
        BatchHeader oneBehind = batches[batches.length - 2];
        assertThat(cachedAndEqualToTheFile(segment, last, last.sizeBytes())).isNotNull();
        assertThat(cachedAndEqualToTheFile(segment, oneBehind, last.endPosition() - oneBehind.position()))
                .as("a reader a batch behind is served from memory too, also right after the tail was replaced")
                .isNotNull();
        assertThat(cachedAndEqualToTheFile(segment, batches[0], batches[1].endPosition())).isNull();
        assertThat(segment.slice(batches[0].position(), batches[1].endPosition()).readAll())
                .isEqualTo(segment.read(0, batches[1].endPosition()));
        assertThat(cache.tailBudget().reservedBytes()).isEqualTo(TailBytes.CAPACITY_BYTES);
        segment.closeCleanly();
        assertThat(cache.tailBudget().reservedBytes()).isZero();
    }

    @Test
    void aTruncatedTailIsNeverServedAndTheAppendsAfterTheCutAre() {
        SegmentHandleCache cache = cacheWithTails(1);
        LogSegment segment = LogSegment.create(directory, 0, INDEX_BYTES, 0, cache, 5);
        append(segment, 0, 100);
        BatchHeader cut = append(segment, 1, 100);
        append(segment, 2, 100);
        segment.truncateTo(1);
        assertThat(cache.tailBudget().reservedBytes()).isZero();
        BatchHeader rewritten = append(segment, 1, 300); // a different batch where the cut one was
        assertThat(rewritten.position()).isEqualTo(cut.position());
        ByteBuffer cached = cachedAndEqualToTheFile(segment, rewritten, rewritten.sizeBytes());
        assertThat(cached).isNotNull();
        assertThat(RecordBatch.at(cached.duplicate()).baseOffset()).isEqualTo(1);
        segment.closeCleanly();
    }

    @Test
    void segmentsShareTheBudgetAndGiveItBackWhenTheyStopBeingActive() throws Exception {
        SegmentHandleCache cache = cacheWithTails(1);
        LogSegment first = LogSegment.create(directory, 0, INDEX_BYTES, 0, cache, 5);
        Path other = Files.createDirectory(directory.resolve("other"));
        LogSegment second = LogSegment.create(other, 0, INDEX_BYTES, 0, cache, 5);
        BatchHeader firstBatch = append(first, 0, 100);
        BatchHeader secondBatch = append(second, 0, 100);
        assertThat(cachedAndEqualToTheFile(first, firstBatch, firstBatch.sizeBytes())).isNotNull();
        assertThat(cachedAndEqualToTheFile(second, secondBatch, secondBatch.sizeBytes()))
                .as("the budget holds one tail").isNull();
        first.unpin(0); // rolled: a newer segment is the active one
        assertThat(cache.tailBudget().reservedBytes()).isZero();
        assertThat(cachedAndEqualToTheFile(first, firstBatch, firstBatch.sizeBytes())).isNull();
        BatchHeader next = append(second, 1, 100);
        assertThat(cachedAndEqualToTheFile(second, next, next.sizeBytes())).isNotNull();
        second.markDeleted();
        assertThat(cache.tailBudget().reservedBytes()).isZero();
        first.closeCleanly();
        second.deleteFiles();
    }

    @Test
    void anAppendTooLargeToKeepDropsTheTailAndACleanersOutputKeepsNone() {
        SegmentHandleCache cache = cacheWithTails(2);
        LogSegment segment = LogSegment.create(directory, 0, INDEX_BYTES, 0, cache, 5);
        append(segment, 0, 100);
        assertThat(cache.tailBudget().reservedBytes()).isEqualTo(TailBytes.CAPACITY_BYTES);
        BatchHeader large = append(segment, 1, TailBytes.CAPACITY_BYTES / 2);
        assertThat(cachedAndEqualToTheFile(segment, large, large.sizeBytes())).isNull();
        assertThat(cache.tailBudget().reservedBytes()).isZero();
        BatchHeader small = append(segment, 2, 100);
        assertThat(cachedAndEqualToTheFile(segment, small, small.sizeBytes())).isNotNull();

        LogSegment cleaned = LogSegment.createCleaned(segment, INDEX_BYTES, 5);
        ByteBuffer batch = TestBatches.batch(1000, "c");
        cleaned.append(batch, 4096);
        assertThat(cleaned.slice(0, cleaned.sizeBytes()).cachedBytes()).isNull();
        assertThat(cache.tailBudget().reservedBytes()).isEqualTo(TailBytes.CAPACITY_BYTES);
        cleaned.closeAbruptly();
        segment.closeCleanly();
        assertThat(cache.tailBudget().reservedBytes()).isZero();
    }
}
