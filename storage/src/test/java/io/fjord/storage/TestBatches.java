package io.fjord.storage;

import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.TimestampType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Builds record batches for tests, the way a producer would send them (base offset 0). */
public final class TestBatches {
    private TestBatches() {
    }

    public static ByteBuffer batch(long timestamp, String... values) {
        return batch(CompressionType.NONE, timestamp, values);
    }

    public static ByteBuffer batch(CompressionType compression, long timestamp, String... values) {
        List<Record> records = new ArrayList<>();
        for (int index = 0; index < values.length; index++) {
            records.add(new Record(index, timestamp, utf8("k" + values[index]), utf8(values[index]), List.of()));
        }
        return RecordCodec.encode(BatchSpec.plain(0, compression), records);
    }

    /** A batch of an idempotent producer: one record per value, sequences from {@code baseSequence}. */
    public static ByteBuffer idempotent(long producerId, short producerEpoch, int baseSequence, long timestamp,
                                        String... values) {
        List<Record> records = new ArrayList<>();
        for (int index = 0; index < values.length; index++) {
            records.add(new Record(index, timestamp, utf8("k" + values[index]), utf8(values[index]), List.of()));
        }
        BatchSpec spec = new BatchSpec(0, CompressionType.NONE, TimestampType.CREATE_TIME, RecordBatch.NO_TIMESTAMP,
                producerId, producerEpoch, baseSequence, false, false, RecordBatch.NO_PARTITION_LEADER_EPOCH,
                RecordBatch.NO_TIMESTAMP);
        return RecordCodec.encode(spec, records);
    }

    /** A transactional batch: one record per value, sequences from {@code baseSequence}. */
    public static ByteBuffer transactional(long producerId, short producerEpoch, int baseSequence, long timestamp,
                                           String... values) {
        List<Record> records = new ArrayList<>();
        for (int index = 0; index < values.length; index++) {
            records.add(new Record(index, timestamp, utf8("k" + values[index]), utf8(values[index]), List.of()));
        }
        BatchSpec spec = new BatchSpec(0, CompressionType.NONE, TimestampType.CREATE_TIME, RecordBatch.NO_TIMESTAMP,
                producerId, producerEpoch, baseSequence, true, false, RecordBatch.NO_PARTITION_LEADER_EPOCH,
                RecordBatch.NO_TIMESTAMP);
        return RecordCodec.encode(spec, records);
    }

    public static ByteBuffer keyed(long timestamp, String key, String value) {
        Record record = new Record(0, timestamp, utf8(key), value == null ? null : utf8(value), List.of());
        return RecordCodec.encode(BatchSpec.plain(0, CompressionType.NONE), List.of(record));
    }

    /** A batch of {@code count} records whose values make it about {@code sizeBytes} long. */
    public static ByteBuffer sized(int count, int sizeBytes, long timestamp) {
        int valueBytes = Math.max(1, (sizeBytes - 61) / count - 12);
        List<Record> records = new ArrayList<>();
        byte[] value = new byte[valueBytes];
        for (int index = 0; index < count; index++) {
            value[index % valueBytes] = (byte) index;
            records.add(new Record(index, timestamp, null, ByteBuffer.wrap(value.clone()), List.of()));
        }
        return RecordCodec.encode(BatchSpec.plain(0, CompressionType.NONE), records);
    }

    public static ByteBuffer utf8(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    public static String string(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
