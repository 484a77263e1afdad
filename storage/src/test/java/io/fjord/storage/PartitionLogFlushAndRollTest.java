package io.fjord.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.fjord.protocol.records.RecordBatchException;
import io.fjord.protocol.records.RecordBatch;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionLogFlushAndRollTest {
    @TempDir
    Path root;
    private final ScheduledExecutorService background = Executors.newScheduledThreadPool(2);
    private final ManualClock clock = new ManualClock(LogTestSupport.START_MS);

    @AfterEach
    void stop() {
        background.shutdownNow();
    }

    private PartitionLog open(LogConfig config) {
        return LogTestSupport.open(root.resolve("flush-0"), config, clock, background);
    }

    @Test
    void flushMessagesMovesTheRecoveryPoint() {
        PartitionLog log = open(LogConfig.defaults().with(LogConfig.FLUSH_MESSAGES, 3));
        log.appendAsLeader(TestBatches.batch(1, "a"), 0);
        log.appendAsLeader(TestBatches.batch(1, "b"), 0);
        assertThat(log.recoveryPoint()).isZero();
        log.appendAsLeader(TestBatches.batch(1, "c"), 0);
        assertThat(log.recoveryPoint()).isEqualTo(3);
        log.appendAsLeader(TestBatches.batch(1, "d", "e", "f", "g"), 0);
        assertThat(log.recoveryPoint()).isEqualTo(7);
        log.close();
    }

    @Test
    void flushToAnOffsetAndOnTime() {
        PartitionLog log = open(LogConfig.defaults().with(LogConfig.FLUSH_MS, 1000));
        LogTestSupport.appendValues(log, 5, 1);
        log.flush(3);
        assertThat(log.recoveryPoint()).isEqualTo(3);
        log.flush(100);
        assertThat(log.recoveryPoint()).isEqualTo(5);
        log.appendAsLeader(TestBatches.batch(1, "late"), 0);
        log.maybeFlushOnTime();
        assertThat(log.recoveryPoint()).isEqualTo(5);
        clock.advance(1000);
        log.maybeFlushOnTime();
        assertThat(log.recoveryPoint()).isEqualTo(6);
        assertThat(log.lastFlushMs()).isEqualTo(clock.millis());
        log.close();
    }

    /** flush.messages flushes inside the append lock while rolls flush in the background: no deadlock. */
    @Test
    void flushOnAppendWithRollsDoesNotDeadlock() {
        PartitionLog log = open(LogConfig.defaults().with(LogConfig.FLUSH_MESSAGES, 3)
                .with(LogConfig.SEGMENT_BYTES, 150));
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int index = 0; index < 400; index++) {
                log.appendAsLeader(TestBatches.batch(1, "value-" + index), 0);
            }
        }, "appends deadlocked with background flushes");
        assertThat(log.recoveryPoint()).isGreaterThanOrEqualTo(398);
        log.close();
    }

    @Test
    void rollsWhenTheNextBatchWouldPassSegmentBytes() {
        int batchBytes = TestBatches.batch(1, "v0").remaining();
        PartitionLog log = open(LogConfig.defaults().with(LogConfig.SEGMENT_BYTES, 3 * batchBytes));
        LogTestSupport.appendValues(log, 7, 1);
        assertThat(log.segmentBaseOffsets()).containsExactly(0L, 3L, 6L);
        assertThat(log.segments()).allSatisfy(segment -> assertThat(segment.sizeBytes())
                .isLessThanOrEqualTo(3 * batchBytes));
        assertThatThrownBy(() -> log.appendAsLeader(TestBatches.sized(1, 4 * batchBytes, 1), 0))
                .isInstanceOfSatisfying(RecordBatchException.class, e -> assertThat(e.kind())
                        .isEqualTo(RecordBatchException.Kind.MESSAGE_TOO_LARGE));
        log.close();
    }

    @Test
    void rollsBySegmentMsOnRecordTimestamps() {
        PartitionLog log = open(LogConfig.defaults().with(LogConfig.SEGMENT_MS, 1000));
        long start = clock.millis();
        log.appendAsLeader(TestBatches.batch(start, "a"), 0);
        log.appendAsLeader(TestBatches.batch(start + 1000, "b"), 0);
        assertThat(log.segmentCount()).isEqualTo(1);
        log.appendAsLeader(TestBatches.batch(start + 1001, "c"), 0);
        assertThat(log.segmentBaseOffsets()).containsExactly(0L, 2L);
        log.close();
    }

    @Test
    void rollsBySegmentMsOnTheClockWhenBatchesHaveNoTimestamp() {
        PartitionLog log = open(LogConfig.defaults().with(LogConfig.SEGMENT_MS, 1000));
        log.appendAsLeader(TestBatches.batch(RecordBatch.NO_TIMESTAMP, "a"), 0);
        clock.advance(1000);
        log.appendAsLeader(TestBatches.batch(RecordBatch.NO_TIMESTAMP, "b"), 0);
        assertThat(log.segmentCount()).isEqualTo(1);
        clock.advance(1);
        log.appendAsLeader(TestBatches.batch(RecordBatch.NO_TIMESTAMP, "c"), 0);
        assertThat(log.segmentBaseOffsets()).containsExactly(0L, 2L);
        log.close();
    }

    @Test
    void rollsWhenAnIndexIsFull() {
        // 16 bytes: two offset entries and one time entry; an entry for every batch after the first.
        PartitionLog log = open(LogConfig.defaults().with(LogConfig.SEGMENT_INDEX_BYTES, 16)
                .with(LogConfig.INDEX_INTERVAL_BYTES, 0));
        for (int index = 0; index < 12; index++) {
            log.appendAsLeader(TestBatches.batch(clock.millis() + index, "v" + index), 0);
        }
        assertThat(log.segmentCount()).isGreaterThan(3);
        for (long offset = 0; offset < 12; offset++) {
            assertThat(LogTestSupport.values(LogTestSupport.bytes(log.read(offset, 1, Long.MAX_VALUE, true))))
                    .containsExactly(offset + ":v" + offset);
        }
        log.close();
    }

    @Test
    void aMultiBatchAppendFillingTheIndexStillSucceeds() {
        PartitionLog log = open(LogConfig.defaults().with(LogConfig.SEGMENT_INDEX_BYTES, 16)
                .with(LogConfig.INDEX_INTERVAL_BYTES, 0));
        ByteBuffer[] parts = new ByteBuffer[5];
        int total = 0;
        for (int index = 0; index < parts.length; index++) {
            parts[index] = TestBatches.batch(clock.millis() + index, "m" + index);
            total += parts[index].remaining();
        }
        ByteBuffer all = ByteBuffer.allocate(total);
        for (ByteBuffer part : parts) {
            all.put(part);
        }
        log.appendAsLeader(all.flip(), 0);
        assertThat(log.logEndOffset()).isEqualTo(5);
        assertThat(LogTestSupport.allValues(log)).containsExactly("0:m0", "1:m1", "2:m2", "3:m3", "4:m4");
        log.appendAsLeader(TestBatches.batch(clock.millis(), "after"), 0);
        assertThat(LogTestSupport.allValues(log)).endsWith("5:after");
        log.close();
    }
}
