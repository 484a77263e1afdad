package io.fjord.protocol.records;

import io.fjord.protocol.records.RecordBatchException.Kind;
import java.nio.ByteBuffer;

/**
 * Zig-zag varints as records use them, read with absolute indexes and a bound. A read returns the value and the
 * next cursor packed into one long (value in the high 32 bits) so the hot path allocates nothing.
 *
 * <p>Stateless and thread-safe.
 */
final class Varints {
    private Varints() {
    }

    static long readVarint(ByteBuffer buffer, int cursor, int end) {
        int raw = 0;
        int shift = 0;
        while (true) {
            if (cursor >= end) {
                throw new RecordBatchException(Kind.CORRUPT_MESSAGE, "varint runs past the end of its record");
            }
            byte current = buffer.get(cursor++);
            raw |= (current & 0x7f) << shift;
            if ((current & 0x80) == 0) {
                break;
            }
            shift += 7;
            if (shift > 28) {
                throw new RecordBatchException(Kind.CORRUPT_MESSAGE, "varint is longer than 5 bytes");
            }
        }
        int value = (raw >>> 1) ^ -(raw & 1);
        return ((long) value << 32) | (cursor & 0xffffffffL);
    }

    static int skipVarlong(ByteBuffer buffer, int cursor, int end) {
        for (int bytes = 0; bytes < 10; bytes++) {
            if (cursor >= end) {
                throw new RecordBatchException(Kind.CORRUPT_MESSAGE, "varlong runs past the end of its record");
            }
            if ((buffer.get(cursor++) & 0x80) == 0) {
                return cursor;
            }
        }
        throw new RecordBatchException(Kind.CORRUPT_MESSAGE, "varlong is longer than 10 bytes");
    }

    static int value(long packed) {
        return (int) (packed >> 32);
    }

    static int cursor(long packed) {
        return (int) packed;
    }
}
