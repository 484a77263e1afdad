package io.fjord.storage;

import static io.fjord.storage.CompactedLogFixture.append;
import static io.fjord.storage.CompactedLogFixture.latest;
import static io.fjord.storage.CompactedLogFixture.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The log manager runs the cleaner: compacted logs it owns shrink in the background and keep their latest values. */
class LogManagerCompactionTest {
    @TempDir
    Path root;

    @Test
    void theBackgroundCleanerCompactsAManagedLogAndSurvivesARestart() {
        LogManagerConfig config = LogManagerTestSupport.config(List.of(root.resolve("data")),
                Map.of("log.cleaner.backoff.ms", "20"));
        LogManager manager = new LogManager(config, InstantSource.system());
        manager.startup();
        TopicPartition partition = new TopicPartition("profiles", 0);
        PartitionLog log = manager.getOrCreateLog(partition, CompactedLogFixture.compactConfig());
        for (int round = 0; round < 8; round++) {
            for (int key = 0; key < 10; key++) {
                append(log, System.currentTimeMillis(), "user" + key, "name" + round);
            }
            log.roll();
        }
        log.updateHighWatermark(log.logEndOffset());
        Map<String, String> expected = latest(readAll(log));
        long sizeBefore = log.sizeBytes();

        // The cleaner swaps the segments in, then records its checkpoint: wait for both.
        await().atMost(Duration.ofSeconds(30)).until(() -> log.sizeBytes() < sizeBefore / 2
                && manager.cleaner().checkpoints().containsKey(partition));
        assertThat(latest(readAll(log))).isEqualTo(expected);
        assertThat(readAll(log)).hasSizeLessThan(8 * 10 / 2);
        assertThat(manager.cleaner().checkpoints()).containsKey(partition);
        manager.shutdown();

        LogManager restarted = new LogManager(config, InstantSource.system());
        restarted.startup(topic -> CompactedLogFixture.compactConfig());
        try {
            PartitionLog reopened = restarted.getLog(partition).orElseThrow();
            assertThat(latest(readAll(reopened))).isEqualTo(expected);
        } finally {
            restarted.shutdown();
        }
    }
}
