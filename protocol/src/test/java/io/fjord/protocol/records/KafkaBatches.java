package io.fjord.protocol.records;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

/** Batches built with kafka-clients' own builders, the reference the view and validator are checked against. */
final class KafkaBatches {
    static final long TIMESTAMP = 1_700_000_000_000L;

    private KafkaBatches() {
    }

    static Compression compression(CompressionType type) {
        return switch (type) {
            case NONE -> Compression.NONE;
            case GZIP -> Compression.gzip().build();
            case SNAPPY -> Compression.snappy().build();
            case LZ4 -> Compression.lz4().build();
            case ZSTD -> Compression.zstd().build();
        };
    }

    static SimpleRecord[] records(int count) {
        SimpleRecord[] records = new SimpleRecord[count];
        for (int index = 0; index < count; index++) {
            records[index] = new SimpleRecord(TIMESTAMP + index * 10L, bytes("key" + index), bytes("value-" + index));
        }
        return records;
    }

    static SimpleRecord[] sameTimestampRecords(int count) {
        SimpleRecord[] records = new SimpleRecord[count];
        for (int index = 0; index < count; index++) {
            records[index] = new SimpleRecord(TIMESTAMP, bytes("k" + index), bytes("v" + index));
        }
        return records;
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** The buffer holding a built batch, position 0, limit at its end, writable. */
    static ByteBuffer buffer(MemoryRecords records) {
        ByteBuffer source = records.buffer();
        ByteBuffer copy = ByteBuffer.allocate(source.remaining());
        copy.put(source.duplicate()).flip();
        return copy;
    }

    static ByteBuffer plain(CompressionType compression, int count) {
        return buffer(MemoryRecords.withRecords(0L, compression(compression), records(count)));
    }

    /** Kafka's reading of the first batch in {@code buffer}, sharing its bytes. */
    static DefaultRecordBatch kafkaView(ByteBuffer buffer) {
        return (DefaultRecordBatch) MemoryRecords.readableRecords(buffer.duplicate()).batches().iterator().next();
    }
}
