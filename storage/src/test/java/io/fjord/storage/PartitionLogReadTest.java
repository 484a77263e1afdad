package io.fjord.storage;

import static io.fjord.storage.LogTestSupport.batches;
import static io.fjord.storage.LogTestSupport.bytes;
import static io.fjord.storage.LogTestSupport.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.protocol.records.RecordBatch;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionLogReadTest {
    @TempDir
    Path root;
    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor();
    private final ManualClock clock = new ManualClock(LogTestSupport.START_MS);
    private PartitionLog log;
    private int batchBytes;

    /** Ten batches of two records each (offsets 0..19), all the same size, four per segment. */
    @BeforeEach
    void fill() {
        ByteBuffer sample = TestBatches.batch(clock.millis(), "a0", "b0");
        batchBytes = sample.remaining();
        log = LogTestSupport.open(root.resolve("read-0"), LogConfig.defaults()
                .with(LogConfig.SEGMENT_BYTES, 4 * batchBytes).with(LogConfig.INDEX_INTERVAL_BYTES, 1), clock,
                background);
        for (int index = 0; index < 10; index++) {
            log.appendAsLeader(TestBatches.batch(clock.millis(), "a" + index, "b" + index), 0);
        }
        assertThat(log.segmentBaseOffsets()).containsExactly(0L, 8L, 16L);
    }

    @AfterEach
    void close() {
        log.close();
        background.shutdownNow();
    }

    @Test
    void returnsTheBatchHoldingTheStartOffsetAndLaterOnesUpToMaxBytes() {
        LogReadResult result = log.read(3, 2 * batchBytes, Long.MAX_VALUE, false);
        assertThat(result.firstBatchBaseOffset()).isEqualTo(2);
        assertThat(result.logEndOffset()).isEqualTo(20);
        assertThat(values(bytes(result))).containsExactly("2:a1", "3:b1", "4:a2", "5:b2");
        // Reads stop at the segment end.
        assertThat(values(bytes(log.read(5, 100 * batchBytes, Long.MAX_VALUE, false)))).hasSize(4).last()
                .isEqualTo("7:b3");
    }

    @Test
    void theFirstBatchComesWholeOnlyWithMinOneBatch() {
        ByteBuffer whole = bytes(log.read(5, 10, Long.MAX_VALUE, true));
        assertThat(whole.remaining()).isEqualTo(batchBytes);
        assertThat(values(whole)).containsExactly("4:a2", "5:b2");
        ByteBuffer partial = bytes(log.read(5, 10, Long.MAX_VALUE, false));
        assertThat(partial.remaining()).isEqualTo(10);
        assertThat(batches(partial)).isEmpty();
    }

    @Test
    void theLastBatchMayBePartialAsInKafka() {
        ByteBuffer data = bytes(log.read(0, batchBytes + 10, Long.MAX_VALUE, true));
        assertThat(data.remaining()).isEqualTo(batchBytes + 10);
        assertThat(values(data)).containsExactly("0:a0", "1:b0");
    }

    @Test
    void readsNeverCrossTheHighWatermark() {
        log.updateHighWatermark(6);
        assertThat(log.highWatermark()).isEqualTo(6);
        assertThat(values(bytes(log.read(0, 100_000, log.highWatermark(), true))))
                .containsExactly("0:a0", "1:b0", "2:a1", "3:b1", "4:a2", "5:b2");
        assertThat(bytes(log.read(6, 100_000, 6, true)).remaining()).isZero();
        assertThat(bytes(log.read(9, 100_000, 6, true)).remaining()).isZero();
        assertThat(values(bytes(log.read(0, 100_000, 5, true)))).as("the batch holding the bound is left out")
                .containsExactly("0:a0", "1:b0", "2:a1", "3:b1");
        assertThat(values(bytes(log.read(8, 100_000, 12, true)))).containsExactly("8:a4", "9:b4", "10:a5", "11:b5");
        log.updateHighWatermark(1000);
        assertThat(log.highWatermark()).isEqualTo(20);
    }

    @Test
    void offsetsOutsideTheLogAreOutOfRange() {
        assertThatThrownBy(() -> log.read(-1, 1000, Long.MAX_VALUE, true)).isInstanceOf(OffsetOutOfRangeException.class);
        assertThatThrownBy(() -> log.read(21, 1000, Long.MAX_VALUE, true)).isInstanceOf(OffsetOutOfRangeException.class);
        LogReadResult atEnd = log.read(20, 1000, Long.MAX_VALUE, true);
        assertThat(atEnd.slice().isEmpty()).isTrue();
        assertThat(atEnd.firstBatchBaseOffset()).isEqualTo(-1);
        log.updateHighWatermark(20);
        assertThat(log.maybeAdvanceLogStartOffset(9)).isTrue();
        assertThatThrownBy(() -> log.read(8, 1000, Long.MAX_VALUE, true)).isInstanceOf(OffsetOutOfRangeException.class);
        LogReadResult fromStart = log.read(9, 1000, Long.MAX_VALUE, true);
        assertThat(fromStart.logStartOffset()).isEqualTo(9);
        assertThat(fromStart.firstBatchBaseOffset()).isEqualTo(8);
        bytes(fromStart);
    }

    @Test
    void followerAppendsMustContinueTheLogWithoutAGap() {
        PartitionLog follower = LogTestSupport.open(root.resolve("follower-0"), LogConfig.defaults(), clock, background);
        follower.appendAsFollower(withBase(0, "a", "b"));
        assertThatThrownBy(() -> follower.appendAsFollower(withBase(5, "c")))
                .isInstanceOfSatisfying(UnexpectedAppendOffsetException.class, e -> {
                    assertThat(e.expectedOffset()).isEqualTo(2);
                    assertThat(e.batchBaseOffset()).isEqualTo(5);
                });
        assertThatThrownBy(() -> follower.appendAsFollower(withBase(1, "c")))
                .isInstanceOf(UnexpectedAppendOffsetException.class);
        follower.appendAsFollower(withBase(2, "c"));
        assertThat(follower.logEndOffset()).isEqualTo(3);
        assertThat(values(bytes(follower.read(1, 1000, Long.MAX_VALUE, true)))).containsExactly("0:a", "1:b", "2:c");
        follower.close();
    }

    static ByteBuffer withBase(long baseOffset, String... values) {
        ByteBuffer batch = TestBatches.batch(LogTestSupport.START_MS, values);
        RecordBatch.at(batch).setBaseOffset(baseOffset);
        return batch;
    }
}
