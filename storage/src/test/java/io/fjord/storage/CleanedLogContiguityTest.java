package io.fjord.storage;

import static io.fjord.storage.CompactedLogFixture.append;
import static io.fjord.storage.CompactedLogFixture.commitAll;
import static io.fjord.storage.CompactedLogFixture.latest;
import static io.fjord.storage.CompactedLogFixture.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatches;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cleaning keeps a log's batches contiguous (dropped ranges become empty batches), so recovery can insist on
 * contiguous offsets for every log, and a topic switched from compact to delete loses nothing in recovery.
 */
class CleanedLogContiguityTest {
    @TempDir
    Path root;
    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor();
    private final ManualClock clock = new ManualClock(1_000_000_000L);

    @AfterEach
    void stop() {
        background.shutdownNow();
    }

    private static void assertContiguousFrom(PartitionLog log, long start) {
        ByteBuffer all = log.readAllFrom(start);
        long expected = start;
        int batches = 0;
        for (RecordBatch batch : RecordBatches.of(all)) {
            assertThat(batch.baseOffset()).as("batch %d starts where the previous one ended", batches).isEqualTo(expected);
            expected = batch.nextOffset();
            batches++;
        }
        assertThat(expected).isEqualTo(log.logEndOffset());
    }

    @Test
    void aCleanedLogStaysContiguousAndSurvivesRecoveryAfterThePolicyTurnsToDelete() {
        Path directory = root.resolve("users-0");
        PartitionLog log = CompactedLogFixture.open(directory, CompactedLogFixture.compactConfig(), clock, background,
                true, 0);
        // Many overwrites of few keys: most batches are dropped, leaving gaps between the survivors.
        for (int round = 0; round < 6; round++) {
            for (int key = 0; key < 5; key++) {
                append(log, clock.millis(), "key" + key, "value" + round);
                append(log, clock.millis(), "other" + (round * 5 + key), "once");
            }
            log.roll();
        }
        commitAll(log);
        Map<String, String> before = latest(readAll(log));
        LogCleaner cleaner = new LogCleaner(LogCleanerConfig.defaults(), () -> java.util.List.of(log), clock);
        assertThat(cleaner.clean(log)).isPresent();
        assertThat(log.sizeBytes()).isLessThan(6 * 10 * 80L);
        assertContiguousFrom(log, log.logStartOffset());
        assertThat(latest(readAll(log))).isEqualTo(before);
        long endOffset = log.logEndOffset();
        log.closeAbruptly();

        LogConfig deletePolicy = CompactedLogFixture.compactConfig().with(LogConfig.CLEANUP_POLICY, "delete");
        PartitionLog reopened = CompactedLogFixture.open(directory, deletePolicy, clock, background, false, 0);
        try {
            assertThat(reopened.logEndOffset()).isEqualTo(endOffset);
            assertContiguousFrom(reopened, reopened.logStartOffset());
            assertThat(latest(readAll(reopened))).isEqualTo(before);
        } finally {
            reopened.close();
        }
    }
}
