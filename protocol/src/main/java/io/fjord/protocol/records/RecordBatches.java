package io.fjord.protocol.records;

import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The complete batches in a buffer, from its position to its limit; a partial batch at the end (as a size-limited
 * fetch may return) is not yielded. Iteration reads lengths only; validation is the caller's.
 *
 * <p>Not thread-safe: one iterator per thread.
 */
public final class RecordBatches implements Iterable<RecordBatch> {
    private final ByteBuffer buffer;

    private RecordBatches(ByteBuffer buffer) {
        this.buffer = buffer;
    }

    public static RecordBatches of(ByteBuffer buffer) {
        return new RecordBatches(buffer);
    }

    @Override
    public Iterator<RecordBatch> iterator() {
        return new Iterator<>() {
            private int cursor = buffer.position();

            @Override
            public boolean hasNext() {
                int remaining = buffer.limit() - cursor;
                if (remaining < RecordBatch.LOG_OVERHEAD_BYTES) {
                    return false;
                }
                int length = buffer.getInt(cursor + RecordBatch.LENGTH_OFFSET);
                return length >= 0 && length <= remaining - RecordBatch.LOG_OVERHEAD_BYTES
                        && RecordBatch.LOG_OVERHEAD_BYTES + length >= RecordBatch.OFFSET_HEADER_SIZE_BYTES;
            }

            @Override
            public RecordBatch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                RecordBatch batch = new RecordBatch(buffer, cursor);
                cursor += batch.sizeInBytes();
                return batch;
            }
        };
    }
}
