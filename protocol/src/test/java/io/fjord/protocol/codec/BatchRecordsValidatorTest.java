package io.fjord.protocol.codec;

import static io.fjord.protocol.codec.RawBatches.batch;
import static io.fjord.protocol.codec.RawBatches.bytes;
import static io.fjord.protocol.codec.RawBatches.compress;
import static io.fjord.protocol.codec.RawBatches.concat;
import static io.fjord.protocol.codec.RawBatches.record;
import static io.fjord.protocol.codec.RawBatches.records;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatchException;
import io.fjord.protocol.records.RecordBatchException.Kind;
import io.fjord.protocol.records.RecordBatchValidator;
import io.fjord.protocol.records.RecordVisitor;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The poison batches of issue #10 (a valid CRC around records that lie), for every compression type: each is refused
 * with the error Kafka 4.4 answers (checked against a Kafka 4.4 broker), and valid batches pass with every record
 * seen once.
 */
class BatchRecordsValidatorTest {
    private static final long BOUND = 256L * 1024 * 1024;

    private static Kind rejection(RecordBatch batch, long decompressedBytesMax) {
        // The header is consistent in every case here: the lie is in the records.
        RecordBatchValidator.validateFrameAndCrc(batch.buffer(), batch.position(), batch.sizeInBytes());
        RecordBatchValidator.validateProducerBatchHeader(batch);
        RecordBatchException thrown = catchThrowableOfType(RecordBatchException.class,
                () -> BatchRecordsValidator.validateRecords(batch, decompressedBytesMax, RecordVisitor.NONE));
        assertThat(thrown).as("the batch must be refused").isNotNull();
        return thrown.kind();
    }

