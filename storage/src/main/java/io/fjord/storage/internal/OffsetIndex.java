package io.fjord.storage.internal;

import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * Sparse map from offset to file position inside one segment, Kafka's layout: 8-byte entries of a 4-byte offset
 * relative to the segment's base offset and a 4-byte position. An entry names the last offset of a batch and the
 * position where that batch starts, so a lookup lands at or before the batch holding the target.
 *
 * <p>Thread-safety as {@link MappedIndex}.
 */
public final class OffsetIndex extends MappedIndex {
    public static final int ENTRY_SIZE_BYTES = 8;

    /** An offset and the position of a batch at or before it. */
    public record Entry(long offset, int position) {
    }

    public OffsetIndex(Path file, long baseOffset, int maxSizeBytes, boolean writable) {
        super(file, baseOffset, maxSizeBytes, ENTRY_SIZE_BYTES, writable);
    }

    @Override
    protected long offsetAt(MappedByteBuffer buffer, int slot) {
        return baseOffset + buffer.getInt(slot * ENTRY_SIZE_BYTES);
    }

    private int positionAt(MappedByteBuffer buffer, int slot) {
        return buffer.getInt(slot * ENTRY_SIZE_BYTES + 4);
    }

    /** The entry with the largest offset at most {@code targetOffset}, or (base offset, 0). */
    public Entry lookup(long targetOffset) {
        MappedByteBuffer buffer = mapping;
        int slot = largestSlotAtMost(buffer, entries(), targetOffset, false, this::offsetAt);
        return slot < 0 ? new Entry(baseOffset, 0) : new Entry(offsetAt(buffer, slot), positionAt(buffer, slot));
    }

    public Entry lastEntry() {
        int count = entries();
        MappedByteBuffer buffer = mapping;
        return count == 0 ? new Entry(baseOffset, 0) : new Entry(offsetAt(buffer, count - 1), positionAt(buffer, count - 1));
    }

    public Entry entry(int slot) {
        MappedByteBuffer buffer = mapping;
        return new Entry(offsetAt(buffer, slot), positionAt(buffer, slot));
    }

    /** Adds an entry; offsets and positions must grow. */
    public void append(long offset, int position) {
        int count = entries();
        if (count > 0) {
            Entry last = lastEntry();
            if (offset <= last.offset() || position < last.position()) {
                throw new IllegalStateException("index entry (" + offset + ", " + position
                        + ") does not follow (" + last.offset() + ", " + last.position() + ") in " + file());
            }
        }
        if (isFull()) {
            throw new IllegalStateException("offset index " + file() + " is full");
        }
        MappedByteBuffer buffer = mapping;
        buffer.putInt(count * ENTRY_SIZE_BYTES, relativeOffset(offset));
        buffer.putInt(count * ENTRY_SIZE_BYTES + 4, position);
        publishAppendedEntry();
    }

    /** Whether the index is structurally sound: entries grow and stay inside the segment. */
    public boolean isSane(long segmentSizeBytes) {
        MappedByteBuffer buffer = mapping;
        long previousOffset = -1;
        int previousPosition = -1;
        for (int slot = 0; slot < entries(); slot++) {
            long offset = offsetAt(buffer, slot);
            int position = positionAt(buffer, slot);
            if (offset < baseOffset || offset <= previousOffset || position < previousPosition
                    || position >= segmentSizeBytes) {
                return false;
            }
            previousOffset = offset;
            previousPosition = position;
        }
        return true;
    }
}
