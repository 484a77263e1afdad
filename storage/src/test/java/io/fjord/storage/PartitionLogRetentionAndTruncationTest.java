package io.fjord.storage;

import static io.fjord.storage.LogTestSupport.allValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionLogRetentionAndTruncationTest {
    @TempDir
    Path root;
    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor();
    private final ManualClock clock = new ManualClock(LogTestSupport.START_MS);
    private final int batchBytes = TestBatches.batch(1, "v0").remaining();
    private final LogConfig threePerSegment = LogConfig.defaults().with(LogConfig.SEGMENT_BYTES, 3 * batchBytes)
            .with(LogConfig.FILE_DELETE_DELAY_MS, 0);

    @AfterEach
    void stop() {
        background.shutdownNow();
    }

    /** Nine single-record batches, three per segment, timestamps now+0..8 seconds. */
    private PartitionLog nineRecords(LogConfig config) {
        PartitionLog log = LogTestSupport.open(root.resolve("retention-0"), config, clock, background);
        for (int index = 0; index < 9; index++) {
            log.appendAsLeader(TestBatches.batch(clock.millis() + index * 1000L, "v" + index), 0);
        }
        assertThat(log.segmentBaseOffsets()).containsExactly(0L, 3L, 6L);
        return log;
    }

    private List<String> files(String suffix) throws IOException {
        try (Stream<Path> files = Files.list(root.resolve("retention-0"))) {
            return files.map(file -> file.getFileName().toString()).filter(name -> name.endsWith(suffix)).sorted()
                    .toList();
        }
    }

    @Test
    void retentionByTimeDeletesExpiredSegmentsOnlyBelowTheHighWatermark() {
        PartitionLog log = nineRecords(threePerSegment.with(LogConfig.RETENTION_MS, 10_000));
        clock.advance(16_000); // segment 0 (newest at 2s) and segment 3 (newest at 5s) are older than 10s
        log.updateHighWatermark(4);
        assertThat(log.deleteOldSegments()).as("segment 3 reaches past the high watermark").isEqualTo(1);
        assertThat(log.segmentBaseOffsets()).containsExactly(3L, 6L);
        assertThat(log.logStartOffset()).isEqualTo(3);
        log.updateHighWatermark(9);
        assertThat(log.deleteOldSegments()).isEqualTo(1);
        assertThat(log.logStartOffset()).isEqualTo(6);
        assertThat(allValues(log)).containsExactly("6:v6", "7:v7", "8:v8");
        log.close();
    }

    @Test
    void whenEverythingExpiresTheActiveSegmentIsRolledAndDeleted() {
        PartitionLog log = nineRecords(threePerSegment.with(LogConfig.RETENTION_MS, 1000));
        log.updateHighWatermark(9);
        clock.advance(60_000);
        assertThat(log.deleteOldSegments()).isEqualTo(3);
        assertThat(log.segmentBaseOffsets()).containsExactly(9L);
        assertThat(log.logStartOffset()).isEqualTo(9);
        assertThat(log.logEndOffset()).isEqualTo(9);
        log.appendAsLeader(TestBatches.batch(clock.millis(), "new"), 0);
        assertThat(allValues(log)).containsExactly("9:new");
        log.close();
    }

    @Test
    void retentionBySizeKeepsTheNewestSegmentsWithinTheLimit() {
        PartitionLog log = nineRecords(threePerSegment.with(LogConfig.RETENTION_BYTES, 4L * batchBytes));
        log.updateHighWatermark(9);
        assertThat(log.deleteOldSegments()).isEqualTo(1);
        assertThat(log.segmentBaseOffsets()).containsExactly(3L, 6L);
        assertThat(log.deleteOldSegments()).isZero();
        log.close();
    }

    @Test
    void theLogStartOffsetDeletesWholeSegmentsBelowIt() {
        PartitionLog log = nineRecords(threePerSegment);
        assertThatThrownBy(() -> log.maybeAdvanceLogStartOffset(4)).isInstanceOf(OffsetOutOfRangeException.class);
        log.updateHighWatermark(9);
        assertThat(log.maybeAdvanceLogStartOffset(4)).isTrue();
        assertThat(log.maybeAdvanceLogStartOffset(2)).isFalse();
        assertThat(log.deleteOldSegments()).isEqualTo(1);
        assertThat(log.segmentBaseOffsets()).containsExactly(3L, 6L);
        assertThat(log.logStartOffset()).isEqualTo(4);
        assertThat(allValues(log)).containsExactly("4:v4", "5:v5", "6:v6", "7:v7", "8:v8");
        log.close();
    }

    @Test
    void deletedSegmentFilesGoAfterTheDeleteDelay() throws Exception {
        PartitionLog log = nineRecords(threePerSegment.with(LogConfig.RETENTION_BYTES, 0)
                .with(LogConfig.FILE_DELETE_DELAY_MS, 300));
        log.updateHighWatermark(6);
        assertThat(log.deleteOldSegments()).isEqualTo(2);
        assertThat(files(".log")).containsExactly("00000000000000000006.log");
        assertThat(files(".deleted")).hasSize(6);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(files(".deleted")).isEmpty());
        log.close();
    }

    @Test
    void truncateToRemovesTheBatchHoldingTheOffsetAndLaterSegments() {
        PartitionLog log = nineRecords(threePerSegment);
        log.updateHighWatermark(9);
        log.flush();
        log.truncateTo(5);
        assertThat(log.logEndOffset()).isEqualTo(5);
        assertThat(log.highWatermark()).isEqualTo(5);
        assertThat(log.recoveryPoint()).isEqualTo(5);
        assertThat(log.segmentBaseOffsets()).containsExactly(0L, 3L);
        log.appendAsLeader(TestBatches.batch(clock.millis(), "again"), 0);
        assertThat(allValues(log)).endsWith("4:v4", "5:again");
        log.truncateTo(3);
        assertThat(log.segmentBaseOffsets()).containsExactly(0L, 3L);
        assertThat(log.logEndOffset()).isEqualTo(3);
        log.truncateTo(100);
        assertThat(log.logEndOffset()).isEqualTo(3);
        log.close();
        PartitionLog reopened = LogTestSupport.open(root.resolve("retention-0"), threePerSegment, clock, background);
        assertThat(allValues(reopened)).containsExactly("0:v0", "1:v1", "2:v2");
        reopened.close();
    }

    @Test
    void truncateFullyStartsAnEmptyLogAtTheOffset() {
        PartitionLog log = nineRecords(threePerSegment);
        log.truncateFullyAndStartAt(42);
        assertThat(log.logStartOffset()).isEqualTo(42);
        assertThat(log.logEndOffset()).isEqualTo(42);
        assertThat(log.segmentBaseOffsets()).containsExactly(42L);
        assertThatThrownBy(() -> log.read(3, 100, Long.MAX_VALUE, true)).isInstanceOf(OffsetOutOfRangeException.class);
        log.appendAsLeader(TestBatches.batch(clock.millis(), "x"), 0);
        assertThat(allValues(log)).containsExactly("42:x");
        log.truncateTo(10);
        assertThat(log.logStartOffset()).isEqualTo(10);
        assertThat(log.logEndOffset()).isEqualTo(10);
        log.close();
    }

    @Test
    void followerAppendsKeepTheirOffsetsAndMayNotGoBackwards() {
        PartitionLog log = LogTestSupport.open(root.resolve("follower-0"), LogConfig.defaults(), clock, background);
        log.appendAsFollower(PartitionLogReadTest.withBase(0, "a", "b"));
        assertThat(log.logEndOffset()).isEqualTo(2);
        assertThatThrownBy(() -> log.appendAsFollower(PartitionLogReadTest.withBase(1, "c")))
                .isInstanceOf(UnexpectedAppendOffsetException.class);
        var first = PartitionLogReadTest.withBase(2, "c");
        var backwards = PartitionLogReadTest.withBase(2, "d");
        var both = java.nio.ByteBuffer.allocate(first.remaining() + backwards.remaining()).put(first).put(backwards)
                .flip();
        assertThatThrownBy(() -> log.appendAsFollower(both)).isInstanceOf(UnexpectedAppendOffsetException.class);
        assertThat(log.logEndOffset()).isEqualTo(2);
        AppendResult result = log.appendAsFollower(PartitionLogReadTest.withBase(2, "c"));
        assertThat(result.firstOffset()).isEqualTo(2);
        assertThat(allValues(log)).containsExactly("0:a", "1:b", "2:c");
        log.close();
    }
}