    private static Kind rejection(RecordBatch batch) {
        return rejection(batch, BOUND);
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void validBatchesPassAndEveryRecordIsSeenOnce(CompressionType type) {
        List<String> seen = new ArrayList<>();
        RecordBatch batch = batch(type, 50);
        BatchRecordsValidator.validateRecords(batch, BOUND, (index, timestampDelta, hasKey) ->
                seen.add(index + ":" + timestampDelta + ":" + hasKey));
        assertThat(seen).hasSize(50).startsWith("0:0:true").endsWith("49:0:true");
        // Batches built by Kafka's own writer too, with keys, nulls and headers.
        RecordBatch kafka = RecordBatch.at(RecordCodec.encode(BatchSpec.of(batch).withCompression(type),
                RecordCodec.decode(batch, BOUND)));
        BatchRecordsValidator.validateRecords(kafka, BOUND, RecordVisitor.NONE);
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void aRecordCountOfTwoToTheThirtyOneMinusOneIsInvalidRecord(CompressionType type) {
        assertThat(rejection(batch(type, Integer.MAX_VALUE, Integer.MAX_VALUE - 1, compress(type, records(3)))))
                .isEqualTo(Kind.INVALID_RECORD);
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void fewerOrMoreRecordsThanCountedAreInvalidRecord(CompressionType type) {
        assertThat(rejection(batch(type, 5, 4, compress(type, records(3))))).isEqualTo(Kind.INVALID_RECORD);
        assertThat(rejection(batch(type, 2, 1, compress(type, records(3))))).isEqualTo(Kind.INVALID_RECORD);
        assertThat(rejection(batch(type, 3, 2, compress(type, concat(records(3), new byte[] {7, 7})))))
                .isEqualTo(Kind.INVALID_RECORD);
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void lengthsThatOverrunTheirRecordAreInvalidRecord(CompressionType type) {
        byte[] valueOverruns = record(0, bytes("k"), bytes("v"), 1000, 0);
        assertThat(rejection(batch(type, 1, 0, compress(type, valueOverruns)))).isEqualTo(Kind.INVALID_RECORD);
        byte[] valueOverrunsTheBatch = record(0, bytes("k"), bytes("v"), Integer.MAX_VALUE, 0);
        assertThat(rejection(batch(type, 1, 0, compress(type, valueOverrunsTheBatch))))
                .isEqualTo(Kind.INVALID_RECORD);
        // Kafka reads a negative length as null; the byte that follows then breaks the record's own length.
        byte[] negativeValue = record(0, bytes("k"), bytes("v"), -5, 0);
        assertThat(rejection(batch(type, 1, 0, compress(type, negativeValue)))).isEqualTo(Kind.INVALID_RECORD);
        byte[] manyHeaders = record(0, bytes("k"), bytes("v"), null, Integer.MAX_VALUE);
        assertThat(rejection(batch(type, 1, 0, compress(type, manyHeaders)))).isEqualTo(Kind.INVALID_RECORD);
        byte[] negativeHeaders = record(0, bytes("k"), bytes("v"), null, -1);
        assertThat(rejection(batch(type, 1, 0, compress(type, negativeHeaders)))).isEqualTo(Kind.INVALID_RECORD);
        byte[] recordOverrunsTheBatch = concat(RawBatches.varint(Integer.MAX_VALUE), new byte[] {0, 0, 0});
        assertThat(rejection(batch(type, 1, 0, compress(type, recordOverrunsTheBatch))))
                .isIn(Kind.INVALID_RECORD, Kind.MESSAGE_TOO_LARGE);
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void offsetDeltasMustCountFromZero(CompressionType type) {
        byte[] gap = concat(record(0), record(2), record(3));
        assertThat(rejection(batch(type, 3, 2, compress(type, gap)))).isEqualTo(Kind.INVALID_RECORD);
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
    void aPayloadTheCodecCannotReadIsCorruptMessage(CompressionType type) {
        byte[] garbage = new byte[2000];
        new Random(10L).nextBytes(garbage);
        assertThat(rejection(batch(type, 50, 49, garbage))).isEqualTo(Kind.CORRUPT_MESSAGE);
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
    void aDamagedOrTruncatedPayloadIsRefused(CompressionType type) {
        byte[] damaged = compress(type, records(50));
        for (int index = damaged.length / 3; index < damaged.length; index += 7) {
            damaged[index] ^= 0x5a;
        }
        // Damage the codec notices is CORRUPT_MESSAGE; damage that still decompresses breaks the records.
        assertThat(rejection(batch(type, 50, 49, damaged))).isIn(Kind.CORRUPT_MESSAGE, Kind.INVALID_RECORD);
        byte[] whole = compress(type, records(50));
        byte[] truncated = Arrays.copyOf(whole, whole.length / 2);
        assertThat(rejection(batch(type, 50, 49, truncated))).isIn(Kind.CORRUPT_MESSAGE, Kind.INVALID_RECORD);
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
    void aDecompressionBombIsRefusedBeforeItIsDecompressed(CompressionType type) {
        long valueBytes = 64L * 1024 * 1024;
        byte[] header = recordHeader((int) valueBytes);
        RecordBatch bomb = batch(type, 1, 0, compress(type, header, valueBytes));
        assertThat(bomb.sizeInBytes()).as("small compressed").isLessThan(4 * 1024 * 1024);
        long allocatedBefore = allocatedBytes();
        Kind kind = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> rejection(bomb, 1024 * 1024));
        assertThat(kind).isEqualTo(Kind.MESSAGE_TOO_LARGE);
        // Under the bound the same batch is valid, and walking its 64 MiB keeps none of it.
        BatchRecordsValidator.validateRecords(bomb, BOUND, RecordVisitor.NONE);
        assertThat(allocatedBytes() - allocatedBefore).as("bytes allocated while decompressing 64 MiB twice")
                .isLessThan(16L * 1024 * 1024);
    }

    /**
     * The start of a record of key "k" whose body ends after {@code zeros} zero bytes written separately: the first
     * {@code zeros - 1} are its value, the last is its header count (0).
     */
    private static byte[] recordHeader(int zeros) {
        byte[] fields = concat(new byte[] {0, 0, 0}, RawBatches.varint(1), bytes("k"), RawBatches.varint(zeros - 1));
        return concat(RawBatches.varint(fields.length + zeros), fields);
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }
}
