package io.fjord.protocol.records;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * A view over one record batch of magic v2 inside a buffer, read and patched with absolute accessors so that the
 * buffer's position and limit are never touched.
 *
 * <p>Layout (Kafka protocol guide, "Record Batch"): baseOffset int64, batchLength int32, partitionLeaderEpoch int32,
 * magic int8, crc uint32, attributes int16, lastOffsetDelta int32, baseTimestamp int64, maxTimestamp int64,
 * producerId int64, producerEpoch int16, baseSequence int32, records count int32, then the records. The CRC-32C
 * covers everything from the attributes to the end of the batch, so base offset and leader epoch can be assigned
 * without recomputing it.
 *
 * <p>Not thread-safe for writes; concurrent reads of an unchanging buffer are safe.
 */
public final class RecordBatch {
    public static final int BASE_OFFSET_OFFSET = 0;
    public static final int LENGTH_OFFSET = 8;
    public static final int PARTITION_LEADER_EPOCH_OFFSET = 12;
    public static final int MAGIC_OFFSET = 16;
    public static final int CRC_OFFSET = 17;
    public static final int ATTRIBUTES_OFFSET = 21;
    public static final int LAST_OFFSET_DELTA_OFFSET = 23;
    public static final int BASE_TIMESTAMP_OFFSET = 27;
    public static final int MAX_TIMESTAMP_OFFSET = 35;
    public static final int PRODUCER_ID_OFFSET = 43;
    public static final int PRODUCER_EPOCH_OFFSET = 51;
    public static final int BASE_SEQUENCE_OFFSET = 53;
    public static final int RECORDS_COUNT_OFFSET = 57;
    public static final int RECORDS_OFFSET = 61;

    /** Bytes of the base offset and length fields, which precede what the length counts. */
    public static final int LOG_OVERHEAD_BYTES = 12;
    /** Bytes of a v2 batch header, records excluded. */
    public static final int HEADER_SIZE_BYTES = RECORDS_OFFSET;
    /** Bytes needed to know a batch's base offset, size and last offset. */
    public static final int OFFSET_HEADER_SIZE_BYTES = BASE_TIMESTAMP_OFFSET;

    public static final byte MAGIC_V2 = 2;
    public static final long NO_TIMESTAMP = -1L;
    public static final long NO_PRODUCER_ID = -1L;
    public static final short NO_PRODUCER_EPOCH = -1;
    public static final int NO_SEQUENCE = -1;
    public static final int NO_PARTITION_LEADER_EPOCH = -1;

    private static final int COMPRESSION_MASK = 0x07;
    private static final int TIMESTAMP_TYPE_MASK = 0x08;
    private static final int TRANSACTIONAL_MASK = 0x10;
    private static final int CONTROL_MASK = 0x20;
    private static final int DELETE_HORIZON_MASK = 0x40;

    private final ByteBuffer buffer;
    private final int position;

    /**
     * @param buffer   holds the batch; at least {@link #OFFSET_HEADER_SIZE_BYTES} bytes must lie at {@code position}
     * @param position absolute index of the batch's first byte
     */
    public RecordBatch(ByteBuffer buffer, int position) {
        this.buffer = buffer;
        this.position = position;
    }

    /** A view of the batch that starts at the buffer's position. */
    public static RecordBatch at(ByteBuffer buffer) {
        return new RecordBatch(buffer, buffer.position());
    }

    public ByteBuffer buffer() {
        return buffer;
    }

    public int position() {
        return position;
    }

    public long baseOffset() {
        return buffer.getLong(position + BASE_OFFSET_OFFSET);
    }

    public int batchLength() {
        return buffer.getInt(position + LENGTH_OFFSET);
    }

    /** Whole size of the batch on the wire and on disk. */
    public int sizeInBytes() {
        return LOG_OVERHEAD_BYTES + batchLength();
    }

    public int partitionLeaderEpoch() {
        return buffer.getInt(position + PARTITION_LEADER_EPOCH_OFFSET);
    }

    public byte magic() {
        return buffer.get(position + MAGIC_OFFSET);
    }

    public long storedCrc() {
        return Integer.toUnsignedLong(buffer.getInt(position + CRC_OFFSET));
    }

    public short attributes() {
        return buffer.getShort(position + ATTRIBUTES_OFFSET);
    }

