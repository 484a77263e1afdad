package io.fjord.protocol.records;

import java.nio.ByteBuffer;

/**
 * Writes v2 batches that hold no records but still span an offset range: record count 0, {@code lastOffsetDelta}
 * reaching the last offset. The v2 format permits them; a log cleaner writes one where it removed every record at
 * the end of the range it rewrote, so the range stays visible (readers advance past it, and recovery can tell from
 * the file alone which offsets a cleaned segment covers).
 *
 * <p>Stateless and thread-safe.
 */
public final class EmptyBatch {
    private EmptyBatch() {
    }

    /**
     * An uncompressed, non-transactional empty batch covering {@code baseOffset..lastOffset}, with the producer fields
     * unset and a valid CRC-32C.
     *
     * @param timestamp stored as both base and max timestamp ({@link RecordBatch#NO_TIMESTAMP} for none)
     */
    public static ByteBuffer of(long baseOffset, long lastOffset, int partitionLeaderEpoch, long timestamp) {
        return of(baseOffset, lastOffset, partitionLeaderEpoch, timestamp, RecordBatch.NO_PRODUCER_ID,
                RecordBatch.NO_PRODUCER_EPOCH, RecordBatch.NO_SEQUENCE, false);
    }

    /** An empty batch with the given producer fields, as needed to keep a producer's last sequence visible. */
    public static ByteBuffer of(long baseOffset, long lastOffset, int partitionLeaderEpoch, long timestamp,
                                long producerId, short producerEpoch, int baseSequence, boolean transactional) {
        long delta = lastOffset - baseOffset;
        if (baseOffset < 0 || delta < 0 || delta > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("invalid empty batch range " + baseOffset + ".." + lastOffset);
        }
        ByteBuffer buffer = ByteBuffer.allocate(RecordBatch.HEADER_SIZE_BYTES);
        buffer.putLong(RecordBatch.BASE_OFFSET_OFFSET, baseOffset);
        buffer.putInt(RecordBatch.LENGTH_OFFSET, RecordBatch.HEADER_SIZE_BYTES - RecordBatch.LOG_OVERHEAD_BYTES);
        buffer.putInt(RecordBatch.PARTITION_LEADER_EPOCH_OFFSET, partitionLeaderEpoch);
        buffer.put(RecordBatch.MAGIC_OFFSET, RecordBatch.MAGIC_V2);
        buffer.putShort(RecordBatch.ATTRIBUTES_OFFSET, (short) (transactional ? 0x10 : 0));
        buffer.putInt(RecordBatch.LAST_OFFSET_DELTA_OFFSET, (int) delta);
        buffer.putLong(RecordBatch.BASE_TIMESTAMP_OFFSET, timestamp);
        buffer.putLong(RecordBatch.MAX_TIMESTAMP_OFFSET, timestamp);
        buffer.putLong(RecordBatch.PRODUCER_ID_OFFSET, producerId);
        buffer.putShort(RecordBatch.PRODUCER_EPOCH_OFFSET, producerEpoch);
        buffer.putInt(RecordBatch.BASE_SEQUENCE_OFFSET, baseSequence);
        buffer.putInt(RecordBatch.RECORDS_COUNT_OFFSET, 0);
        new RecordBatch(buffer, 0).writeCrc();
        return buffer;
    }
}
