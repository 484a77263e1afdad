package io.fjord.bench.storage;

import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Builds the uncompressed v2 batches the storage benchmarks write, of an exact size so that bytes per operation are
 * known: records without keys whose values are {@link #RECORD_VALUE_BYTES} random bytes, the last record's value
 * trimmed or grown to hit the size. Stateless and thread-safe.
 */
final class BenchmarkBatches {
    /** Value size of each record but the last, about what a small producer message carries. */
    static final int RECORD_VALUE_BYTES = 100;
    /**
     * At least the bytes one record adds besides its value when it has no key and no headers (up to ten bytes of
     * varints and attributes), so the first guess undershoots and the last value grows to fit.
     */
    private static final int RECORD_OVERHEAD_BYTES_ESTIMATE = 12;
    private static final int FIT_ATTEMPTS_MAX = 8;

    private BenchmarkBatches() {
    }

    /** A producer batch (base offset 0, no idempotence) of exactly {@code sizeBytes}, in a heap buffer. */
    static ByteBuffer exactSize(int sizeBytes, long timestamp) {
        int recordCount = Math.max(1, (sizeBytes - RecordBatch.HEADER_SIZE_BYTES)
                / (RECORD_VALUE_BYTES + RECORD_OVERHEAD_BYTES_ESTIMATE));
        Random random = new Random(sizeBytes);
        int lastValueBytes = RECORD_VALUE_BYTES;
        for (int attempt = 0; attempt < FIT_ATTEMPTS_MAX; attempt++) {
            List<Record> records = new ArrayList<>(recordCount);
            for (int index = 0; index < recordCount; index++) {
                byte[] value = new byte[index == recordCount - 1 ? lastValueBytes : RECORD_VALUE_BYTES];
                random.nextBytes(value);
                records.add(new Record(index, timestamp, null, ByteBuffer.wrap(value), List.of()));
            }
            ByteBuffer batch = RecordCodec.encode(BatchSpec.plain(0, CompressionType.NONE), records);
            int differenceBytes = sizeBytes - batch.remaining();
            if (differenceBytes == 0) {
                return batch;
            }
            lastValueBytes += differenceBytes;
            if (lastValueBytes < 0) {
                break;
            }
        }
        throw new IllegalArgumentException("cannot build a batch of exactly " + sizeBytes + " bytes");
    }

    /** A copy of {@code source}'s remaining bytes in a direct buffer, position 0, limit at the end. */
    static ByteBuffer direct(ByteBuffer source) {
        ByteBuffer copy = ByteBuffer.allocateDirect(source.remaining());
        copy.put(source.duplicate());
        copy.flip();
        return copy;
    }
}
