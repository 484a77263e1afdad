package io.fjord.storage;

import static io.fjord.storage.CompactedLogFixture.append;
import static io.fjord.storage.CompactedLogFixture.compactConfig;
import static io.fjord.storage.CompactedLogFixture.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatches;
import io.fjord.protocol.records.TimestampType;
import io.fjord.storage.internal.cleaner.CleanableRange;
import io.fjord.storage.internal.cleaner.Cleaner;
import io.fjord.storage.internal.cleaner.CleaningSteps;
import io.fjord.storage.internal.cleaner.OffsetMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compaction of a log with transactions, Kafka's rules: never past the last stable offset; aborted data removed
 * (with the {@code .txnindex}); markers kept while their transaction's batches precede them, then stamped with a delete
 * horizon and removed once it passed; each producer's last batch kept (emptied) so idempotence survives.
 */
class LogCleanerTransactionsTest {
    private static final long RETENTION_MS = 60_000;

    @TempDir
    Path root;
    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor();
    private final ManualClock clock = new ManualClock(1_000_000_000L);
    private final Map<Long, Integer> sequences = new HashMap<>();
    private final LogConfig config = compactConfig().with(Map.of(LogConfig.DELETE_RETENTION_MS,
            String.valueOf(RETENTION_MS), LogConfig.FILE_DELETE_DELAY_MS, "0"));
    private PartitionLog log;

    @AfterEach
    void stop() {
        if (log != null && !log.isClosed()) {
            log.close();
        }
        background.shutdownNow();
    }

    private PartitionLog open() {
        log = CompactedLogFixture.open(root.resolve("orders-0"), config, clock, background, true, 0);
        return log;
    }

    /** One transactional (or only idempotent) record of {@code producerId} at epoch 0; returns its offset. */
    private long send(long producerId, boolean transactional, String key, String value) {
        int sequence = sequences.merge(producerId, 1, Integer::sum) - 1;
        Record record = new Record(0, clock.millis(), TestBatches.utf8(key), TestBatches.utf8(value), List.of());
        BatchSpec spec = new BatchSpec(0, CompressionType.NONE, TimestampType.CREATE_TIME, RecordBatch.NO_TIMESTAMP,
                producerId, (short) 0, sequence, transactional, false, RecordBatch.NO_PARTITION_LEADER_EPOCH,
                RecordBatch.NO_TIMESTAMP);
        return log.appendAsLeader(RecordCodec.encode(spec, List.of(record)), 0).firstOffset();
    }

    private long end(long producerId, short epoch, boolean commit) {
        return log.appendTransactionMarkerAsLeader(producerId, epoch, new TransactionMarker(commit, 0), 0)
                .firstOffset();
    }

    /** One pass over the whole cleanable range (no checkpoint), as a later clean of the log would make it. */
    private CleaningResult cleanPass() {
        Cleaner cleaner = new Cleaner(new OffsetMap(1 << 20, 0.9), 64 * 1024, clock, CleaningSteps.NONE);
        return cleaner.clean(CleanableRange.of(log, -1, clock.millis()), () -> false);
    }

    private List<RecordBatch> batches() {
        List<RecordBatch> batches = new ArrayList<>();
        RecordBatches.of(log.readAllFrom(log.logStartOffset())).forEach(batches::add);
        return batches;
    }

    private RecordBatch batchEndingAt(long lastOffset) {
        return batches().stream().filter(batch -> batch.lastOffset() == lastOffset).findFirst().orElseThrow();
    }

    private List<Long> controlBatchOffsets() {
        return batches().stream().filter(RecordBatch::isControlBatch).map(RecordBatch::baseOffset).toList();
    }

    private List<String> keyValues() {
        return readAll(log).stream().filter(record -> !batchAt(record.offset()).isControlBatch())
                .map(record -> record.key() + "=" + record.value() + "@" + record.offset()).toList();
    }

    private RecordBatch batchAt(long offset) {
        return batches().stream().filter(batch -> batch.baseOffset() <= offset && offset <= batch.lastOffset())
                .findFirst().orElseThrow();
    }

    @Test
    void removesAbortedDataKeepsCommittedDataAndIndexesOnlyTheAbortsStillMarked() {
        open();
        send(1, true, "a", "committed");
        long commit = end(1, (short) 0, true);
        long abortedFirst = send(2, true, "a", "aborted");
        send(2, true, "b", "aborted");
        long abort = end(2, (short) 0, false);
        append(log, clock.millis(), "c", "1");
        log.roll();
        // Both producers go on in the active segment, so no batch above is a producer's last one.
        send(1, true, "x", "1");
        end(1, (short) 0, true);
        send(2, true, "y", "1");
        end(2, (short) 0, true);
        log.updateHighWatermark(log.logEndOffset());

        cleanPass();

        // The aborted value of "a" was not mapped, so the committed one stays; no aborted record is left.
        assertThat(keyValues()).startsWith("a=committed@0", "c=1@5").noneMatch(entry -> entry.contains("aborted"));
        // Both markers stay: their transactions' batches were read before them in this pass.
        assertThat(controlBatchOffsets()).contains(commit, abort);
        assertThat(log.abortedTransactions(0, Long.MAX_VALUE))
                .containsExactly(new AbortedTransaction(2, abortedFirst, abort, abort + 1));
    }

