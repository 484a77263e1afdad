package io.fjord.storage;

import static io.fjord.storage.CompactedLogFixture.append;
import static io.fjord.storage.CompactedLogFixture.commitAll;
import static io.fjord.storage.CompactedLogFixture.compactConfig;
import static io.fjord.storage.CompactedLogFixture.fileNames;
import static io.fjord.storage.CompactedLogFixture.keys;
import static io.fjord.storage.CompactedLogFixture.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fjord.storage.internal.SegmentFiles;
import io.fjord.storage.internal.cleaner.CleaningSteps;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogCleanerThreadsTest {
    @TempDir
    Path root;
    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor();
    private final ManualClock clock = new ManualClock(1_000_000_000L);

    @AfterEach
    void stop() {
        background.shutdownNow();
    }

    private PartitionLog dirtyLog(String name) {
        PartitionLog log = CompactedLogFixture.open(root.resolve(name), compactConfig(), clock, background, true, 0);
        for (int round = 0; round < 3; round++) {
            for (int key = 0; key < 5; key++) {
                append(log, clock.millis(), "k" + key, "v" + round);
            }
            log.roll();
        }
        commitAll(log);
        return log;
    }

    @Test
    void threadsCleanEligibleLogsAndStopOnShutdown() {
        List<PartitionLog> logs = new ArrayList<>(List.of(dirtyLog("a-0"), dirtyLog("b-0")));
        LogCleaner cleaner = new LogCleaner(LogCleanerConfig.fromProperties(java.util.Map.of(
                LogCleanerConfig.THREADS, "2", LogCleanerConfig.BACKOFF_MS, "60000")), () -> logs, clock);
        cleaner.start();
        try {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                for (PartitionLog log : logs) {
                    assertThat(cleaner.checkpoints()).containsEntry(log.topicPartition(), 15L);
                }
            });
            for (PartitionLog log : logs) {
                assertThat(keys(readAll(log))).containsExactly("k0", "k1", "k2", "k3", "k4");
            }
        } finally {
            long started = System.nanoTime();
            cleaner.shutdown(); // must not wait out the 60 s back-off
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
            logs.forEach(PartitionLog::close);
        }
        assertThat(cleaner.isRunning()).isFalse();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(thread ->
                thread.getName().startsWith("fjord-log-cleaner-") && thread.isAlive());
    }

    @Test
    void threadsMakeTheirOffsetMapOnlyWhenALogNeedsCleaning() {
        // The dedupe buffer (128 MiB by default) cost each node CPU at start-up when it was made with the thread.
        List<PartitionLog> logs = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicInteger passes = new java.util.concurrent.atomic.AtomicInteger();
        LogCleaner cleaner = new LogCleaner(LogCleanerConfig.fromProperties(java.util.Map.of(
                LogCleanerConfig.THREADS, "2", LogCleanerConfig.BACKOFF_MS, "10")), () -> {
                    passes.incrementAndGet();
                    return logs;
                }, clock);
        cleaner.start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> passes.get() >= 6);
            assertThat(cleaner.offsetMapsMade()).isZero();
            PartitionLog log = dirtyLog("a-0");
            logs.add(log);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(cleaner.checkpoints()).containsEntry(log.topicPartition(), 15L));
            assertThat(cleaner.offsetMapsMade()).isEqualTo(1);
        } finally {
            cleaner.shutdown();
            logs.forEach(PartitionLog::close);
        }
    }

    @Test
    void disabledCleanerStartsNoThreads() {
        LogCleaner cleaner = new LogCleaner(LogCleanerConfig.fromProperties(java.util.Map.of(
                LogCleanerConfig.ENABLE, "false")), List::of, clock);
        cleaner.start();
        assertThat(cleaner.isRunning()).isFalse();
        cleaner.shutdown();
    }

    @Test
    void abortAndPauseStopsARunningCleanAndDiscardsItsOutput() throws Exception {
        PartitionLog log = dirtyLog("orders-0");
        List<String> filesBefore = fileNames(log.directory());
        AtomicReference<Thread> aborter = new AtomicReference<>();
        AtomicReference<LogCleaner> cleanerReference = new AtomicReference<>();
        CleaningSteps steps = (step, directory) -> {
            if (step == CleaningSteps.Step.CLEANED_WRITTEN && aborter.get() == null) {
                Thread thread = new Thread(() -> cleanerReference.get().abortAndPause(log.topicPartition()));
                aborter.set(thread);
                thread.start();
                // The aborter waits for this clean to stop; only then may this clean go on.
                await().atMost(Duration.ofSeconds(30)).until(() -> thread.getState() == Thread.State.TIMED_WAITING);
            }
        };
        LogCleaner cleaner = new LogCleaner(LogCleanerConfig.defaults(), () -> List.of(log), clock, steps);
        cleanerReference.set(cleaner);

        Optional<CleaningResult> result = cleaner.clean(log);

        assertThat(result).isEmpty();
        aborter.get().join(30_000);
        assertThat(aborter.get().isAlive()).isFalse();
        assertThat(fileNames(log.directory())).isEqualTo(filesBefore)
                .noneMatch(name -> name.endsWith(SegmentFiles.CLEANED_SUFFIX));
        assertThat(readAll(log)).hasSize(15);
        assertThat(cleaner.clean(log)).as("paused").isEmpty();

        cleaner.resume(log.topicPartition());
        assertThat(cleaner.clean(log)).isPresent();
        assertThat(readAll(log)).hasSize(5);
        log.close();
    }
}
