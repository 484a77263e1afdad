package io.fjord.storage.internal.cleaner;

import io.fjord.protocol.records.RecordBatch;
import java.nio.ByteBuffer;

/**
 * A batch with its records removed but its header kept, Kafka's {@code writeEmptyHeader}: same offsets, producer id,
 * epoch and base sequence (so the last sequence still follows from the last offset), transactional and control flags
 * and timestamp type; no compression, no delete horizon, both timestamps the original max timestamp. Stateless and
 * thread-safe.
 */
final class EmptiedBatch {
    /** Attribute bits an emptied batch keeps: timestamp type, transactional, control. */
    private static final short KEPT_ATTRIBUTES = 0x08 | 0x10 | 0x20;

    private EmptiedBatch() {
    }

    static ByteBuffer of(RecordBatch batch) {
        ByteBuffer source = batch.buffer().duplicate();
        source.limit(batch.position() + RecordBatch.HEADER_SIZE_BYTES).position(batch.position());
        ByteBuffer header = ByteBuffer.allocate(RecordBatch.HEADER_SIZE_BYTES).put(source).flip();
        header.putInt(RecordBatch.LENGTH_OFFSET, RecordBatch.HEADER_SIZE_BYTES - RecordBatch.LOG_OVERHEAD_BYTES);
        header.putShort(RecordBatch.ATTRIBUTES_OFFSET, (short) (batch.attributes() & KEPT_ATTRIBUTES));
        header.putLong(RecordBatch.BASE_TIMESTAMP_OFFSET, batch.maxTimestamp());
        header.putInt(RecordBatch.RECORDS_COUNT_OFFSET, 0);
        new RecordBatch(header, 0).writeCrc();
        return header;
    }
}