    @Test
    void markersStayUntilTheirDataIsGoneThenGetADeleteHorizonAndLeaveAfterIt() throws IOException {
        open();
        send(1, true, "a", "committed");
        long commit = end(1, (short) 0, true);
        send(2, true, "b", "aborted");
        long abort = end(2, (short) 0, false);
        append(log, clock.millis(), "a", "newer");
        log.roll();
        send(1, true, "x", "1");
        end(1, (short) 0, true);
        send(2, true, "y", "1");
        end(2, (short) 0, true);
        log.updateHighWatermark(log.logEndOffset());

        cleanPass();
        assertThat(controlBatchOffsets()).contains(commit, abort);
        assertThat(batchEndingAt(commit).hasDeleteHorizon()).isFalse();
        assertThat(batchEndingAt(abort).hasDeleteHorizon()).isFalse();
        assertThat(transactionIndexEntries(0)).isEqualTo(1);

        // No batch of either transaction is left: the markers get a horizon, the abort's index entry goes.
        cleanPass();
        assertThat(controlBatchOffsets()).contains(commit, abort);
        long horizon = clock.millis() + RETENTION_MS;
        assertThat(batchEndingAt(commit).deleteHorizonMs()).isEqualTo(horizon);
        assertThat(batchEndingAt(abort).deleteHorizonMs()).isEqualTo(horizon);
        assertThat(transactionIndexEntries(0)).isZero();
        assertThat(log.abortedTransactions(0, log.activeSegment().baseOffset())).isEmpty();

        clock.advance(RETENTION_MS - 1);
        cleanPass();
        assertThat(controlBatchOffsets()).contains(commit, abort);
        assertThat(batchEndingAt(abort).deleteHorizonMs()).isEqualTo(horizon);

        clock.advance(1);
        cleanPass();
        assertThat(controlBatchOffsets()).doesNotContain(commit, abort);
        assertThat(keyValues()).startsWith("a=newer@4");
    }

    @Test
    void neverCleansBeyondTheLastStableOffset() {
        open();
        append(log, clock.millis(), "k", "1");
        long open = send(3, true, "t", "open");
        append(log, clock.millis(), "k", "2");
        append(log, clock.millis(), "k", "3");
        log.roll();
        append(log, clock.millis(), "z", "1");
        log.updateHighWatermark(log.logEndOffset());
        assertThat(log.lastStableOffset()).isEqualTo(open);

        CleanableRange range = CleanableRange.of(log, -1, clock.millis());
        assertThat(range.firstUncleanableOffset()).isEqualTo(open);
        CleaningResult result = new LogCleaner(LogCleanerConfig.defaults(), () -> List.of(log), clock).clean(log)
                .orElseThrow();

        assertThat(result.endOffset()).isEqualTo(open);
        assertThat(keyValues()).startsWith("k=1@0", "t=open@1", "k=2@2", "k=3@3");

        end(3, (short) 0, true);
        log.updateHighWatermark(log.logEndOffset());
        assertThat(CleanableRange.of(log, -1, clock.millis()).firstUncleanableOffset())
                .isEqualTo(log.activeSegment().baseOffset());
    }

    @Test
    void keepsEachProducersLastBatchEmptiedSoItsSequenceSurvivesRecovery() throws IOException {
        open();
        long last = send(5, false, "a", "1");
        append(log, clock.millis(), "a", "2");
        log.roll();
        append(log, clock.millis(), "z", "1");
        log.updateHighWatermark(log.logEndOffset());

        cleanPass();

        RecordBatch kept = batchAt(last);
        assertThat(kept.baseOffset()).isEqualTo(last);
        assertThat(kept.recordCount()).isZero();
        assertThat(kept.producerId()).isEqualTo(5);
        assertThat(kept.lastSequence()).isZero();
        assertThat(kept.isCrcValid()).isTrue();
        assertThat(keyValues()).startsWith("a=2@1");

        // Recovery from the log alone (no producer snapshot) still knows the producer's last sequence.
        log.close();
        try (Stream<Path> files = Files.list(root.resolve("orders-0"))) {
            for (Path file : files.filter(file -> file.toString().endsWith(".snapshot")).toList()) {
                Files.delete(file);
            }
        }
        log = CompactedLogFixture.open(root.resolve("orders-0"), config, clock, background, false, 0);
        assertThat(log.producerStates().get(5L).lastSequence()).isZero();
    }

    @Test
    void keepsTheMarkerCarryingAProducersLatestEpochAsAnEmptyControlBatch() {
        open();
        send(6, true, "m", "1");
        long marker = end(6, (short) 1, true); // the marker bumps the epoch: no data batch of epoch 1 exists
        append(log, clock.millis(), "m", "2");
        log.roll();
        append(log, clock.millis(), "z", "1");
        log.updateHighWatermark(log.logEndOffset());

        cleanPass();
        cleanPass();
        clock.advance(RETENTION_MS);
        cleanPass();

        RecordBatch kept = batchAt(marker);
        assertThat(kept.baseOffset()).isEqualTo(marker);
        assertThat(kept.isControlBatch()).isTrue();
        assertThat(kept.isTransactional()).isTrue();
        assertThat(kept.recordCount()).isZero();
        assertThat(kept.producerEpoch()).isEqualTo((short) 1);
        assertThat(kept.isCrcValid()).isTrue();
        assertThat(keyValues()).containsExactly("m=2@2", "z=1@3");
    }

    private long transactionIndexEntries(long segmentBase) throws IOException {
        Path file = root.resolve("orders-0").resolve(String.format("%020d.txnindex", segmentBase));
        return Files.exists(file) ? Files.size(file) / 34 : 0;
    }
}
