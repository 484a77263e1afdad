package io.fjord.storage.internal;

import java.nio.ByteBuffer;

/**
 * The last bytes appended to an active segment, kept in memory as well as written to the file: followers fetch
 * what the leader appended a moment ago, and consumers at the log end read just below it, so their reads are served
 * from here instead of with a file read each (a system call per fetch response and partition).
 *
 * <p>Covers the file positions from {@link #startPosition} to {@link #endPosition()}, at most {@link #CAPACITY_BYTES}.
 * Thread-safety: one writer (under the owning log's append lock) appends; readers copy bytes below
 * {@link #endPosition()}, a volatile published after the bytes are written, without a lock. Bytes once covered
 * never change: a truncation or an append that does not continue the covered bytes replaces the whole object.
 */
final class TailBytes {
    /** Enough for the last few batches of a busy partition (16 KiB each with the producer's default batch.size). */
    static final int CAPACITY_BYTES = 64 * 1024;

    private final int startPosition;
    private final byte[] bytes;
    private volatile int endPosition;

    private TailBytes(int startPosition) {
        this.startPosition = startPosition;
        this.bytes = new byte[CAPACITY_BYTES];
        this.endPosition = startPosition;
    }

    /** An empty tail whose first byte will be the file's byte at {@code startPosition}. */
    static TailBytes startingAt(int startPosition) {
        return new TailBytes(startPosition);
    }

    int startPosition() {
        return startPosition;
    }

    int endPosition() {
        return endPosition;
    }

    /** Whether the file bytes from {@code position}, {@code length} of them, are all here. */
    boolean covers(int position, int length) {
        return position >= startPosition && (long) position + length <= endPosition;
    }

    /** A read-only view of covered bytes ({@link #covers} first). */
    ByteBuffer view(int position, int length) {
        return ByteBuffer.wrap(bytes, position - startPosition, length).slice().asReadOnlyBuffer();
    }

    /**
     * Adds {@code source}'s remaining bytes, which the file holds from {@code position}; false, changing nothing,
     * unless they continue the covered bytes and fit.
     */
    boolean tryAppend(int position, ByteBuffer source) {
        int length = source.remaining();
        if (position != endPosition || (long) position - startPosition + length > bytes.length) {
            return false;
        }
        source.duplicate().get(bytes, position - startPosition, length);
        endPosition = position + length;
        return true;
    }

    /**
     * A new tail holding this one's bytes from {@code keepFrom} to its end, so that readers a batch or two behind
     * still find them once this one is full; {@code keepFrom} must be covered and keep at most half the capacity.
     */
    TailBytes carryFrom(int keepFrom) {
        TailBytes next = new TailBytes(keepFrom);
        int end = endPosition;
        System.arraycopy(bytes, keepFrom - startPosition, next.bytes, 0, end - keepFrom);
        next.endPosition = end;
        return next;
    }
}
