package io.fjord.bench.load;

import java.nio.ByteBuffer;

/**
 * The first 16 bytes of an end-to-end record's value: the time the record was due to be sent
 * ({@link System#nanoTime()} of the producing process) and its index in the run. The consumer runs in the same
 * process, so it can subtract the first from its own clock. Stateless.
 */
final class LatencyStamp {
    static final int SIZE_BYTES = 2 * Long.BYTES;

    private LatencyStamp() {
    }

    /** Writes the stamp over the start of {@code value}, which must hold at least {@link #SIZE_BYTES}. */
    static void write(byte[] value, long dueNanos, long index) {
        ByteBuffer.wrap(value).putLong(dueNanos).putLong(index);
    }

    /** The due time of a stamped value, or -1 when the value is too short to carry a stamp. */
    static long dueNanos(byte[] value) {
        return value == null || value.length < SIZE_BYTES ? -1 : ByteBuffer.wrap(value).getLong(0);
    }

    /** The index of a stamped value, or -1 when the value is too short to carry a stamp. */
    static long index(byte[] value) {
        return value == null || value.length < SIZE_BYTES ? -1 : ByteBuffer.wrap(value).getLong(Long.BYTES);
    }
}