    public int lastOffsetDelta() {
        return buffer.getInt(position + LAST_OFFSET_DELTA_OFFSET);
    }

    public long lastOffset() {
        return baseOffset() + lastOffsetDelta();
    }

    public long nextOffset() {
        return lastOffset() + 1;
    }

    public long baseTimestamp() {
        return buffer.getLong(position + BASE_TIMESTAMP_OFFSET);
    }

    public long maxTimestamp() {
        return buffer.getLong(position + MAX_TIMESTAMP_OFFSET);
    }

    public long producerId() {
        return buffer.getLong(position + PRODUCER_ID_OFFSET);
    }

    public short producerEpoch() {
        return buffer.getShort(position + PRODUCER_EPOCH_OFFSET);
    }

    public int baseSequence() {
        return buffer.getInt(position + BASE_SEQUENCE_OFFSET);
    }

    /** Last sequence number of the batch, wrapping at {@code Integer.MAX_VALUE} as Kafka's producer does. */
    public int lastSequence() {
        int base = baseSequence();
        if (base == NO_SEQUENCE) {
            return NO_SEQUENCE;
        }
        long last = (long) base + lastOffsetDelta();
        return (int) (last > Integer.MAX_VALUE ? last - Integer.MAX_VALUE - 1 : last);
    }

    public int recordCount() {
        return buffer.getInt(position + RECORDS_COUNT_OFFSET);
    }

    public CompressionType compressionType() {
        return CompressionType.forId(attributes() & COMPRESSION_MASK);
    }

    public TimestampType timestampType() {
        return (attributes() & TIMESTAMP_TYPE_MASK) == 0 ? TimestampType.CREATE_TIME : TimestampType.LOG_APPEND_TIME;
    }

    public boolean isTransactional() {
        return (attributes() & TRANSACTIONAL_MASK) != 0;
    }

    public boolean isControlBatch() {
        return (attributes() & CONTROL_MASK) != 0;
    }

    public boolean hasDeleteHorizon() {
        return (attributes() & DELETE_HORIZON_MASK) != 0;
    }

    /** The delete horizon a cleaner stored in the base timestamp, or {@link #NO_TIMESTAMP}. */
    public long deleteHorizonMs() {
        return hasDeleteHorizon() ? baseTimestamp() : NO_TIMESTAMP;
    }

    /** CRC-32C of the bytes the stored CRC covers. */
    public long computeCrc() {
        CRC32C crc = new CRC32C();
        int from = position + ATTRIBUTES_OFFSET;
        int to = position + sizeInBytes();
        ByteBuffer covered = buffer.duplicate();
        covered.limit(to).position(from);
        crc.update(covered);
        return crc.getValue();
    }

    public boolean isCrcValid() {
        return computeCrc() == storedCrc();
    }

    public void setBaseOffset(long baseOffset) {
        buffer.putLong(position + BASE_OFFSET_OFFSET, baseOffset);
    }

    public void setPartitionLeaderEpoch(int epoch) {
        buffer.putInt(position + PARTITION_LEADER_EPOCH_OFFSET, epoch);
    }

    /**
     * Marks the batch as stamped with the log append time and sets its max timestamp, as a broker does for a topic
     * with {@code message.timestamp.type=LogAppendTime}; the CRC is recomputed because both fields are covered.
     */
    public void setLogAppendTime(long appendTimeMs) {
        short attributes = (short) (attributes() | TIMESTAMP_TYPE_MASK);
        buffer.putShort(position + ATTRIBUTES_OFFSET, attributes);
        buffer.putLong(position + MAX_TIMESTAMP_OFFSET, appendTimeMs);
        writeCrc();
    }

    /** Recomputes and stores the CRC after a change to covered bytes. */
    public void writeCrc() {
        buffer.putInt(position + CRC_OFFSET, (int) computeCrc());
    }

    /** A read-only buffer of exactly this batch's bytes. */
    public ByteBuffer slice() {
        ByteBuffer copy = buffer.duplicate();
        copy.limit(position + sizeInBytes()).position(position);
        return copy.slice();
    }

    @Override
    public String toString() {
        return "RecordBatch(baseOffset=" + baseOffset() + ", lastOffset=" + lastOffset() + ", size="
                + sizeInBytes() + ", magic=" + magic() + ", count=" + recordCount() + ", compression="
                + compressionType() + ", maxTimestamp=" + maxTimestamp() + ")";
    }
}
