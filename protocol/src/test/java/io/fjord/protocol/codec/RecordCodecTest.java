package io.fjord.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatchException;
import io.fjord.protocol.records.RecordBatchException.Kind;
import io.fjord.protocol.records.RecordBatchValidator;
import io.fjord.protocol.records.RecordHeader;
import io.fjord.protocol.records.TimestampType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RecordCodecTest {
    private static final long TIMESTAMP = 1_700_000_000_000L;
    private static final long UNBOUNDED = Long.MAX_VALUE;

    private static ByteBuffer utf8(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** A comparable rendering of a record: buffers and header arrays by content. */
    private static String describe(Record record) {
        StringBuilder headers = new StringBuilder();
        for (RecordHeader header : record.headers()) {
            headers.append(header.key()).append('=')
                    .append(header.value() == null ? "null" : Arrays.toString(header.value())).append(';');
        }
        return record.offset() + "@" + record.timestamp() + " " + text(record.key()) + " -> " + text(record.value())
                + " [" + headers + "]";
    }

    private static List<String> describe(List<Record> records) {
        return records.stream().map(RecordCodecTest::describe).toList();
    }

    /** Keys, a null key, a tombstone, headers (one with a null value), offsets 100..110 with gaps, varied times. */
    private static List<Record> mixedRecords() {
        return List.of(
                new Record(100, TIMESTAMP, utf8("alpha"), utf8("one"), List.of()),
                new Record(101, TIMESTAMP + 5, null, utf8("no key"),
                        List.of(new RecordHeader("trace", new byte[] {1, 2, 3}))),
                new Record(105, TIMESTAMP - 3, utf8("gone"), null,
                        List.of(new RecordHeader("empty", new byte[0]), new RecordHeader("absent", null))),
                new Record(110, TIMESTAMP + 1_000, utf8(""), utf8("x".repeat(3_000)), List.of()));
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void roundTripsRecordsWithEveryCodec(CompressionType type) {
        List<Record> records = mixedRecords();
        ByteBuffer encoded = RecordCodec.encode(BatchSpec.plain(100, type), records);

        assertThat(RecordBatchValidator.validateFrameAndCrc(encoded, encoded.position(), encoded.remaining()))
                .isEqualTo(encoded.remaining());
        RecordBatch batch = RecordBatch.at(encoded);
        assertThat(batch.compressionType()).isEqualTo(type);
        assertThat(batch.baseOffset()).isEqualTo(100);
        assertThat(batch.lastOffset()).isEqualTo(110);
        assertThat(batch.recordCount()).isEqualTo(4);
        assertThat(batch.baseTimestamp()).as("the first record's timestamp, as Kafka's builder does").isEqualTo(TIMESTAMP);
        assertThat(batch.maxTimestamp()).isEqualTo(TIMESTAMP + 1_000);
        assertThat(describe(RecordCodec.decode(batch, UNBOUNDED))).containsExactlyElementsOf(describe(records));

        // kafka-clients reads the same records from our bytes.
        DefaultRecordBatch kafka = (DefaultRecordBatch) MemoryRecords.readableRecords(encoded.duplicate())
                .batches().iterator().next();
        kafka.ensureValid();
        List<Long> offsets = new ArrayList<>();
        kafka.forEach(record -> offsets.add(record.offset()));
        assertThat(offsets).containsExactly(100L, 101L, 105L, 110L);
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void decodedRecordsSurviveTheBatchBufferBeingReused(CompressionType type) {
        ByteBuffer encoded = RecordCodec.encode(BatchSpec.plain(0, type), List.of(
                new Record(0, TIMESTAMP, utf8("key"), utf8("value"), List.of())));
        List<Record> decoded = RecordCodec.decode(RecordBatch.at(encoded), UNBOUNDED);
        assertThat(text(decoded.get(0).key())).isEqualTo("key");
        assertThat(decoded.get(0).hasKey()).isTrue();
        assertThat(decoded.get(0).isTombstone()).isFalse();
    }

    @Test
    void reEncodingDecodedRecordsWithTheBatchSpecGivesTheSameBytes() {
        ByteBuffer encoded = RecordCodec.encode(BatchSpec.plain(100, CompressionType.NONE), mixedRecords());
        RecordBatch batch = RecordBatch.at(encoded);
        ByteBuffer again = RecordCodec.encode(BatchSpec.of(batch), RecordCodec.decode(batch, UNBOUNDED));
        assertThat(again).isEqualTo(encoded);
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void roundTripsIdempotentTransactionalBatchFields(CompressionType type) {
        BatchSpec spec = new BatchSpec(40, type, TimestampType.CREATE_TIME, RecordBatch.NO_TIMESTAMP, 9_876L,
                (short) 3, 12, true, false, 8, RecordBatch.NO_TIMESTAMP);
        List<Record> records = List.of(new Record(40, TIMESTAMP, utf8("a"), utf8("1"), List.of()),
                new Record(41, TIMESTAMP, utf8("b"), utf8("2"), List.of()));
        RecordBatch batch = RecordBatch.at(RecordCodec.encode(spec, records));
        assertThat(batch.producerId()).isEqualTo(9_876L);
        assertThat(batch.producerEpoch()).isEqualTo((short) 3);
        assertThat(batch.baseSequence()).isEqualTo(12);
        assertThat(batch.lastSequence()).isEqualTo(13);
        assertThat(batch.isTransactional()).isTrue();
        assertThat(batch.partitionLeaderEpoch()).isEqualTo(8);
        assertThat(BatchSpec.of(batch)).isEqualTo(spec);
        RecordBatchValidator.validateProducerBatch(batch);
        assertThat(describe(RecordCodec.decode(batch, UNBOUNDED))).containsExactlyElementsOf(describe(records));
    }

    @Test
    void roundTripsAControlBatchThatKafkaReadsAsATransactionMarker() {
        BatchSpec spec = new BatchSpec(500, CompressionType.NONE, TimestampType.CREATE_TIME, RecordBatch.NO_TIMESTAMP,
                31L, (short) 2, RecordBatch.NO_SEQUENCE, true, true, 4, RecordBatch.NO_TIMESTAMP);
        ByteBuffer key = ByteBuffer.allocate(4).putShort((short) 0).putShort(ControlRecordType.COMMIT.type()).flip();
        ByteBuffer value = new EndTransactionMarker(ControlRecordType.COMMIT, 17).serializeValue();
        Record marker = new Record(500, TIMESTAMP, key, value, List.of());
        ByteBuffer encoded = RecordCodec.encode(spec, List.of(marker));

        RecordBatch batch = RecordBatch.at(encoded);
        assertThat(batch.isControlBatch()).isTrue();
        assertThat(batch.isTransactional()).isTrue();
        assertThat(BatchSpec.of(batch)).isEqualTo(spec);
        assertThat(describe(RecordCodec.decode(batch, UNBOUNDED))).containsExactly(describe(marker));

        DefaultRecordBatch kafka = (DefaultRecordBatch) MemoryRecords.readableRecords(encoded.duplicate())
                .batches().iterator().next();
        assertThat(kafka.isControlBatch()).isTrue();
        EndTransactionMarker read = EndTransactionMarker.deserialize(kafka.iterator().next());
        assertThat(read.controlType()).isEqualTo(ControlRecordType.COMMIT);
        assertThat(read.coordinatorEpoch()).isEqualTo(17);
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void roundTripsTheDeleteHorizon(CompressionType type) {
        long horizonMs = TIMESTAMP + 86_400_000L;
        BatchSpec spec = BatchSpec.plain(7, type).withDeleteHorizonMs(horizonMs);
        List<Record> records = List.of(new Record(7, TIMESTAMP, utf8("k"), null, List.of()),
                new Record(9, TIMESTAMP + 20, utf8("l"), utf8("v"), List.of()));
        RecordBatch batch = RecordBatch.at(RecordCodec.encode(spec, records));
        assertThat(batch.hasDeleteHorizon()).isTrue();
        assertThat(batch.deleteHorizonMs()).isEqualTo(horizonMs);
        assertThat(batch.maxTimestamp()).isEqualTo(TIMESTAMP + 20);
        assertThat(BatchSpec.of(batch)).isEqualTo(spec);
        assertThat(describe(RecordCodec.decode(batch, UNBOUNDED))).containsExactlyElementsOf(describe(records));
    }

    @Test
    void logAppendTimeBatchesDecodeWithTheAppendTime() {
        long appendTimeMs = TIMESTAMP + 77;
        BatchSpec spec = new BatchSpec(0, CompressionType.ZSTD, TimestampType.LOG_APPEND_TIME, appendTimeMs,
                RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH, RecordBatch.NO_SEQUENCE, false, false,
                RecordBatch.NO_PARTITION_LEADER_EPOCH, RecordBatch.NO_TIMESTAMP);
        RecordBatch batch = RecordBatch.at(RecordCodec.encode(spec, List.of(
                new Record(0, TIMESTAMP, utf8("k"), utf8("v"), List.of()),
                new Record(1, TIMESTAMP + 1, utf8("k"), utf8("w"), List.of()))));
        assertThat(batch.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        assertThat(RecordCodec.decode(batch, UNBOUNDED)).extracting(Record::timestamp)
                .containsExactly(appendTimeMs, appendTimeMs);
    }

    @Test
    void decodingAfterTheBrokerAssignsOffsetsUsesTheNewBaseOffset() {
        ByteBuffer encoded = RecordCodec.encode(BatchSpec.plain(0, CompressionType.LZ4), List.of(
                new Record(0, TIMESTAMP, null, utf8("a"), List.of()), new Record(1, TIMESTAMP, null, utf8("b"), List.of())));
        RecordBatch batch = RecordBatch.at(encoded);
        batch.setBaseOffset(1_000);
        assertThat(RecordCodec.decode(batch, UNBOUNDED)).extracting(Record::offset).containsExactly(1_000L, 1_001L);
    }

    // ------------------------------------------------------------ decode bound

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void aBatchDecodingPastTheBoundIsCorrupt(CompressionType type) {
        List<Record> records = new ArrayList<>();
        for (int index = 0; index < 64; index++) {
            records.add(new Record(index, TIMESTAMP, null, ByteBuffer.wrap(new byte[64 * 1024]), List.of()));
        }
        RecordBatch batch = RecordBatch.at(RecordCodec.encode(BatchSpec.plain(0, type), records));
        if (type != CompressionType.NONE) {
            assertThat(batch.sizeInBytes()).as("highly compressible").isLessThan(512 * 1024);
        }
        long decodedBytesMax = 1024 * 1024;
        RecordBatchException thrown = catchThrowableOfType(RecordBatchException.class,
                () -> RecordCodec.decode(batch, decodedBytesMax));
        assertThat(thrown).isNotNull();
        assertThat(thrown.kind()).isEqualTo(Kind.CORRUPT_MESSAGE);
        assertThat(RecordCodec.decode(batch, 8L * 1024 * 1024)).hasSize(64);
    }

    /** A gzip batch of one record whose decompressed bytes start with a body size near 2 GiB. */
    private static RecordBatch gzipBatchClaimingAHugeRecord() throws IOException {
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(payload)) {
            int zigZag = (Integer.MAX_VALUE - 16) << 1; // zig-zag of a large positive size, as an unsigned varint
            long unsigned = Integer.toUnsignedLong(zigZag);
            while ((unsigned & ~0x7fL) != 0) {
                gzip.write((int) ((unsigned & 0x7f) | 0x80));
                unsigned >>>= 7;
            }
            gzip.write((int) unsigned);
            gzip.write(new byte[32]);
        }
        ByteBuffer template = RecordCodec.encode(BatchSpec.plain(0, CompressionType.GZIP), List.of(
                new Record(0, TIMESTAMP, null, utf8("v"), List.of())));
        byte[] compressed = payload.toByteArray();
        ByteBuffer forged = ByteBuffer.allocate(RecordBatch.HEADER_SIZE_BYTES + compressed.length);
        forged.put(template.duplicate().limit(template.position() + RecordBatch.HEADER_SIZE_BYTES)).put(compressed).flip();
        forged.putInt(RecordBatch.LENGTH_OFFSET, forged.remaining() - RecordBatch.LOG_OVERHEAD_BYTES);
        RecordBatch batch = RecordBatch.at(forged);
        batch.writeCrc();
        return batch;
    }

    @Test
    void aRecordClaimingMoreThanTheBoundIsRejectedBeforeItIsAllocated() throws IOException {
        RecordBatch batch = gzipBatchClaimingAHugeRecord();
        RecordBatchValidator.validateFrameAndCrc(batch.buffer(), 0, batch.sizeInBytes());
        Throwable thrown = catchThrowable(() -> RecordCodec.decode(batch, 1024 * 1024));
        assertThat(thrown).isInstanceOf(RecordBatchException.class);
        assertThat(((RecordBatchException) thrown).kind()).isEqualTo(Kind.CORRUPT_MESSAGE);
    }

    // ------------------------------------------------------------ garbled payloads

    private static void assertDecodesOrIsCorrupt(RecordBatch batch, String description) {
        Throwable thrown = catchThrowable(() -> RecordCodec.decode(batch, 4L * 1024 * 1024));
        if (thrown != null) {
            assertThat(thrown).as(description).isInstanceOf(RecordBatchException.class);
            assertThat(((RecordBatchException) thrown).kind()).as(description).isEqualTo(Kind.CORRUPT_MESSAGE);
        }
    }

    private static ByteBuffer sample(CompressionType type) {
        List<Record> records = new ArrayList<>();
        for (int index = 0; index < 20; index++) {
            records.add(new Record(index, TIMESTAMP + index, index % 3 == 0 ? null : utf8("key-" + index),
                    utf8("value-" + index + "-" + "abc".repeat(index)),
                    index % 4 == 0 ? List.of(new RecordHeader("h", new byte[] {(byte) index})) : List.of()));
        }
        return RecordCodec.encode(BatchSpec.plain(0, type), records);
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void garbledPayloadsRaiseOnlyRecordBatchExceptions(CompressionType type) {
        ByteBuffer original = sample(type);
        int recordsBytes = original.remaining() - RecordBatch.HEADER_SIZE_BYTES;
        Random random = new Random(type.id() * 1_000L + 17);
        int rejected = 0;
        for (int trial = 0; trial < 300; trial++) {
            ByteBuffer garbled = ByteBuffer.allocate(original.remaining());
            garbled.put(original.duplicate()).flip();
            int flips = 1 + random.nextInt(4);
            for (int flip = 0; flip < flips; flip++) {
                int position = RecordBatch.HEADER_SIZE_BYTES + random.nextInt(recordsBytes);
                garbled.put(position, (byte) random.nextInt(256));
            }
            RecordBatch batch = RecordBatch.at(garbled);
            batch.writeCrc();
            Throwable thrown = catchThrowable(() -> RecordCodec.decode(batch, 4L * 1024 * 1024));
            if (thrown != null) {
                assertThat(thrown).as("trial %d of %s", trial, type).isInstanceOf(RecordBatchException.class);
                rejected++;
            }
        }
        assertThat(rejected).as("some garbling must be detected").isPositive();
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void truncatedAndRandomPayloadsRaiseOnlyRecordBatchExceptions(CompressionType type) {
        ByteBuffer original = sample(type);
        Random random = new Random(type.id() * 7_919L + 3);
        for (int trial = 0; trial < 100; trial++) {
            int recordsBytes = random.nextInt(original.remaining() - RecordBatch.HEADER_SIZE_BYTES);
            ByteBuffer cut = ByteBuffer.allocate(RecordBatch.HEADER_SIZE_BYTES + recordsBytes);
            cut.put(original.duplicate().limit(RecordBatch.HEADER_SIZE_BYTES));
            if (trial % 2 == 0) {
                cut.put(original.duplicate().position(RecordBatch.HEADER_SIZE_BYTES)
                        .limit(RecordBatch.HEADER_SIZE_BYTES + recordsBytes));
            } else {
                byte[] noise = new byte[recordsBytes];
                random.nextBytes(noise);
                cut.put(noise);
            }
            cut.flip();
            cut.putInt(RecordBatch.LENGTH_OFFSET, cut.remaining() - RecordBatch.LOG_OVERHEAD_BYTES);
            RecordBatch batch = RecordBatch.at(cut);
            batch.writeCrc();
            assertDecodesOrIsCorrupt(batch, "trial " + trial + " of " + type);
        }
    }

    @Test
    void aBatchTooShortForItsHeaderIsCorrupt() {
        ByteBuffer original = sample(CompressionType.NONE);
        ByteBuffer headerOnly = ByteBuffer.allocate(RecordBatch.HEADER_SIZE_BYTES - 1);
        headerOnly.put(original.duplicate().limit(RecordBatch.HEADER_SIZE_BYTES - 1)).flip();
        headerOnly.putInt(RecordBatch.LENGTH_OFFSET, headerOnly.remaining() - RecordBatch.LOG_OVERHEAD_BYTES);
        assertDecodesOrIsCorrupt(RecordBatch.at(headerOnly), "a batch shorter than its header");
        assertThat(catchThrowable(() -> RecordCodec.decode(RecordBatch.at(headerOnly), UNBOUNDED)))
                .isInstanceOf(RecordBatchException.class);
    }
}
