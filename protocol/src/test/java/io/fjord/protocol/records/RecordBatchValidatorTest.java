package io.fjord.protocol.records;

import static io.fjord.protocol.records.KafkaBatches.buffer;
import static io.fjord.protocol.records.KafkaBatches.compression;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fjord.protocol.records.RecordBatchException.Kind;
import java.nio.ByteBuffer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class RecordBatchValidatorTest {

    private static RecordBatchException rejection(ThrowingCallable call) {
        RecordBatchException thrown = catchThrowableOfType(RecordBatchException.class, call);
        assertThat(thrown).as("a RecordBatchException").isNotNull();
        return thrown;
    }

    private static Kind frameRejection(ByteBuffer buffer) {
        return rejection(() -> RecordBatchValidator.validateFrameAndCrc(buffer, 0, buffer.remaining())).kind();
    }

    private static Kind producerRejection(ByteBuffer buffer) {
        return rejection(() -> RecordBatchValidator.validateProducerBatch(RecordBatch.at(buffer))).kind();
    }

    /** Position of record {@code index}'s offset delta in an uncompressed batch of small records with equal times. */
    private static int offsetDeltaPosition(ByteBuffer buffer, int index) {
        int cursor = RecordBatch.RECORDS_OFFSET;
        for (int skipped = 0; skipped < index; skipped++) {
            int length = buffer.get(cursor) >> 1; // one-byte zig-zag varint for small records
            cursor += 1 + length;
        }
        return cursor + 1 + 1 + 1; // length varint, attributes, timestamp delta 0
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void acceptsKafkaBuiltBatches(CompressionType type) {
        ByteBuffer buffer = KafkaBatches.plain(type, 6);
        assertThat(RecordBatchValidator.validateFrameAndCrc(buffer, 0, buffer.remaining()))
                .isEqualTo(buffer.remaining());
        RecordBatchValidator.validateProducerBatch(RecordBatch.at(buffer));
    }

    @Test
    void acceptsIdempotentAndTransactionalBatches() {
        ByteBuffer idempotent = buffer(MemoryRecords.withIdempotentRecords(Compression.NONE, 3L, (short) 0, 0,
                KafkaBatches.records(2)));
        ByteBuffer transactional = buffer(MemoryRecords.withTransactionalRecords(compression(CompressionType.ZSTD),
                3L, (short) 0, 8, KafkaBatches.records(2)));
        RecordBatchValidator.validateProducerBatch(RecordBatch.at(idempotent));
        RecordBatchValidator.validateProducerBatch(RecordBatch.at(transactional));
    }

    @Test
    void validatesABatchAtAPositionWithTheBytesAvailableFromThere() {
        ByteBuffer batch = KafkaBatches.plain(CompressionType.NONE, 2);
        ByteBuffer two = ByteBuffer.allocate(batch.remaining() * 2);
        two.put(batch.duplicate()).put(batch.duplicate()).flip();
        int size = batch.remaining();
        assertThat(RecordBatchValidator.validateFrameAndCrc(two, size, size)).isEqualTo(size);
        assertThat(rejection(() -> RecordBatchValidator.validateFrameAndCrc(two, size, size - 1)).kind())
                .isEqualTo(Kind.CORRUPT_MESSAGE);
    }

    @Test
    void rejectsFewerBytesThanAHeader() {
        ByteBuffer buffer = KafkaBatches.plain(CompressionType.NONE, 1);
        RecordBatchException thrown = rejection(() -> RecordBatchValidator.validateFrameAndCrc(buffer, 0,
                RecordBatch.HEADER_SIZE_BYTES - 1));
        assertThat(thrown.kind()).isEqualTo(Kind.CORRUPT_MESSAGE);
        assertThat(thrown).hasMessageContaining("header");
    }

    @ParameterizedTest
    @ValueSource(ints = {Integer.MIN_VALUE, -1, 0, RecordBatch.HEADER_SIZE_BYTES - RecordBatch.LOG_OVERHEAD_BYTES - 1})
    void rejectsALengthBelowTheHeaderSize(int length) {
        ByteBuffer buffer = KafkaBatches.plain(CompressionType.NONE, 1);
        buffer.putInt(RecordBatch.LENGTH_OFFSET, length);
        assertThat(frameRejection(buffer)).isEqualTo(Kind.CORRUPT_MESSAGE);
    }

    @Test
    void rejectsALengthBeyondTheBytesAvailable() {
        ByteBuffer buffer = KafkaBatches.plain(CompressionType.NONE, 1);
        buffer.putInt(RecordBatch.LENGTH_OFFSET, buffer.getInt(RecordBatch.LENGTH_OFFSET) + 1);
        assertThat(frameRejection(buffer)).isEqualTo(Kind.CORRUPT_MESSAGE);
        buffer.putInt(RecordBatch.LENGTH_OFFSET, Integer.MAX_VALUE);
        assertThat(frameRejection(buffer)).isEqualTo(Kind.CORRUPT_MESSAGE);
    }

    @ParameterizedTest
    @ValueSource(bytes = {0, 1})
    void rejectsOldMagicsAsUnsupported(byte magic) {
        ByteBuffer buffer = KafkaBatches.plain(CompressionType.NONE, 1);
        buffer.put(RecordBatch.MAGIC_OFFSET, magic);
        assertThat(frameRejection(buffer)).isEqualTo(Kind.UNSUPPORTED_FOR_MESSAGE_FORMAT);
    }

    @ParameterizedTest
    @ValueSource(bytes = {3, 99, -1, Byte.MIN_VALUE})
    void rejectsUnknownMagicsAsCorrupt(byte magic) {
        ByteBuffer buffer = KafkaBatches.plain(CompressionType.NONE, 1);
        buffer.put(RecordBatch.MAGIC_OFFSET, magic);
        assertThat(frameRejection(buffer)).isEqualTo(Kind.CORRUPT_MESSAGE);
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void rejectsACrcMismatch(CompressionType type) {
        ByteBuffer buffer = KafkaBatches.plain(type, 3);
        int last = buffer.limit() - 1;
        buffer.put(last, (byte) ~buffer.get(last));
        RecordBatchException thrown = rejection(() -> RecordBatchValidator.validateFrameAndCrc(buffer, 0,
                buffer.remaining()));
        assertThat(thrown.kind()).isEqualTo(Kind.CORRUPT_MESSAGE);
        assertThat(thrown).hasMessageContaining("CRC");
    }

    @Test
    void rejectsACorruptStoredCrc() {
        ByteBuffer buffer = KafkaBatches.plain(CompressionType.NONE, 3);
        buffer.putInt(RecordBatch.CRC_OFFSET, buffer.getInt(RecordBatch.CRC_OFFSET) + 1);
        assertThat(frameRejection(buffer)).isEqualTo(Kind.CORRUPT_MESSAGE);
    }

    @ParameterizedTest
    @ValueSource(ints = {5, 6, 7})
    void rejectsUnknownCompressionIds(int compressionId) {
        ByteBuffer buffer = KafkaBatches.plain(CompressionType.NONE, 2);
        RecordBatch view = RecordBatch.at(buffer);
        buffer.putShort(RecordBatch.ATTRIBUTES_OFFSET, (short) ((view.attributes() & ~0x07) | compressionId));
        view.writeCrc();
        RecordBatchValidator.validateFrameAndCrc(buffer, 0, buffer.remaining());
        assertThat(producerRejection(buffer)).isEqualTo(Kind.CORRUPT_MESSAGE);
    }

    @Test
    void rejectsAZeroRecordCount() {
        ByteBuffer buffer = KafkaBatches.plain(CompressionType.GZIP, 1);
        buffer.putInt(RecordBatch.RECORDS_COUNT_OFFSET, 0);
        RecordBatch.at(buffer).writeCrc();
        assertThat(producerRejection(buffer)).isEqualTo(Kind.INVALID_RECORD);
    }

    @Test
    void rejectsARecordCountThatDisagreesWithTheOffsetRange() {
        ByteBuffer buffer = KafkaBatches.plain(CompressionType.LZ4, 3);
        buffer.putInt(RecordBatch.RECORDS_COUNT_OFFSET, 4);
        RecordBatch.at(buffer).writeCrc();
        assertThat(producerRejection(buffer)).isEqualTo(Kind.INVALID_RECORD);

        ByteBuffer negativeDelta = KafkaBatches.plain(CompressionType.LZ4, 1);
        negativeDelta.putInt(RecordBatch.LAST_OFFSET_DELTA_OFFSET, -1);
        RecordBatch.at(negativeDelta).writeCrc();
        assertThat(producerRejection(negativeDelta)).isEqualTo(Kind.INVALID_RECORD);
    }

    @Test
    void rejectsControlBatchesFromClients() {
        ByteBuffer buffer = buffer(MemoryRecords.withEndTransactionMarker(0L, KafkaBatches.TIMESTAMP, 0, 5L,
                (short) 0, new EndTransactionMarker(ControlRecordType.COMMIT, 1)));
        RecordBatchException thrown = rejection(() -> RecordBatchValidator.validateProducerBatch(RecordBatch.at(buffer)));
        assertThat(thrown.kind()).isEqualTo(Kind.INVALID_RECORD);
        assertThat(thrown).hasMessageContaining("control");
    }

    @Test
    void rejectsAProducerIdWithoutASequence() {
        // Kafka's builder refuses to write this, so patch an idempotent batch the way a broken client would.
        ByteBuffer buffer = buffer(MemoryRecords.withIdempotentRecords(Compression.NONE, 77L, (short) 0, 0,
                KafkaBatches.records(2)));
        buffer.putInt(RecordBatch.BASE_SEQUENCE_OFFSET, RecordBatch.NO_SEQUENCE);
        RecordBatch.at(buffer).writeCrc();
        RecordBatchValidator.validateFrameAndCrc(buffer, 0, buffer.remaining());
        RecordBatchException thrown = rejection(() -> RecordBatchValidator.validateProducerBatch(RecordBatch.at(buffer)));
        assertThat(thrown.kind()).isEqualTo(Kind.INVALID_RECORD);
        assertThat(thrown).hasMessageContaining("sequence");
    }

    // ------------------------------------------------------------ uncompressed record framing

    private static ByteBuffer uncompressed(int count) {
        return buffer(MemoryRecords.withRecords(0L, Compression.NONE, KafkaBatches.sameTimestampRecords(count)));
    }

    @Test
    void rejectsARecordOffsetDeltaOutOfSequence() {
        ByteBuffer buffer = uncompressed(3);
        int position = offsetDeltaPosition(buffer, 1);
        assertThat(buffer.get(position)).isEqualTo((byte) 2); // zig-zag 1
        buffer.put(position, (byte) 4); // zig-zag 2
        RecordBatch.at(buffer).writeCrc();
        RecordBatchException thrown = rejection(() -> RecordBatchValidator.validateProducerBatch(RecordBatch.at(buffer)));
        assertThat(thrown.kind()).isEqualTo(Kind.INVALID_RECORD);
        assertThat(thrown).hasMessageContaining("offset delta");
    }

    @Test
    void rejectsAFirstRecordWhoseOffsetDeltaIsNotZero() {
        ByteBuffer buffer = uncompressed(2);
        buffer.put(offsetDeltaPosition(buffer, 0), (byte) 2);
        RecordBatch.at(buffer).writeCrc();
        assertThat(producerRejection(buffer)).isEqualTo(Kind.INVALID_RECORD);
    }

    @Test
    void rejectsFewerRecordsThanTheCountSays() {
        ByteBuffer buffer = uncompressed(3);
        buffer.putInt(RecordBatch.RECORDS_COUNT_OFFSET, 4);
        buffer.putInt(RecordBatch.LAST_OFFSET_DELTA_OFFSET, 3);
        RecordBatch.at(buffer).writeCrc();
        RecordBatchException thrown = rejection(() -> RecordBatchValidator.validateProducerBatch(RecordBatch.at(buffer)));
        assertThat(thrown.kind()).isEqualTo(Kind.INVALID_RECORD);
        assertThat(thrown).hasMessageContaining("fewer");
    }

    @Test
    void rejectsBytesAfterTheLastCountedRecord() {
        ByteBuffer buffer = uncompressed(3);
        buffer.putInt(RecordBatch.RECORDS_COUNT_OFFSET, 2);
        buffer.putInt(RecordBatch.LAST_OFFSET_DELTA_OFFSET, 1);
        RecordBatch.at(buffer).writeCrc();
        RecordBatchException thrown = rejection(() -> RecordBatchValidator.validateProducerBatch(RecordBatch.at(buffer)));
        assertThat(thrown.kind()).isEqualTo(Kind.INVALID_RECORD);
        assertThat(thrown).hasMessageContaining("after");
    }

    @ParameterizedTest
    @ValueSource(bytes = {0, -2, 127})
    void rejectsARecordLengthOutsideTheBatch(byte zigZagLength) {
        ByteBuffer buffer = uncompressed(2);
        buffer.put(RecordBatch.RECORDS_OFFSET, zigZagLength); // 0 -> length 0, -2 (0xfe) -> runs on, 127 -> -64
        RecordBatch.at(buffer).writeCrc();
        assertThat(producerRejection(buffer)).isEqualTo(Kind.INVALID_RECORD);
    }

    @Test
    void rejectsALengthLongerThanTheRestOfTheBatch() {
        ByteBuffer buffer = uncompressed(1);
        int length = buffer.get(RecordBatch.RECORDS_OFFSET) >> 1;
        buffer.put(RecordBatch.RECORDS_OFFSET, (byte) ((length + 1) << 1));
        RecordBatch.at(buffer).writeCrc();
        assertThat(producerRejection(buffer)).isEqualTo(Kind.INVALID_RECORD);
    }

    @Test
    void rejectsARecordTooShortForItsOffsetDelta() {
        ByteBuffer buffer = uncompressed(2);
        buffer.put(RecordBatch.RECORDS_OFFSET, (byte) 2); // length 1: attributes only
        RecordBatch.at(buffer).writeCrc();
        RecordBatchException thrown = rejection(() -> RecordBatchValidator.validateProducerBatch(RecordBatch.at(buffer)));
        assertThat(thrown.kind()).isEqualTo(Kind.INVALID_RECORD);
        assertThat(thrown).hasMessageContaining("past the end");
    }

    @Test
    void rejectsAVarintLongerThanFiveBytes() {
        ByteBuffer buffer = uncompressed(3);
        for (int index = 0; index < 6; index++) {
            buffer.put(RecordBatch.RECORDS_OFFSET + index, (byte) 0xff);
        }
        RecordBatch.at(buffer).writeCrc();
        RecordBatchException thrown = rejection(() -> RecordBatchValidator.validateProducerBatch(RecordBatch.at(buffer)));
        assertThat(thrown.kind()).isEqualTo(Kind.INVALID_RECORD);
        assertThat(thrown).hasMessageContaining("longer than 5 bytes");
    }

    @Test
    void rejectsAVarlongLongerThanTenBytes() {
        ByteBuffer buffer = uncompressed(3);
        int timestampDelta = RecordBatch.RECORDS_OFFSET + 2;
        for (int index = 0; index < 11; index++) {
            buffer.put(timestampDelta + index, (byte) 0x80);
        }
        RecordBatch.at(buffer).writeCrc();
        RecordBatchException thrown = rejection(() -> RecordBatchValidator.validateProducerBatch(RecordBatch.at(buffer)));
        assertThat(thrown.kind()).isEqualTo(Kind.INVALID_RECORD);
    }

    @Test
    void compressedBatchesAreNotWalkedRecordByRecord() {
        ByteBuffer buffer = KafkaBatches.plain(CompressionType.GZIP, 3);
        // Garbling the compressed payload passes the structural checks; decoding is what catches it.
        buffer.put(RecordBatch.RECORDS_OFFSET + 12, (byte) 0x55);
        RecordBatch.at(buffer).writeCrc();
        RecordBatchValidator.validateFrameAndCrc(buffer, 0, buffer.remaining());
        RecordBatchValidator.validateProducerBatch(RecordBatch.at(buffer));
        assertThat(RecordBatch.at(buffer).compressionType()).isEqualTo(CompressionType.GZIP);
    }
}
