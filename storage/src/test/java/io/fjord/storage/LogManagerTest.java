package io.fjord.storage;

import static io.fjord.storage.LogManagerTestSupport.appendValues;
import static io.fjord.storage.LogManagerTestSupport.config;
import static io.fjord.storage.LogManagerTestSupport.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fjord.storage.internal.OffsetCheckpointFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogManagerTest {
    private static final Duration WAIT_MAX = Duration.ofSeconds(10);

    @TempDir
    Path root;
    private final StartedLogManagers managers = new StartedLogManagers();
    private final ManualClock clock = managers.clock;

    @AfterEach
    void stopAll() {
        managers.close();
    }

    private List<Path> dirs(String... names) {
        return Stream.of(names).map(root::resolve).toList();
    }

    private LogManager start(List<Path> dirs, Map<String, String> extra) {
        return managers.start(dirs, extra);
    }

    private static TopicPartition partition(String topic, int number) {
        return new TopicPartition(topic, number);
    }

    @Test
    void placesNewLogsInTheDirectoryWithFewestAndReloadsThemThere() {
        List<Path> dirs = dirs("a", "b", "c");
        LogManager manager = start(dirs, Map.of());
        LogConfig topic = manager.config().defaultLogConfig().with(LogConfig.SEGMENT_BYTES, 300);
        Map<TopicPartition, List<String>> expected = new HashMap<>();
        for (int number = 0; number < 4; number++) {
            PartitionLog log = manager.getOrCreateLog(partition("orders", number), topic);
            expected.put(log.topicPartition(), appendValues(log, "v" + number + "-", 10 + number, clock.millis()));
        }
        assertThat(manager.getOrCreateLog(partition("orders", 0), topic))
                .isSameAs(manager.getLog(partition("orders", 0)).orElseThrow());
        assertThat(manager.logDirectoryOf(partition("orders", 0))).contains(dirs.get(0));
        assertThat(manager.logDirectoryOf(partition("orders", 1))).contains(dirs.get(1));
        assertThat(manager.logDirectoryOf(partition("orders", 2))).contains(dirs.get(2));
        assertThat(manager.logDirectoryOf(partition("orders", 3))).contains(dirs.get(0)); // tie: first listed
        assertThat(manager.deleteLog(partition("orders", 1))).isTrue();
        expected.remove(partition("orders", 1));
        PartitionLog fifth = manager.getOrCreateLog(partition("orders", 4), topic);
        assertThat(manager.logDirectoryOf(partition("orders", 4))).contains(dirs.get(1)); // b is now emptiest
        expected.put(fifth.topicPartition(), appendValues(fifth, "w", 3, clock.millis()));
        Map<TopicPartition, Path> placement = new HashMap<>();
        Map<TopicPartition, Long> endOffsets = new HashMap<>();
        for (PartitionLog log : manager.allLogs()) {
            placement.put(log.topicPartition(), manager.logDirectoryOf(log.topicPartition()).orElseThrow());
            endOffsets.put(log.topicPartition(), log.logEndOffset());
        }
        manager.shutdown();

        LogManager reloaded = start(dirs, Map.of());
        assertThat(reloaded.allLogs()).hasSize(4);
        for (Map.Entry<TopicPartition, List<String>> entry : expected.entrySet()) {
            PartitionLog log = reloaded.getLog(entry.getKey()).orElseThrow();
            assertThat(reloaded.logDirectoryOf(entry.getKey())).contains(placement.get(entry.getKey()));
            assertThat(log.logEndOffset()).isEqualTo(endOffsets.get(entry.getKey()));
            assertThat(values(log.readAllFrom(0))).containsExactlyElementsOf(entry.getValue());
        }
        assertThat(reloaded.getLog(partition("orders", 1))).isEmpty();
    }

    @Test
    void aSecondManagerOnTheSameDirectoriesFailsFastAndHoldsNothing() {
        start(dirs("b"), Map.of());
        LogManager second = new LogManager(config(dirs("a", "b"), Map.of()), clock);
        assertThatThrownBy(second::startup)
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("Failed to acquire lock")
                .hasMessageContaining(root.resolve("b").toString());
        assertThat(second.isRunning()).isFalse();
        // The failed start released the lock it had taken on "a".
        start(dirs("a"), Map.of());
    }

    @Test
    void cleanShutdownWritesTheMarkerAndTheNextStartRemovesIt() {
        List<Path> dirs = dirs("a", "b");
        LogManager manager = start(dirs, Map.of());
        manager.getOrCreateLog(partition("t", 0), manager.config().defaultLogConfig());
        manager.shutdown();
        manager.shutdown(); // idempotent
        for (Path dir : dirs) {
            assertThat(dir.resolve(".kafka_cleanshutdown")).exists();
        }
        start(dirs, Map.of());
        for (Path dir : dirs) {
            assertThat(dir.resolve(".kafka_cleanshutdown")).doesNotExist();
        }
    }

    @Test
    void anUncleanRestartTruncatesATornTail() throws IOException {
        List<Path> dirs = dirs("a");
        LogManager manager = start(dirs, Map.of());
        PartitionLog log = manager.getOrCreateLog(partition("t", 0), manager.config().defaultLogConfig());
        List<String> expected = appendValues(log, "x", 12, clock.millis());
        Path segment = LogManagerTestSupport.activeSegmentFile(log);
        manager.crashForTesting();
        assertThat(dirs.get(0).resolve(".kafka_cleanshutdown")).doesNotExist();
        long sizeBeforeTear = Files.size(segment);
        appendTornBatch(segment);

        LogManager recovered = start(dirs, Map.of());
        PartitionLog reopened = recovered.getLog(partition("t", 0)).orElseThrow();
        assertThat(reopened.logEndOffset()).isEqualTo(12);
        assertThat(Files.size(segment)).isEqualTo(sizeBeforeTear);
        assertThat(values(reopened.readAllFrom(0))).containsExactlyElementsOf(expected);
        assertThat(reopened.appendAsLeader(TestBatches.batch(clock.millis(), "after"), 0).firstOffset()).isEqualTo(12);
    }

    @Test
    void aTornTailFoundAfterACleanShutdownIsNotKept() throws IOException {
        List<Path> dirs = dirs("a");
        LogManager manager = start(dirs, Map.of());
        PartitionLog log = manager.getOrCreateLog(partition("t", 0), manager.config().defaultLogConfig());
        List<String> expected = appendValues(log, "x", 5, clock.millis());
        Path segment = LogManagerTestSupport.activeSegmentFile(log);
        manager.shutdown();
        long cleanSize = Files.size(segment);
        appendTornBatch(segment);

        PartitionLog reopened = start(dirs, Map.of()).getLog(partition("t", 0)).orElseThrow();
        assertThat(reopened.logEndOffset()).isEqualTo(5);
        assertThat(Files.size(segment)).isEqualTo(cleanSize);
        assertThat(values(reopened.readAllFrom(0))).containsExactlyElementsOf(expected);
    }

    /** Writes all but the last bytes of a valid batch, as a crash in the middle of a write leaves it. */
    private void appendTornBatch(Path segment) throws IOException {
        ByteBuffer whole = TestBatches.batch(clock.millis(), "torn-one", "torn-two");
        byte[] torn = new byte[whole.remaining() - 7];
        whole.duplicate().get(torn);
        Files.write(segment, torn, StandardOpenOption.APPEND);
    }

    @Test
    void checkpointsHoldRecoveryPointsAndLogStartOffsetsAndARestartUsesThem() {
        List<Path> dirs = dirs("a");
        LogManager manager = start(dirs, Map.of());
        PartitionLog log = manager.getOrCreateLog(partition("t", 0), manager.config().defaultLogConfig());
        appendValues(log, "x", 10, clock.millis());
        log.flush();
        log.updateHighWatermark(10);
        assertThat(log.maybeAdvanceLogStartOffset(4)).isTrue();
        manager.checkpointRecoveryPointsOnce();
        manager.checkpointLogStartOffsetsOnce();
        assertThat(new OffsetCheckpointFile(dirs.get(0).resolve("recovery-point-offset-checkpoint")).read())
                .containsExactlyEntriesOf(Map.of(partition("t", 0), 10L));
        assertThat(new OffsetCheckpointFile(dirs.get(0).resolve("log-start-offset-checkpoint")).read())
                .containsExactlyEntriesOf(Map.of(partition("t", 0), 4L));
        manager.crashForTesting(); // nothing more is written: the restart sees only the periodic checkpoints

        PartitionLog reopened = start(dirs, Map.of()).getLog(partition("t", 0)).orElseThrow();
        assertThat(reopened.logStartOffset()).isEqualTo(4);
        assertThat(reopened.recoveryPoint()).isEqualTo(10);
        assertThat(values(reopened.readAllFrom(4))).first().isEqualTo("4:x4");
        assertThatThrownBy(() -> reopened.read(3, 1000, Long.MAX_VALUE, true))
                .isInstanceOf(OffsetOutOfRangeException.class);
    }

    @Test
    void retentionDeletesExpiredSegments() {
        LogManager manager = start(dirs("a"), Map.of("log.segment.bytes", "300", "log.retention.ms", "60000"));
        PartitionLog log = manager.getOrCreateLog(partition("t", 0), manager.config().defaultLogConfig());
        appendValues(log, "old", 20, clock.millis());
        log.updateHighWatermark(log.logEndOffset());
        int segmentsBefore = log.segmentCount();
        assertThat(segmentsBefore).isGreaterThan(3);
        assertThat(manager.runRetentionOnce()).isZero();
        clock.advance(60_001);
        assertThat(manager.runRetentionOnce()).isEqualTo(segmentsBefore);
        assertThat(log.logStartOffset()).isEqualTo(20);
        assertThat(log.segmentCount()).isEqualTo(1);
        assertThat(log.sizeBytes()).isZero();
    }

    @Test
    void deleteLogRenamesTheDirectoryAndRemovesItInTheBackground() throws IOException {
        Path dir = root.resolve("a");
        LogManager manager = start(List.of(dir), Map.of());
        LogConfig topic = manager.config().defaultLogConfig().with(LogConfig.FILE_DELETE_DELAY_MS, 0);
        PartitionLog log = manager.getOrCreateLog(partition("gone", 0), topic);
        manager.getOrCreateLog(partition("kept", 0), topic);
        appendValues(log, "x", 3, clock.millis());
        manager.checkpointRecoveryPointsOnce();

        assertThat(manager.deleteLog(partition("gone", 0))).isTrue();
        assertThat(manager.deleteLog(partition("gone", 0))).isFalse();
        assertThat(dir.resolve("gone-0")).doesNotExist();
        assertThat(manager.getLog(partition("gone", 0))).isEmpty();
        assertThat(manager.allLogs()).extracting(PartitionLog::topicPartition).containsExactly(partition("kept", 0));
        assertThat(new OffsetCheckpointFile(dir.resolve("recovery-point-offset-checkpoint")).read())
                .containsOnlyKeys(partition("kept", 0));
        await().atMost(WAIT_MAX).until(() -> listNames(dir).stream().noneMatch(name -> name.startsWith("gone-0")));
    }

    @Test
    void startupRemovesLeftoversOfDeletedLogsAndSkipsStrangeDirectories() throws IOException {
        Path dir = root.resolve("a");
        Path leftover = Files.createDirectories(dir.resolve("gone-0.0123456789abcdef0123456789abcdef-delete"));
        Files.writeString(leftover.resolve("00000000000000000000.log"), "junk");
        Files.createDirectories(dir.resolve("not a partition"));
        LogManager manager = start(List.of(dir), Map.of());
        assertThat(leftover).doesNotExist();
        assertThat(dir.resolve("not a partition")).exists();
        assertThat(manager.allLogs()).isEmpty();
    }

    @Test
    void truncateToCutsTheLogAndCheckpointsItsRecoveryPoint() {
        Path dir = root.resolve("a");
        LogManager manager = start(List.of(dir), Map.of());
        PartitionLog log = manager.getOrCreateLog(partition("t", 0), manager.config().defaultLogConfig());
        appendValues(log, "x", 10, clock.millis());
        log.flush();
        assertThat(manager.truncateTo(partition("t", 0), 6)).isTrue();
        assertThat(log.logEndOffset()).isEqualTo(6);
        assertThat(new OffsetCheckpointFile(dir.resolve("recovery-point-offset-checkpoint")).read())
                .containsEntry(partition("t", 0), 6L);
        assertThat(manager.truncateTo(partition("absent", 0), 6)).isFalse();
    }

    @Test
    void truncateFullyAndStartAtEmptiesTheLogAndCheckpointsItsRecoveryPoint() {
        Path dir = root.resolve("a");
        LogManager manager = start(List.of(dir), Map.of());
        PartitionLog log = manager.getOrCreateLog(partition("t", 0), manager.config().defaultLogConfig());
        appendValues(log, "x", 10, clock.millis());
        log.flush();
        manager.checkpointRecoveryPointsOnce();
        assertThat(manager.truncateFullyAndStartAt(partition("t", 0), 4)).isTrue();
        assertThat(log.logStartOffset()).isEqualTo(4);
        assertThat(log.logEndOffset()).isEqualTo(4);
        assertThat(new OffsetCheckpointFile(dir.resolve("recovery-point-offset-checkpoint")).read())
                .as("never above the emptied log").containsEntry(partition("t", 0), 4L);
        assertThat(manager.truncateFullyAndStartAt(partition("absent", 0), 4)).isFalse();
    }

    @Test
    void periodicTasksRunOnTheSchedulerThreads() {
        Path dir = root.resolve("a");
        LogManager manager = start(List.of(dir), Map.of("log.flush.offset.checkpoint.interval.ms", "20",
                "log.flush.start.offset.checkpoint.interval.ms", "20"));
        PartitionLog log = manager.getOrCreateLog(partition("t", 0), manager.config().defaultLogConfig());
        appendValues(log, "x", 4, clock.millis());
        log.flush();
        await().atMost(WAIT_MAX).until(() -> new OffsetCheckpointFile(dir.resolve("recovery-point-offset-checkpoint"))
                .read().getOrDefault(partition("t", 0), -1L) == 4L);
        await().atMost(WAIT_MAX).until(() -> new OffsetCheckpointFile(dir.resolve("log-start-offset-checkpoint"))
                .read().containsKey(partition("t", 0)));
        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                .anyMatch(name -> name.startsWith("fjord-log-"));
    }

    @Test
    void methodsNeedARunningManager() {
        LogManager manager = new LogManager(config(dirs("a"), Map.of()), clock);
        assertThatThrownBy(() -> manager.getOrCreateLog(partition("t", 0), LogConfig.defaults()))
                .isInstanceOf(IllegalStateException.class);
        manager.startup();
        manager.shutdown();
        assertThatThrownBy(manager::startup).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> manager.getOrCreateLog(partition("t", 0), LogConfig.defaults()))
                .isInstanceOf(IllegalStateException.class);
    }

    private static List<String> listNames(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(path -> path.getFileName().toString()).toList();
        }
    }
}
