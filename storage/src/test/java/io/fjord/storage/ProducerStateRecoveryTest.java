package io.fjord.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.protocol.records.RecordBatchException;
import io.fjord.protocol.records.RecordBatchException.Kind;
import io.fjord.storage.internal.SegmentHandleCache;
import io.fjord.storage.internal.producer.ProducerSnapshotFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Producer state across restarts: crashes ({@code closeAbruptly}) with and without snapshots, clean closes, damaged
 * and stray snapshots, truncation and retention. Every scenario proves that retries are still recognized after the
 * reopen.
 */
class ProducerStateRecoveryTest {
    private static final long PRODUCER = 99;
    @TempDir
    Path root;
    private final QueuedExecutor background = new QueuedExecutor();
    private final ManualClock clock = new ManualClock(LogTestSupport.START_MS);
    private final int batchBytes = TestBatches.idempotent(PRODUCER, (short) 0, 0, 1, "v00").remaining();
    /** Three single-record batches per segment, so every third append rolls and writes a snapshot. */
    private final LogConfig config = LogConfig.defaults().with(LogConfig.SEGMENT_BYTES, 3 * batchBytes)
            .with(LogConfig.FILE_DELETE_DELAY_MS, 0);
    private PartitionLog log;

    @AfterEach
    void close() {
        if (log != null && !log.isClosed()) {
            log.close();
        }
    }

    private Path directory() {
        return root.resolve("producers-0");
    }

    private PartitionLog open(boolean cleanShutdown, long recoveryPoint) {
        log = PartitionLog.open(directory(), config, recoveryPoint, 0, cleanShutdown, clock,
                SegmentHandleCache.unbounded(), background);
        return log;
    }

    private AppendResult append(int sequence) {
        return log.appendAsLeader(TestBatches.idempotent(PRODUCER, (short) 0, sequence, clock.millis(),
                String.format("v%02d", sequence)), 0);
    }

    /** Appends sequences 0..count-1, one record per batch, at offsets 0..count-1. */
    private void appendSequences(int count) {
        for (int sequence = 0; sequence < count; sequence++) {
            assertThat(append(sequence).firstOffset()).isEqualTo(sequence);
        }
    }

    private List<Long> snapshotOffsets() throws IOException {
        try (Stream<Path> files = Files.list(directory())) {
            return files.map(file -> file.getFileName().toString())
                    .filter(name -> name.endsWith(ProducerSnapshotFiles.SUFFIX))
                    .map(name -> Long.parseLong(name.substring(0, 20))).sorted().toList();
        }
    }

    private void crashAndReopen() {
        long recoveryPoint = log.recoveryPoint();
        log.closeAbruptly();
        open(false, recoveryPoint);
    }

    /** Sequences lastSequence-4..lastSequence are retries with their offsets; the next one continues. */
    private void assertDeduplicates(int lastSequence, long lastOffsetOfLastSequence) {
        long end = log.logEndOffset();
        for (int sequence = Math.max(0, lastSequence - 4); sequence <= lastSequence; sequence++) {
            AppendResult retry = append(sequence);
            assertThat(retry.duplicate()).as("retry of sequence %d", sequence).isTrue();
            assertThat(retry.firstOffset()).isEqualTo(lastOffsetOfLastSequence - (lastSequence - sequence));
        }
        assertThat(log.logEndOffset()).isEqualTo(end);
        if (lastSequence >= 5) {
            int tooOld = lastSequence - 5;
            assertThatThrownBy(() -> append(tooOld)).isInstanceOfSatisfying(RecordBatchException.class,
                    e -> assertThat(e.kind()).isEqualTo(Kind.OUT_OF_ORDER_SEQUENCE_NUMBER));
        }
        assertThat(append(lastSequence + 1).firstOffset()).isEqualTo(end);
    }

    @Test
    void rollsWriteSnapshotsAndOnlyTheLastTwoAreKept() throws IOException {
        open(true, 0);
        appendSequences(10);
        assertThat(log.segmentBaseOffsets()).containsExactly(0L, 3L, 6L, 9L);
        assertThat(snapshotOffsets()).containsExactly(6L, 9L);
    }

    @Test
    void deduplicationSurvivesACrashWithSnapshots() throws IOException {
        open(true, 0);
        appendSequences(11);
        Map<Long, ProducerState> before = log.producerStates();
        crashAndReopen();
        assertThat(snapshotOffsets()).containsExactly(6L, 9L);
        assertThat(log.producerStates()).isEqualTo(before);
        assertDeduplicates(10, 10);
    }

    @Test
    void deduplicationSurvivesACrashWithoutAnySnapshot() throws IOException {
        open(true, 0);
        appendSequences(11);
        Map<Long, ProducerState> before = log.producerStates();
        log.closeAbruptly();
        for (long offset : snapshotOffsets()) {
            Files.delete(new ProducerSnapshotFiles(directory()).file(offset));
        }
        open(false, 0);
        assertThat(log.producerStates()).isEqualTo(before);
        assertDeduplicates(10, 10);
    }

