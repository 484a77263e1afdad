package io.fjord.storage;

import static io.fjord.storage.CompactedLogFixture.append;
import static io.fjord.storage.CompactedLogFixture.commitAll;
import static io.fjord.storage.CompactedLogFixture.compactConfig;
import static io.fjord.storage.CompactedLogFixture.latest;
import static io.fjord.storage.CompactedLogFixture.readAll;
import static io.fjord.storage.CompactedLogFixture.readAllConcurrently;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Readers running while segments are cleaned and swapped always see valid batches and every key. */
class LogCleanerConcurrentReadTest {
    @TempDir
    Path root;
    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor();
    private final ManualClock clock = new ManualClock(1_000_000_000L);

    @AfterEach
    void stop() {
        background.shutdownNow();
    }

    @Test
    void readsDuringCleaningSeeValidBatchesAndNoHoles() throws InterruptedException {
        LogConfig config = compactConfig().with(Map.of(LogConfig.SEGMENT_BYTES, "1200",
                LogConfig.FILE_DELETE_DELAY_MS, "0"));
        PartitionLog log = CompactedLogFixture.open(root.resolve("orders-0"), config, clock, background, true, 0);
        Set<String> keys = new HashSet<>();
        for (int round = 0; round < 4; round++) {
            for (int key = 0; key < 20; key++) {
                append(log, clock.millis(), "k" + key, "v" + round);
                keys.add("k" + key);
            }
        }
        commitAll(log);
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger passes = new AtomicInteger();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            while (!done.get() || passes.get() == 0) {
                try {
                    assertThat(latest(readAllConcurrently(log)).keySet()).containsAll(keys);
                    passes.incrementAndGet();
                } catch (Throwable e) {
                    failures.add(e);
                    return;
                }
            }
        }, "reader");
        reader.start();
        LogCleaner cleaner = new LogCleaner(LogCleanerConfig.defaults(), () -> List.of(log), clock);
        int cleans = 0;
        try {
            for (int round = 4; round < 40 && failures.isEmpty(); round++) {
                for (int key = 0; key < 20; key += 1 + round % 3) {
                    append(log, clock.millis(), "k" + key, "v" + round);
                }
                log.roll();
                commitAll(log);
                if (cleaner.clean(log).isPresent()) {
                    cleans++;
                }
            }
        } finally {
            done.set(true);
            reader.join(60_000);
        }
        assertThat(reader.isAlive()).isFalse();
        assertThat(failures).isEmpty();
        assertThat(cleans).isGreaterThan(30);
        assertThat(passes.get()).isPositive();
        assertThat(latest(readAll(log))).containsEntry("k0", "v39").hasSize(20);
        log.close();
    }
}
