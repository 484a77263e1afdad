package io.fjord.storage;

import static io.fjord.storage.LogTestSupport.allValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatchException;
import io.fjord.protocol.records.RecordBatchException.Kind;
import io.fjord.protocol.records.TimestampType;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionLogAppendValidationTest {
    @TempDir
    Path root;
    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor();
    private final ManualClock clock = new ManualClock(LogTestSupport.START_MS);
    private PartitionLog log;
    private List<String> before;

    @BeforeEach
    void openWithData() {
        log = LogTestSupport.open(root.resolve("validation-0"), LogConfig.defaults()
                .with(LogConfig.MAX_MESSAGE_BYTES, 2000), clock, background);
        log.appendAsLeader(TestBatches.batch(clock.millis(), "first", "second"), 0);
        before = allValues(log);
    }

    @AfterEach
    void close() {
        log.close();
        background.shutdownNow();
    }

    private static ByteBuffer patched(ByteBuffer batch, Consumer<RecordBatch> change, boolean fixCrc) {
        RecordBatch view = RecordBatch.at(batch);
        change.accept(view);
        if (fixCrc) {
            view.writeCrc();
        }
        return batch;
    }

    private void assertRejected(ByteBuffer batches, Kind kind) {
        long sizeBefore = log.sizeBytes();
        ByteBuffer copy = ByteBuffer.allocate(batches.remaining()).put(batches.duplicate()).flip();
        assertThatThrownBy(() -> log.appendAsLeader(batches, 3))
                .isInstanceOfSatisfying(RecordBatchException.class, e -> assertThat(e.kind()).isEqualTo(kind));
        assertThat(log.logEndOffset()).isEqualTo(2);
        assertThat(log.sizeBytes()).isEqualTo(sizeBefore);
        assertThat(allValues(log)).isEqualTo(before);
        assertThat(batches).as("the rejected buffer is left as it was").isEqualTo(copy);
        log.appendAsLeader(TestBatches.batch(clock.millis(), "after"), 0);
        assertThat(allValues(log)).endsWith("2:after");
    }

    @Test
    void badCrcIsCorruptMessage() {
        ByteBuffer batch = TestBatches.batch(1, "value");
        int last = batch.limit() - 1;
        batch.put(last, (byte) (batch.get(last) ^ 1));
        assertRejected(batch, Kind.CORRUPT_MESSAGE);
    }

    @Test
    void magicOneIsUnsupportedForMessageFormat() {
        ByteBuffer batch = TestBatches.batch(1, "value");
        batch.put(RecordBatch.MAGIC_OFFSET, (byte) 1);
        assertRejected(batch, Kind.UNSUPPORTED_FOR_MESSAGE_FORMAT);
    }

    @Test
    void lengthBeyondTheBufferIsCorruptMessage() {
        ByteBuffer batch = TestBatches.batch(1, "value");
        batch.putInt(RecordBatch.LENGTH_OFFSET, batch.getInt(RecordBatch.LENGTH_OFFSET) + 1);
        assertRejected(batch, Kind.CORRUPT_MESSAGE);
    }

    @Test
    void aBufferShorterThanAHeaderIsCorruptMessage() {
        ByteBuffer batch = TestBatches.batch(1, "value");
        assertRejected(batch.limit(RecordBatch.HEADER_SIZE_BYTES - 1), Kind.CORRUPT_MESSAGE);
    }

    @Test
    void emptyBufferIsCorruptMessage() {
        assertRejected(ByteBuffer.allocate(0), Kind.CORRUPT_MESSAGE);
    }

    @Test
    void countNotMatchingLastOffsetDeltaIsInvalidRecord() {
        ByteBuffer batch = patched(TestBatches.batch(1, "a", "b"),
                view -> view.buffer().putInt(RecordBatch.RECORDS_COUNT_OFFSET, 3), true);
        assertRejected(batch, Kind.INVALID_RECORD);
    }

    @Test
    void controlBatchFromAClientIsInvalidRecord() {
        ByteBuffer batch = patched(TestBatches.batch(1, "a"), view -> view.buffer()
                .putShort(RecordBatch.ATTRIBUTES_OFFSET, (short) (view.attributes() | 0x20)), true);
        assertRejected(batch, Kind.INVALID_RECORD);
    }

    @Test
    void unknownCompressionIdIsCorruptMessage() {
        ByteBuffer batch = patched(TestBatches.batch(1, "a"), view -> view.buffer()
                .putShort(RecordBatch.ATTRIBUTES_OFFSET, (short) (view.attributes() | 5)), true);
        assertRejected(batch, Kind.CORRUPT_MESSAGE);
    }

    @Test
    void wrongRecordOffsetDeltaIsInvalidRecord() {
        // First record: length varint, attributes, timestamp delta 0, then its offset delta (zig-zag 0).
        ByteBuffer batch = patched(TestBatches.batch(1, "a", "b"),
                view -> view.buffer().put(RecordBatch.RECORDS_OFFSET + 3, (byte) 10), true);
        assertRejected(batch, Kind.INVALID_RECORD);
    }

    @Test
    void recordLengthBeyondTheBatchIsInvalidRecord() {
        // Kafka 4.4 answers INVALID_RECORD to records whose framing lies inside a batch with a valid CRC.
        ByteBuffer batch = patched(TestBatches.batch(1, "a", "b"),
                view -> view.buffer().put(RecordBatch.RECORDS_OFFSET, (byte) 120), true);
        assertRejected(batch, Kind.INVALID_RECORD);
    }

    @Test
    void bytesAfterTheLastRecordAreInvalidRecord() {
        ByteBuffer valid = TestBatches.batch(1, "a");
        ByteBuffer longer = ByteBuffer.allocate(valid.remaining() + 3).put(valid).put(new byte[3]).flip();
        ByteBuffer batch = patched(longer, view -> view.buffer().putInt(RecordBatch.LENGTH_OFFSET,
                view.batchLength() + 3), true);
        assertRejected(batch, Kind.INVALID_RECORD);
    }

    @Test
    void batchLargerThanMaxMessageBytesIsRecordTooLarge() {
        assertRejected(TestBatches.sized(2, 2100, 1), Kind.MESSAGE_TOO_LARGE);
    }

    @Test
    void oneBadBatchRejectsTheWholeAppend() {
        ByteBuffer good = TestBatches.batch(1, "good");
        ByteBuffer bad = TestBatches.batch(1, "bad");
        bad.put(bad.limit() - 1, (byte) (bad.get(bad.limit() - 1) ^ 1));
        ByteBuffer both = ByteBuffer.allocate(good.remaining() + bad.remaining()).put(good).put(bad).flip();
        assertRejected(both, Kind.CORRUPT_MESSAGE);
    }

    @Test
    void assignsOffsetsAndLeaderEpochInPlace() {
        ByteBuffer batch = TestBatches.batch(CompressionType.LZ4, 1, "x", "y", "z");
        AppendResult result = log.appendAsLeader(batch, 7);
        assertThat(result.firstOffset()).isEqualTo(2);
        assertThat(result.lastOffset()).isEqualTo(4);
        assertThat(result.batchCount()).isEqualTo(1);
        RecordBatch stored = LogTestSupport.batches(LogTestSupport.bytes(log.read(3, 1000, Long.MAX_VALUE, true)))
                .get(0);
        assertThat(stored.baseOffset()).isEqualTo(2);
        assertThat(stored.partitionLeaderEpoch()).isEqualTo(7);
        assertThat(stored.isCrcValid()).isTrue();
        assertThat(RecordCodec.decode(stored, Long.MAX_VALUE)).extracting(Record::offset).containsExactly(2L, 3L, 4L);
    }

    @Test
    void logAppendTimeStampsTheBatchAndKeepsTheCrcValid() {
        log.updateConfig(log.config().with(LogConfig.MESSAGE_TIMESTAMP_TYPE, "LogAppendTime"));
        clock.advance(5000);
        for (CompressionType compression : CompressionType.values()) {
            ByteBuffer batch = TestBatches.batch(compression, 42, "p", "q");
            AppendResult result = log.appendAsLeader(batch, 1);
            assertThat(result.logAppendTimeMs()).isEqualTo(clock.millis());
            assertThat(result.maxTimestamp()).isEqualTo(clock.millis());
            RecordBatch stored = LogTestSupport.batches(LogTestSupport.bytes(
                    log.read(result.firstOffset(), 1, Long.MAX_VALUE, true))).get(0);
            assertThat(stored.timestampType()).as("%s", compression).isEqualTo(TimestampType.LOG_APPEND_TIME);
            assertThat(stored.maxTimestamp()).isEqualTo(clock.millis());
            assertThat(stored.isCrcValid()).as("%s", compression).isTrue();
            assertThat(RecordCodec.decode(stored, Long.MAX_VALUE)).extracting(Record::timestamp)
                    .containsOnly(clock.millis());
            clock.advance(10);
        }
        assertThat(log.offsetForTimestamp(clock.millis() - 10).orElseThrow().offset()).isEqualTo(log.logEndOffset() - 2);
        assertThat(log.maxTimestampAndOffset().orElseThrow().timestamp()).isEqualTo(clock.millis() - 10);
    }

    @Test
    void createTimeKeepsTheProducersTimestamps() {
        AppendResult result = log.appendAsLeader(TestBatches.batch(42, "p"), 1);
        assertThat(result.logAppendTimeMs()).isEqualTo(RecordBatch.NO_TIMESTAMP);
        assertThat(result.maxTimestamp()).isEqualTo(42);
    }
}
