package io.fjord.storage.internal;

import java.nio.ByteBuffer;

/**
 * The last appends a leader made to its active segment, kept in memory as well as written to the file: followers
 * fetch what the leader appended a moment ago, and consumers at the log end read just below it, so their reads are
 * served from here instead of with a file read each (a system call per fetch response and partition). Each append
 * is kept as it was written, at its file position; a read is served when one append holds all of it (a follower a
 * batch or more behind reads the file). At most {@link #BYTES_MAX} per segment: older appends give way to newer ones.
 *
 * <p>Immutable, so thread-safe: the one writer replaces the whole object after each append; the bytes of a kept
 * append never change.
 */
final class RecentAppends {
    /** Enough for the last few batches of a busy partition (16 KiB each with the producer's default batch.size). */
    static final int BYTES_MAX = 64 * 1024;
    /** Larger appends (a follower's catch-up, a large producer batch) are not kept: they would push out the rest. */
    static final int APPEND_BYTES_MAX = BYTES_MAX / 2;

    static final RecentAppends NONE = new RecentAppends(new int[0], new byte[0][], 0);

    /** File positions of the kept appends, oldest first, and their bytes. */
    private final int[] positions;
    private final byte[][] appends;
    private final int totalBytes;

    private RecentAppends(int[] positions, byte[][] appends, int totalBytes) {
        this.positions = positions;
        this.appends = appends;
        this.totalBytes = totalBytes;
    }

    /** The bytes all kept appends hold. */
    int totalBytes() {
        return totalBytes;
    }

    /**
     * A read-only view of the file bytes from {@code position}, {@code length} of them, if one kept append holds them
     * all; null if not.
     */
    ByteBuffer find(int position, int length) {
        for (int index = positions.length - 1; index >= 0; index--) {
            int start = positions[index];
            if (position >= start && (long) position + length <= (long) start + appends[index].length) {
                return ByteBuffer.wrap(appends[index], position - start, length).slice().asReadOnlyBuffer();
            }
        }
        return null;
    }

    /**
     * These appends and a copy of {@code source}'s remaining bytes (at most {@link #APPEND_BYTES_MAX}), which the file
     * holds from {@code position}, less the oldest appends that no longer fit in {@link #BYTES_MAX}.
     */
    RecentAppends with(int position, ByteBuffer source) {
        if (source.remaining() > APPEND_BYTES_MAX) {
            throw new IllegalArgumentException("an append of " + source.remaining() + " bytes is not kept");
        }
        byte[] copy = new byte[source.remaining()];
        source.duplicate().get(copy);
        int first = 0;
        int total = totalBytes + copy.length;
        while (total > BYTES_MAX) {
            total -= appends[first].length;
            first++;
        }
        int kept = appends.length - first;
        int[] nextPositions = new int[kept + 1];
        byte[][] nextAppends = new byte[kept + 1][];
        System.arraycopy(positions, first, nextPositions, 0, kept);
        System.arraycopy(appends, first, nextAppends, 0, kept);
        nextPositions[kept] = position;
        nextAppends[kept] = copy;
        return new RecentAppends(nextPositions, nextAppends, total);
    }
}
