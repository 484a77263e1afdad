package io.fjord.storage;

import static io.fjord.storage.LogManagerTestSupport.appendValues;
import static io.fjord.storage.LogManagerTestSupport.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fjord.storage.internal.OffsetCheckpointFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The high watermarks in each data directory's {@code replication-offset-checkpoint}. */
class LogManagerHighWatermarkTest {
    private static final Duration WAIT_MAX = Duration.ofSeconds(30);
    private static final TopicPartition PARTITION = new TopicPartition("t", 0);

    @TempDir
    Path root;
    private final StartedLogManagers managers = new StartedLogManagers();
    private final ManualClock clock = managers.clock;

    @AfterEach
    void stopAll() {
        managers.close();
    }

    private LogManager start(Map<String, String> extra) {
        return managers.start(List.of(root.resolve("a")), extra);
    }

    private Map<TopicPartition, Long> checkpointed() {
        return new OffsetCheckpointFile(root.resolve("a").resolve("replication-offset-checkpoint")).read();
    }

    @Test
    void theIntervalHasKafkasNameAndDefault() {
        assertThat(LogManagerConfig.defaults(root).highWatermarkCheckpointIntervalMs()).isEqualTo(5_000);
        assertThat(config(List.of(root), Map.of("replica.high.watermark.checkpoint.interval.ms", "250"))
                .highWatermarkCheckpointIntervalMs()).isEqualTo(250);
    }

    @Test
    void aCleanShutdownWritesTheHighWatermarksAndTheRestartedLogsOpenWithThem() {
        LogManager manager = start(Map.of());
        PartitionLog log = manager.getOrCreateLog(PARTITION, manager.config().defaultLogConfig());
        appendValues(log, "x", 10, clock.millis());
        log.updateHighWatermark(7);
        manager.shutdown();
        assertThat(checkpointed()).containsExactlyEntriesOf(Map.of(PARTITION, 7L));

        PartitionLog reopened = start(Map.of()).getLog(PARTITION).orElseThrow();
        assertThat(reopened.highWatermark()).isEqualTo(7);
        assertThat(reopened.logEndOffset()).isEqualTo(10);
    }

    @Test
    void thePeriodicCheckpointSurvivesACrashAndIsCappedToTheRecoveredLogEnd() throws Exception {
        LogManager manager = start(Map.of("replica.high.watermark.checkpoint.interval.ms", "20"));
        PartitionLog log = manager.getOrCreateLog(PARTITION, manager.config().defaultLogConfig());
        appendValues(log, "x", 10, clock.millis());
        log.flush();
        log.updateHighWatermark(10);
        await().atMost(WAIT_MAX).until(() -> checkpointed().getOrDefault(PARTITION, -1L) == 10L);
        manager.crashForTesting();
        // The crash lost the last batches: the recovered log ends below the checkpointed high watermark.
        Path segment = root.resolve("a").resolve("t-0").resolve(String.format("%020d.log", 0));
        long keep = Files.size(segment) * 6 / 10;
        try (var channel = java.nio.channels.FileChannel.open(segment, java.nio.file.StandardOpenOption.WRITE)) {
            channel.truncate(keep);
        }

        PartitionLog reopened = start(Map.of()).getLog(PARTITION).orElseThrow();
        assertThat(reopened.logEndOffset()).isBetween(1L, 9L);
        assertThat(reopened.highWatermark()).isEqualTo(reopened.logEndOffset());
    }

    @Test
    void aLogWithoutACheckpointedHighWatermarkStartsAtItsLogStart() {
        LogManager manager = start(Map.of());
        PartitionLog log = manager.getOrCreateLog(PARTITION, manager.config().defaultLogConfig());
        appendValues(log, "x", 5, clock.millis());
        log.flush();
        manager.crashForTesting();
        assertThat(start(Map.of()).getLog(PARTITION).orElseThrow().highWatermark()).isZero();
    }
}
