package io.fjord.storage;

import static io.fjord.storage.CompactedLogFixture.append;
import static io.fjord.storage.CompactedLogFixture.compactConfig;
import static io.fjord.storage.CompactedLogFixture.copyDirectory;
import static io.fjord.storage.CompactedLogFixture.fileNames;
import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatches;
import io.fjord.protocol.records.TimestampType;
import io.fjord.storage.internal.SegmentFiles;
import io.fjord.storage.internal.cleaner.CleaningSteps;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crashes a clean of a log with committed and aborted transactions at each step of its swap (the partition directory
 * copied as the step leaves it) and recovers it: a read-committed reader, which skips the data of the aborted
 * transactions the {@code .txnindex} lists, must see the same values as before the clean, and no cleaner file may be
 * left.
 */
class LogCleanerTransactionsCrashTest {
    @TempDir
    Path root;
    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor();
    private final ManualClock clock = new ManualClock(1_000_000_000L);
    private final int[] sequences = new int[4];

    private record Snapshot(int index, CleaningSteps.Step step, Path directory) {
    }

    @AfterEach
    void stop() {
        background.shutdownNow();
    }

    private void send(PartitionLog log, int producerId, String key, String value) {
        Record record = new Record(0, clock.millis(), TestBatches.utf8(key), TestBatches.utf8(value), List.of());
        BatchSpec spec = new BatchSpec(0, CompressionType.NONE, TimestampType.CREATE_TIME, RecordBatch.NO_TIMESTAMP,
                producerId, (short) 0, sequences[producerId]++, true, false, RecordBatch.NO_PARTITION_LEADER_EPOCH,
                RecordBatch.NO_TIMESTAMP);
        log.appendAsLeader(RecordCodec.encode(spec, List.of(record)), 0);
    }

    @Test
    void recoversTheReadCommittedViewAfterACrashAtEveryStepOfEverySwap() {
        LogConfig config = compactConfig().with(LogConfig.SEGMENT_BYTES, 1500);
        PartitionLog log = CompactedLogFixture.open(root.resolve("live").resolve("orders-0"), config, clock,
                background, true, 0);
        for (int round = 0; round < 6; round++) {
            for (int producer = 1; producer <= 3; producer++) {
                send(log, producer, "k" + producer, "v" + round);
                send(log, producer, "k" + (producer + round) % 4, "w" + round + "-" + producer);
                boolean commit = (round + producer) % 3 != 0;
                log.appendTransactionMarkerAsLeader(producer, (short) 0, new TransactionMarker(commit, 0), 0);
                append(log, clock.millis(), "plain" + producer, "p" + round);
            }
            log.roll();
        }
        append(log, clock.millis(), "plain1", "active");
        log.updateHighWatermark(log.logEndOffset());
        Map<String, String> expected = readCommitted(log);
        long logEnd = log.logEndOffset();
        List<Snapshot> snapshots = new ArrayList<>();
        CleaningSteps steps = (step, directory) -> {
            int index = snapshots.size();
            Path copy = root.resolve("crash-" + index + "-" + step).resolve(directory.getFileName());
            copyDirectory(directory, copy);
            snapshots.add(new Snapshot(index, step, copy));
        };

        CleaningResult result = new LogCleaner(LogCleanerConfig.defaults(), () -> List.of(log), clock, steps)
                .clean(log).orElseThrow();

        assertThat(result.groupsSwapped()).isGreaterThanOrEqualTo(2);
        assertThat(readCommitted(log)).isEqualTo(expected);
        log.close();
        for (Snapshot snapshot : snapshots) {
            for (long recoveryPoint : new long[] {0, logEnd}) {
                Path copy = root.resolve("check-" + snapshot.index() + "-" + recoveryPoint).resolve("orders-0");
                copyDirectory(snapshot.directory(), copy);
                PartitionLog reopened = CompactedLogFixture.open(copy, config, clock, background, false,
                        recoveryPoint);
                try {
                    String description = snapshot + " from recovery point " + recoveryPoint;
                    assertThat(readCommitted(reopened)).as(description).isEqualTo(expected);
                    assertThat(reopened.logEndOffset()).as(description).isEqualTo(logEnd);
                    assertThat(fileNames(copy)).as(description).noneMatch(name ->
                            name.endsWith(SegmentFiles.SWAP_SUFFIX) || name.endsWith(SegmentFiles.CLEANED_SUFFIX));
                } finally {
                    reopened.close();
                }
            }
        }
    }

    /** The latest value of each key as a read-committed consumer sees it: aborted transactions' data skipped. */
    private static Map<String, String> readCommitted(PartitionLog log) {
        List<AbortedTransaction> aborted = log.abortedTransactions(log.logStartOffset(), log.logEndOffset());
        Map<String, String> latest = new LinkedHashMap<>();
        for (RecordBatch batch : RecordBatches.of(log.readAllFrom(log.logStartOffset()))) {
            if (batch.isControlBatch() || batch.isTransactional() && aborted.stream().anyMatch(entry ->
                    entry.producerId() == batch.producerId() && entry.firstOffset() <= batch.baseOffset()
                            && batch.baseOffset() <= entry.lastOffset())) {
                continue;
            }
            for (Record record : RecordCodec.decode(batch, Long.MAX_VALUE)) {
                String key = TestBatches.string(record.key());
                latest.remove(key);
                latest.put(key, TestBatches.string(record.value()));
            }
        }
        return latest;
    }
}
