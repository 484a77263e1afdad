package io.fjord.storage.internal;

import io.fjord.protocol.records.RecordBatch;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * Sparse map from timestamp to offset inside one segment, Kafka's layout: 12-byte entries of an 8-byte timestamp
 * and a 4-byte relative offset. Entry (t, o) says the largest timestamp among offsets up to o is t; both grow.
 *
 * <p>Thread-safety as {@link MappedIndex}.
 */
public final class TimeIndex extends MappedIndex {
    public static final int ENTRY_SIZE_BYTES = 12;

    /** A timestamp and the offset of the batch where it was the maximum so far. */
    public record Entry(long timestamp, long offset) {
    }

    public TimeIndex(Path file, long baseOffset, int maxSizeBytes, boolean writable) {
        super(file, baseOffset, maxSizeBytes, ENTRY_SIZE_BYTES, writable);
    }

    @Override
    protected long offsetAt(MappedByteBuffer buffer, int slot) {
        return baseOffset + buffer.getInt(slot * ENTRY_SIZE_BYTES + 8);
    }

    private long timestampAt(MappedByteBuffer buffer, int slot) {
        return buffer.getLong(slot * ENTRY_SIZE_BYTES);
    }

    /**
     * The entry with the largest timestamp strictly below {@code timestamp}, or (no timestamp, base offset). Every
     * offset up to the returned one has a smaller timestamp, so a search for the first record at or after
     * {@code timestamp} can start after it.
     */
    public Entry lookupBelow(long timestamp) {
        MappedByteBuffer buffer = mapping;
        int slot = largestSlotAtMost(buffer, entries(), timestamp, true, this::timestampAt);
        return slot < 0 ? new Entry(RecordBatch.NO_TIMESTAMP, baseOffset)
                : new Entry(timestampAt(buffer, slot), offsetAt(buffer, slot));
    }

    public Entry lastEntry() {
        int count = entries();
        MappedByteBuffer buffer = mapping;
        return count == 0 ? new Entry(RecordBatch.NO_TIMESTAMP, baseOffset)
                : new Entry(timestampAt(buffer, count - 1), offsetAt(buffer, count - 1));
    }

    /** Adds an entry when the timestamp is larger than the last one; the offset may not go backwards. */
    public void maybeAppend(long timestamp, long offset) {
        int count = entries();
        if (count > 0) {
            Entry last = lastEntry();
            if (timestamp <= last.timestamp()) {
                return;
            }
            if (offset < last.offset()) {
                throw new IllegalStateException("time index entry offset " + offset + " is below " + last.offset());
            }
        }
        if (isFull()) {
            throw new IllegalStateException("time index " + file() + " is full");
        }
        MappedByteBuffer buffer = mapping;
        buffer.putLong(count * ENTRY_SIZE_BYTES, timestamp);
        buffer.putInt(count * ENTRY_SIZE_BYTES + 8, relativeOffset(offset));
        publishAppendedEntry();
    }

    /** Whether entries grow in both timestamp and offset. */
    public boolean isSane() {
        MappedByteBuffer buffer = mapping;
        long previousTimestamp = Long.MIN_VALUE;
        long previousOffset = -1;
        for (int slot = 0; slot < entries(); slot++) {
            long timestamp = timestampAt(buffer, slot);
            long offset = offsetAt(buffer, slot);
            if (timestamp <= previousTimestamp || offset < previousOffset || offset < baseOffset) {
                return false;
            }
            previousTimestamp = timestamp;
            previousOffset = offset;
        }
        return true;
    }
}
