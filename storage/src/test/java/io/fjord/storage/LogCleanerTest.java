package io.fjord.storage;

import static io.fjord.storage.CompactedLogFixture.append;
import static io.fjord.storage.CompactedLogFixture.commitAll;
import static io.fjord.storage.CompactedLogFixture.compactConfig;
import static io.fjord.storage.CompactedLogFixture.keys;
import static io.fjord.storage.CompactedLogFixture.latest;
import static io.fjord.storage.CompactedLogFixture.live;
import static io.fjord.storage.CompactedLogFixture.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.storage.CompactedLogFixture.KeyedRecord;
import io.fjord.storage.internal.LogSegment;
import io.fjord.storage.internal.OffsetCheckpointFile;
import io.fjord.storage.internal.cleaner.CleanerCheckpoints;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogCleanerTest {
    private static final long DAY_MS = 24L * 60 * 60 * 1000;

    @TempDir
    Path root;
    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor();
    private final ManualClock clock = new ManualClock(1_000_000_000L);
    private final List<PartitionLog> logs = new ArrayList<>();

    @AfterEach
    void stop() {
        logs.forEach(log -> {
            if (!log.isClosed()) {
                log.close();
            }
        });
        background.shutdownNow();
    }

    private PartitionLog open(String name, LogConfig config) {
        PartitionLog log = CompactedLogFixture.open(root.resolve(name), config, clock, background, true, 0);
        logs.add(log);
        return log;
    }

    private LogCleaner cleaner(LogCleanerConfig config) {
        return new LogCleaner(config, () -> logs, clock);
    }

    private LogCleaner cleaner() {
        return cleaner(LogCleanerConfig.defaults());
    }

    /** Five rounds over ten keys, one record per batch, a roll after each round; returns the expected latest. */
    private Map<String, String> writeRounds(PartitionLog log, int rounds, int keys) {
        Map<String, String> expected = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            for (int key = 0; key < keys; key++) {
                append(log, clock.millis(), "k" + key, "v" + round + "-" + key);
                expected.remove("k" + key);
                expected.put("k" + key, "v" + round + "-" + key);
            }
            log.roll();
        }
        return expected;
    }

    @Test
    void keepsTheLatestValueOfEachKeyAtItsOffsetAndLeavesTheActiveSegmentAlone() throws Exception {
        PartitionLog log = open("orders-0", compactConfig());
        Map<String, String> expected = writeRounds(log, 5, 10);
        append(log, clock.millis(), "k0", "active");
        commitAll(log);
        List<KeyedRecord> before = readAll(log);
        LogSegment active = log.activeSegment();
        byte[] activeBytes = Files.readAllBytes(active.logFile());
        long logEnd = log.logEndOffset();

        CleaningResult result = cleaner().clean(log).orElseThrow();

        assertThat(result.firstDirtyOffset()).isZero();
        assertThat(result.endOffset()).isEqualTo(active.baseOffset());
        List<KeyedRecord> after = readAll(log);
        List<KeyedRecord> cleanedPart = after.subList(0, after.size() - 1);
        assertThat(latest(cleanedPart)).isEqualTo(expected);
        assertThat(keys(cleanedPart)).doesNotHaveDuplicates().hasSize(10);
        // Every kept record is the one written at that offset.
        for (KeyedRecord record : after) {
            assertThat(before).contains(record);
        }
        assertThat(after.get(after.size() - 1)).isEqualTo(before.get(before.size() - 1));
        assertThat(log.activeSegment()).isSameAs(active);
        assertThat(Files.readAllBytes(active.logFile())).isEqualTo(activeBytes);
        assertThat(log.logEndOffset()).isEqualTo(logEnd);
        assertThat(log.sizeBytes()).isLessThan(before.size() * 70L);
    }

    @Test
    void copiesFullyRetainedBatchesByteForByte() {
        PartitionLog log = open("orders-0", compactConfig());
        append(log, clock.millis(), "a", "1", "b", "1");
        // A batch with an attribute bit Kafka ignores: re-encoding would drop it, a byte copy keeps it.
        ByteBuffer marked = CompactedLogFixture.batch(clock.millis(), CompressionType.LZ4, "c", "1", "d", "1");
        RecordBatch view = new RecordBatch(marked, 0);
        marked.putShort(RecordBatch.ATTRIBUTES_OFFSET, (short) (view.attributes() | 0x0100));
        view.writeCrc();
        long markedOffset = log.appendAsLeader(marked, 0).firstOffset();
        append(log, clock.millis(), "a", "2");
        log.roll();
        append(log, clock.millis(), "x", "1");
        commitAll(log);
        ByteBuffer markedBefore = readBatchAt(log, markedOffset);

        cleaner().clean(log).orElseThrow();

        assertThat(readBatchAt(log, markedOffset)).isEqualTo(markedBefore);
        assertThat(latest(readAll(log))).containsExactly(Map.entry("b", "1"), Map.entry("c", "1"),
                Map.entry("d", "1"), Map.entry("a", "2"), Map.entry("x", "1"));
        // The first batch lost "a": re-encoded with the other record at its offset.
        assertThat(readAll(log).get(0)).isEqualTo(new KeyedRecord(1, "b", "1", RecordBatch.NO_TIMESTAMP));
    }

    private static ByteBuffer readBatchAt(PartitionLog log, long offset) {
        try (FileSlice slice = log.read(offset, 1, Long.MAX_VALUE, true).slice()) {
            ByteBuffer bytes = slice.readAll();
            RecordBatch batch = new RecordBatch(bytes, 0);
            assertThat(batch.baseOffset()).isEqualTo(offset);
            bytes.limit(batch.sizeInBytes());
            return bytes;
        }
    }

    @Test
    void dropsRecordsWithoutKeysAndEndsTheCleanedSegmentWithAnEmptyBatch() {
        PartitionLog log = open("orders-0", compactConfig());
        append(log, clock.millis(), "a", "1");
        log.appendAsLeader(TestBatches.sized(3, 200, clock.millis()), 0); // no keys
        append(log, clock.millis(), "b", "1");
        append(log, clock.millis(), "a", "2");
        log.roll();
        append(log, clock.millis(), "b", "2");
        log.appendAsLeader(TestBatches.sized(3, 200, clock.millis()), 0); // offsets 7..9, no keys
        log.roll();
        append(log, clock.millis(), "z", "active");
        commitAll(log);

        cleaner().clean(log).orElseThrow();

        List<KeyedRecord> records = readAll(log);
        assertThat(records).extracting(KeyedRecord::offset).containsExactly(5L, 6L, 10L);
        assertThat(keys(records)).containsExactly("a", "b", "z");
        // Cleaning removed the records at the end of the cleaned range; an empty batch still covers its last offset.
        LogReadResult read = log.read(8, 1000, Long.MAX_VALUE, true);
        try (FileSlice slice = read.slice()) {
            RecordBatch empty = new RecordBatch(slice.readAll(), 0);
            assertThat(read.firstBatchBaseOffset()).isEqualTo(7);
            assertThat(empty.recordCount()).isZero();
            assertThat(empty.lastOffset()).isEqualTo(9);
            assertThat(empty.isCrcValid()).isTrue();
        }
        assertThat(log.segmentBaseOffsets()).containsExactly(0L, 10L);
    }

    @Test
    void keepsTombstonesWithADeleteHorizonThenRemovesThemOnceItHasPassed() {
        LogConfig config = compactConfig().with(LogConfig.DELETE_RETENTION_MS, DAY_MS);
        PartitionLog log = open("orders-0", config);
        append(log, clock.millis(), "a", "1", "b", "1");
        append(log, clock.millis(), "a", null);
        log.roll();
        append(log, clock.millis(), "c", "1");
        log.roll();
        commitAll(log);
        LogCleaner cleaner = cleaner();
        long firstCleanMs = clock.millis();

        cleaner.clean(log).orElseThrow();

        List<KeyedRecord> afterFirst = readAll(log);
        assertThat(afterFirst).containsExactly(new KeyedRecord(1, "b", "1", RecordBatch.NO_TIMESTAMP),
                new KeyedRecord(2, "a", null, firstCleanMs + DAY_MS), new KeyedRecord(3, "c", "1",
                        RecordBatch.NO_TIMESTAMP));

        // Before the horizon, a further clean keeps the tombstone and its horizon.
        clock.advance(DAY_MS - 1);
        append(log, clock.millis(), "d", "1");
        log.roll();
        commitAll(log);
        cleaner.clean(log).orElseThrow();
        assertThat(readAll(log)).contains(new KeyedRecord(2, "a", null, firstCleanMs + DAY_MS));

        clock.advance(1);
        append(log, clock.millis(), "e", "1");
        log.roll();
        commitAll(log);
        cleaner.clean(log).orElseThrow();
        assertThat(keys(readAll(log))).containsExactly("b", "c", "d", "e");
    }

    @Test
    void minCleanableDirtyRatioDecidesWhichLogIsEligible() {
        PartitionLog log = open("orders-0", compactConfig().with(LogConfig.MIN_CLEANABLE_DIRTY_RATIO, 0.5));
        for (int key = 0; key < 12; key++) {
            append(log, clock.millis(), "k" + key, "v" + key);
            if (key % 3 == 2) {
                log.roll(); // four clean segments after the first clean
            }
        }
        append(log, clock.millis(), "a", "1");
        commitAll(log);
        LogCleaner cleaner = cleaner();
        assertThat(cleaner.cleanOnce()).isPresent(); // all dirty: ratio 1

        log.roll();
        append(log, clock.millis(), "b", "1");
        commitAll(log);
        assertThat(cleaner.cleanOnce()).as("one dirty segment against four clean ones").isEmpty();

        for (int index = 0; index < 20; index++) {
            append(log, clock.millis(), "k" + (index % 5), "new" + index);
            log.roll();
        }
        commitAll(log);
        Optional<CleaningResult> result = cleaner.cleanOnce();
        assertThat(result).isPresent();
        assertThat(live(latest(readAll(log)))).containsEntry("k0", "new15").containsEntry("k11", "v11");
    }

    @Test
    void cleanOncePicksTheDirtiestCompactedLogAndSkipsDeleteOnlyLogs() {
        PartitionLog deleteOnly = open("plain-0", LogConfig.defaults());
        append(deleteOnly, clock.millis(), "a", "1");
        append(deleteOnly, clock.millis(), "a", "2");
        deleteOnly.roll();
        commitAll(deleteOnly);
        PartitionLog lessDirty = open("less-0", compactConfig().with(LogConfig.MIN_CLEANABLE_DIRTY_RATIO, 0.01));
        PartitionLog dirtier = open("more-0", compactConfig().with(LogConfig.MIN_CLEANABLE_DIRTY_RATIO, 0.01));
        for (PartitionLog log : List.of(lessDirty, dirtier)) {
            writeRounds(log, 2, 3);
            commitAll(log);
        }
        LogCleaner cleaner = cleaner();
        cleaner.clean(lessDirty).orElseThrow();
        cleaner.clean(dirtier).orElseThrow();
        append(lessDirty, clock.millis(), "k0", "x");
        lessDirty.roll();
        for (int index = 0; index < 4; index++) {
            append(dirtier, clock.millis(), "k" + index, "x");
            dirtier.roll();
        }
        commitAll(lessDirty);
        commitAll(dirtier);

        assertThat(cleaner.cleanOnce()).get().extracting(CleaningResult::topicPartition)
                .isEqualTo(dirtier.topicPartition());
        assertThat(cleaner.cleanOnce()).get().extracting(CleaningResult::topicPartition)
                .isEqualTo(lessDirty.topicPartition());
        assertThat(cleaner.cleanOnce()).isEmpty();
        assertThat(readAll(deleteOnly)).hasSize(2);
    }

    @Test
    void minCompactionLagKeepsYoungSegmentsDirty() {
        PartitionLog log = open("orders-0", compactConfig().with(LogConfig.MIN_COMPACTION_LAG_MS, 10_000));
        append(log, clock.millis(), "a", "1");
        append(log, clock.millis(), "a", "2");
        log.roll();
        clock.advance(20_000);
        append(log, clock.millis(), "a", "3");
        append(log, clock.millis(), "a", "4");
        long youngBase = log.activeSegment().baseOffset();
        log.roll();
        append(log, clock.millis(), "z", "active");
        commitAll(log);
        LogCleaner cleaner = cleaner();

        CleaningResult result = cleaner.clean(log).orElseThrow();

        assertThat(result.endOffset()).isEqualTo(youngBase);
        assertThat(readAll(log)).extracting(KeyedRecord::value).containsExactly("2", "3", "4", "active");
        assertThat(cleaner.clean(log)).as("the young segment is not yet cleanable").isEmpty();

        clock.advance(10_001);
        cleaner.clean(log).orElseThrow();
        assertThat(readAll(log)).extracting(KeyedRecord::value).containsExactly("4", "active");
    }

    @Test
    void maxCompactionLagMakesALogEligibleWhateverItsDirtyRatio() {
        LogConfig config = compactConfig().with(LogConfig.MIN_CLEANABLE_DIRTY_RATIO, 0.99)
                .with(LogConfig.MAX_COMPACTION_LAG_MS, 60_000);
        PartitionLog log = open("orders-0", config);
        writeRounds(log, 3, 5);
        commitAll(log);
        LogCleaner cleaner = cleaner();
        cleaner.clean(log).orElseThrow();
        append(log, clock.millis(), "k0", "late");
        log.roll();
        commitAll(log);
        assertThat(cleaner.cleanOnce()).isEmpty();

        clock.advance(60_001);
        assertThat(cleaner.cleanOnce()).isPresent();
        assertThat(latest(readAll(log))).containsEntry("k0", "late").hasSize(5);
        assertThat(keys(readAll(log))).doesNotHaveDuplicates();
    }

    @Test
    void compactAndDeleteAlsoAppliesRetention() {
        LogConfig config = compactConfig().with(Map.of(LogConfig.CLEANUP_POLICY, "compact,delete",
                LogConfig.RETENTION_MS, Long.toString(DAY_MS)));
        PartitionLog log = open("orders-0", config);
        append(log, clock.millis(), "old", "1", "a", "1");
        log.roll();
        clock.advance(2 * DAY_MS);
        append(log, clock.millis(), "a", "2", "b", "1");
        append(log, clock.millis(), "b", "2");
        log.roll();
        append(log, clock.millis(), "z", "active");
        commitAll(log);

        assertThat(log.deleteOldSegments()).isEqualTo(1);
        cleaner().clean(log).orElseThrow();

        assertThat(log.logStartOffset()).isEqualTo(2);
        assertThat(readAll(log)).extracting(KeyedRecord::key).containsExactly("a", "b", "z");
        assertThat(latest(readAll(log))).containsEntry("a", "2").containsEntry("b", "2");
    }

    @Test
    void boundedOffsetMapMakesProgressOverSeveralPasses() {
        PartitionLog log = open("orders-0", compactConfig());
        Map<String, String> expected = writeRounds(log, 4, 30);
        commitAll(log);
        // 12 slots: at most 10 keys per pass.
        LogCleaner cleaner = cleaner(LogCleanerConfig.defaults().withDedupeBufferSizeBytes(12 * 24));
        List<CleaningResult> passes = new ArrayList<>();
        Optional<CleaningResult> pass;
        while ((pass = cleaner.clean(log)).isPresent()) {
            passes.add(pass.get());
            assertThat(passes).hasSizeLessThan(50);
        }

        assertThat(passes.size()).isGreaterThanOrEqualTo(12);
        for (CleaningResult each : passes) {
            assertThat(each.endOffset() - each.firstDirtyOffset()).isBetween(1L, 10L);
        }
        assertThat(passes.get(passes.size() - 1).endOffset()).isEqualTo(log.activeSegment().baseOffset());
        List<KeyedRecord> records = readAll(log);
        assertThat(latest(records)).isEqualTo(expected);
        assertThat(keys(records)).doesNotHaveDuplicates();
    }

    @Test
    void writesTheCheckpointAndReadsItBackInANewCleaner() {
        PartitionLog log = open("orders-0", compactConfig());
        writeRounds(log, 2, 4);
        commitAll(log);
        CleaningResult result = cleaner().clean(log).orElseThrow();

        Path file = root.resolve(CleanerCheckpoints.FILE_NAME);
        assertThat(new OffsetCheckpointFile(file).read()).containsExactly(Map.entry(log.topicPartition(),
                result.endOffset()));
        LogCleaner restarted = cleaner();
        restarted.start();
        try {
            assertThat(restarted.checkpoints()).containsEntry(log.topicPartition(), result.endOffset());
        } finally {
            restarted.shutdown();
        }
        restarted.updateCheckpointAfterTruncation(log.topicPartition(), 3);
        assertThat(new OffsetCheckpointFile(file).read()).containsEntry(log.topicPartition(), 3L);
        restarted.abortCleaning(log.topicPartition());
        assertThat(new OffsetCheckpointFile(file).read()).isEmpty();
    }

    @Test
    void pausedPartitionsAreNotCleanedUntilResumed() {
        PartitionLog log = open("orders-0", compactConfig());
        writeRounds(log, 2, 4);
        commitAll(log);
        LogCleaner cleaner = cleaner();

        cleaner.abortAndPause(log.topicPartition());
        cleaner.abortAndPause(log.topicPartition());
        assertThat(cleaner.cleanOnce()).isEmpty();
        assertThat(cleaner.clean(log)).isEmpty();
        cleaner.resume(log.topicPartition());
        assertThat(cleaner.cleanOnce()).as("still paused once").isEmpty();
        cleaner.resume(log.topicPartition());
        assertThat(cleaner.cleanOnce()).isPresent();
    }
}