    @Test
    void aDamagedNewestSnapshotFallsBackToTheOlderOne() throws IOException {
        open(true, 0);
        appendSequences(11);
        Map<Long, ProducerState> before = log.producerStates();
        log.closeAbruptly();
        Path newest = new ProducerSnapshotFiles(directory()).file(9);
        byte[] bytes = Files.readAllBytes(newest);
        bytes[bytes.length - 1] ^= 1;
        Files.write(newest, bytes);
        // Recovery re-validates the last segment (base 9), so the replay starts from a snapshot at or below 9.
        open(false, 9);
        assertThat(snapshotOffsets()).doesNotContain(9L);
        assertThat(log.producerStates()).isEqualTo(before);
        assertDeduplicates(10, 10);
    }

    @Test
    void aCleanCloseSnapshotsTheLogEndSoTheReopenReadsNoBatches() throws IOException {
        open(true, 0);
        appendSequences(8);
        Map<Long, ProducerState> before = log.producerStates();
        log.close();
        assertThat(snapshotOffsets()).containsExactly(6L, 8L);
        // Remove the data the snapshot covers: only the snapshot can restore the state now.
        Files.delete(directory().resolve(String.format("%020d.log", 0)));
        Files.delete(directory().resolve(String.format("%020d.log", 3)));
        Files.delete(directory().resolve(String.format("%020d.index", 0)));
        Files.delete(directory().resolve(String.format("%020d.timeindex", 0)));
        Files.delete(directory().resolve(String.format("%020d.index", 3)));
        Files.delete(directory().resolve(String.format("%020d.timeindex", 3)));
        open(true, 8);
        assertThat(log.producerStates()).isEqualTo(before);
        assertDeduplicates(7, 7);
    }

    @Test
    void snapshotsAboveTheLogEndAreDeletedOnOpen() throws IOException {
        open(true, 0);
        appendSequences(4);
        log.close();
        ProducerState stray = new ProducerState(PRODUCER, (short) 0,
                List.of(new ProducerState.Batch(0, 99, 0, 99, 1)), 1, -1, -1);
        new ProducerSnapshotFiles(directory()).write(50, List.of(stray), false);
        open(false, 0);
        assertThat(snapshotOffsets()).doesNotContain(50L);
        assertThat(log.producerStates().get(PRODUCER).lastSequence()).isEqualTo(3);
        assertDeduplicates(3, 3);
    }

    @Test
    void truncationRebuildsTheStateAndSurvivesACrash() throws IOException {
        open(true, 0);
        appendSequences(11);
        log.truncateTo(7);
        assertThat(log.logEndOffset()).isEqualTo(7);
        assertThat(snapshotOffsets()).as("the snapshot at 9 is above the new end").containsExactly(6L);
        assertThat(log.producerStates().get(PRODUCER).lastSequence()).isEqualTo(6);
        crashAndReopen();
        assertThat(log.producerStates().get(PRODUCER).lastSequence()).isEqualTo(6);
        assertDeduplicates(6, 6);
    }

    @Test
    void truncationBelowEverySnapshotRebuildsFromTheLog() throws IOException {
        open(true, 0);
        appendSequences(11);
        log.truncateTo(2);
        assertThat(snapshotOffsets()).isEmpty();
        assertThat(log.producerStates().get(PRODUCER).lastSequence()).isEqualTo(1);
        crashAndReopen();
        assertDeduplicates(1, 1);
    }

    @Test
    void truncatingFullyForgetsEveryProducer() throws IOException {
        open(true, 0);
        appendSequences(7);
        log.truncateFullyAndStartAt(100);
        assertThat(snapshotOffsets()).isEmpty();
        assertThat(log.producerStates()).isEmpty();
        crashAndReopen();
        assertThat(log.producerStates()).isEmpty();
        assertThat(append(0).firstOffset()).isEqualTo(100);
    }

    @Test
    void retentionDeletesOlderSnapshotsButTheStateOutlivesTheDataAcrossACrash() throws IOException {
        open(true, 0);
        appendSequences(9);
        assertThat(snapshotOffsets()).containsExactly(3L, 6L);
        log.updateHighWatermark(9);
        log.maybeAdvanceLogStartOffset(6);
        assertThat(log.deleteOldSegments()).isEqualTo(2);
        assertThat(log.logStartOffset()).isEqualTo(6);
        assertThat(snapshotOffsets()).containsExactly(6L);
        crashAndReopen();
        // Batches of sequences 4 and 5 were deleted, yet their retries are still recognized.
        assertDeduplicates(8, 8);
    }

    @Test
    void retentionOfEverySegmentKeepsTheStateInTheSnapshotOfTheNewSegment() throws IOException {
        open(true, 0);
        appendSequences(9);
        log.updateHighWatermark(9);
        log.maybeAdvanceLogStartOffset(9);
        assertThat(log.deleteOldSegments()).isEqualTo(3);
        assertThat(snapshotOffsets()).containsExactly(9L);
        crashAndReopen();
        assertThat(log.logStartOffset()).isEqualTo(9);
        assertDeduplicates(8, 8);
    }
}
