package io.fjord.broker.handlers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatchException;
import io.fjord.protocol.records.RecordBatchException.Kind;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The produce path's checks of a batch's records, compressed or not, before anything is appended. */
class ProduceValidatorTest {
    private static final long NOW_MS = 1_700_000_000_000L;
    private static final Map<String, String> DEFAULTS = Map.of("max.message.bytes", "1048588");

    private static ByteBuffer batch(CompressionType compression, String... keys) {
        List<Record> records = new ArrayList<>();
        for (int index = 0; index < keys.length; index++) {
            ByteBuffer key = keys[index] == null ? null : ByteBuffer.wrap(keys[index].getBytes(StandardCharsets.UTF_8));
            records.add(new Record(index, NOW_MS, key, ByteBuffer.wrap(new byte[100]), List.of()));
        }
        return RecordCodec.encode(BatchSpec.plain(0, compression), records);
    }

    private static Kind rejection(ByteBuffer batch, Map<String, String> configs) {
        RecordBatchException thrown = catchThrowableOfType(RecordBatchException.class,
                () -> ProduceValidator.validate(batch, configs, NOW_MS));
        assertThat(thrown).as("the batch must be refused").isNotNull();
        return thrown.kind();
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void aRecordCountOfTwoToTheThirtyOneMinusOneIsRefusedForEveryCompression(CompressionType compression) {
        ByteBuffer poison = batch(compression, "a", "b", "c");
        poison.putInt(poison.position() + RecordBatch.RECORDS_COUNT_OFFSET, Integer.MAX_VALUE);
        poison.putInt(poison.position() + RecordBatch.LAST_OFFSET_DELTA_OFFSET, Integer.MAX_VALUE - 1);
        RecordBatch.at(poison).writeCrc();
        assertThat(rejection(poison, DEFAULTS)).isEqualTo(Kind.INVALID_RECORD);
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void validBatchesAreAppendedAsSent(CompressionType compression) {
        ByteBuffer batch = batch(compression, "a", "b", "c");
        assertThat(ProduceValidator.validate(batch, DEFAULTS, NOW_MS)).isSameAs(batch);
    }

    @Test
    void aBrokenChecksumIsCorruptMessageWhateverTheRecordsHold() {
        ByteBuffer poison = batch(CompressionType.LZ4, "a", "b");
        poison.putInt(poison.position() + RecordBatch.RECORDS_COUNT_OFFSET, Integer.MAX_VALUE);
        poison.putInt(poison.position() + RecordBatch.LAST_OFFSET_DELTA_OFFSET, Integer.MAX_VALUE - 1);
        assertThat(rejection(poison, DEFAULTS)).isEqualTo(Kind.CORRUPT_MESSAGE);
    }

    @Test
    void anOversizedBatchIsRefusedBeforeItsRecordsAreRead() {
        ByteBuffer batch = batch(CompressionType.ZSTD, "a", "b");
        batch.put(batch.limit() - 1, (byte) 0x42); // CRC now wrong: the size must be what refuses it
        assertThat(rejection(batch, Map.of("max.message.bytes", "20"))).isEqualTo(Kind.MESSAGE_TOO_LARGE);
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = {"NONE", "GZIP", "ZSTD"})
    void recordsWithoutKeysOnACompactedTopicAreNamedByIndex(CompressionType compression) {
        ByteBuffer batch = batch(compression, "a", null, "c", null);
        RecordValidationException thrown = catchThrowableOfType(RecordValidationException.class,
                () -> ProduceValidator.validate(batch, Map.of("cleanup.policy", "compact"), NOW_MS));
        assertThat(thrown.error()).isEqualTo(Errors.INVALID_RECORD);
        assertThat(thrown.recordErrors()).extracting(RecordValidationException.RecordError::batchIndex)
                .containsExactly(1, 3);
        assertThat(thrown).hasMessageStartingWith("2 of 4 records were refused");
    }

    @Test
    void timestampsOutsideTheTopicsBoundsAreInvalidTimestamp() {
        ByteBuffer batch = batch(CompressionType.LZ4, "a", "b");
        RecordValidationException thrown = catchThrowableOfType(RecordValidationException.class,
                () -> ProduceValidator.validate(batch, Map.of("message.timestamp.before.max.ms", "1000"),
                        NOW_MS + 5_000));
        assertThat(thrown.error()).isEqualTo(Errors.INVALID_TIMESTAMP);
        assertThat(thrown.recordErrors()).hasSize(2);
        assertThat(thrown.recordErrors().get(0).message()).startsWith("Timestamp " + NOW_MS + " of message with offset 0");
    }

    @Test
    void recompressionToTheTopicsTypeStillHappens() {
        ByteBuffer batch = batch(CompressionType.NONE, "a", "b");
        ByteBuffer stored = ProduceValidator.validate(batch, Map.of("compression.type", "zstd"), NOW_MS);
        assertThat(RecordBatch.at(stored).compressionType()).isEqualTo(CompressionType.ZSTD);
        assertThat(RecordBatch.at(stored).recordCount()).isEqualTo(2);
    }

    private static final Map<String, String> RECOMPRESS_TO_GZIP = Map.of("compression.type", "gzip");

    @Test
    void aNegativeTimestampMetWhileRecompressingIsInvalidTimestamp() {
        ByteBuffer batch = batch(CompressionType.NONE, "a", "b");
        batch.putLong(batch.position() + RecordBatch.BASE_TIMESTAMP_OFFSET, -1_000L);
        RecordBatch.at(batch).writeCrc();
        assertThat(rejection(batch, RECOMPRESS_TO_GZIP)).isEqualTo(Kind.INVALID_TIMESTAMP);
    }

    @Test
    void aProducerIdWithANegativeEpochMetWhileRecompressingIsInvalidRecord() {
        ByteBuffer batch = batch(CompressionType.NONE, "a", "b");
        batch.putLong(batch.position() + RecordBatch.PRODUCER_ID_OFFSET, 7L);
        batch.putShort(batch.position() + RecordBatch.PRODUCER_EPOCH_OFFSET, (short) -1);
        batch.putInt(batch.position() + RecordBatch.BASE_SEQUENCE_OFFSET, 0);
        RecordBatch.at(batch).writeCrc();
        assertThat(rejection(batch, RECOMPRESS_TO_GZIP)).isEqualTo(Kind.INVALID_RECORD);
    }

    @Test
    void aProducersBaseOffsetNearTheLargestLongDoesNotStopRecompression() {
        ByteBuffer batch = batch(CompressionType.NONE, "a", "b", "c");
        batch.putLong(batch.position() + RecordBatch.BASE_OFFSET_OFFSET, Long.MAX_VALUE - 1);
        RecordBatch.at(batch).writeCrc();
        ByteBuffer stored = ProduceValidator.validate(batch, RECOMPRESS_TO_GZIP, NOW_MS);
        assertThat(RecordBatch.at(stored).compressionType()).isEqualTo(CompressionType.GZIP);
        assertThat(RecordCodec.decode(RecordBatch.at(stored), Long.MAX_VALUE)).extracting(Record::offset)
                .containsExactly(0L, 1L, 2L);
    }

    /** Seed 1 frame 39 of the fuzzer, before validation: compression ids 5-7 threw IllegalArgumentException. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {5, 6, 7})
    void anUnknownCompressionIdIsCorruptMessageEvenWhenTheTopicRecompresses(int compressionId) {
        ByteBuffer batch = batch(CompressionType.NONE, "a", "b");
        int attributes = batch.getShort(batch.position() + RecordBatch.ATTRIBUTES_OFFSET);
        batch.putShort(batch.position() + RecordBatch.ATTRIBUTES_OFFSET, (short) ((attributes & ~0x07) | compressionId));
        RecordBatch.at(batch).writeCrc();
        assertThat(rejection(batch, DEFAULTS)).isEqualTo(Kind.CORRUPT_MESSAGE);
        assertThat(rejection(batch, RECOMPRESS_TO_GZIP)).isEqualTo(Kind.CORRUPT_MESSAGE);
    }
}
