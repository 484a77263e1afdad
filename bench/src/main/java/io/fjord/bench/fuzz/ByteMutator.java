package io.fjord.bench.fuzz;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * Byte-level mutations inside a frame: bit flips, interesting bytes and int32s (huge and negative lengths), huge
 * unsigned varints (compact lengths), inserted, removed and duplicated ranges, truncation and trailing garbage. The
 * size prefix is rewritten to match, so every mutated frame is still well-framed. The API key and version (the first
 * four bytes of the body) are kept nine times in ten, so most mutations reach a handler's parser rather than the
 * version check. Stateless, thread-safe.
 */
final class ByteMutator {
    private static final int[] INTERESTING_INTS = {Integer.MAX_VALUE, -1, Integer.MIN_VALUE, 0x3fffffff, 1 << 16,
        1 << 24, 0, -2, 0x7ffffff0};
    private static final int MAX_GROWTH_BYTES = 64 * 1024;

    private ByteMutator() {
    }

    /** Mutates the body of {@code frame} (size prefix included) 1 to 4 times; returns a new, re-prefixed frame. */
    static byte[] mutate(byte[] frame, FuzzValues values) {
        byte[] body = Arrays.copyOfRange(frame, 4, frame.length);
        int protectedBytes = values.chance(0.9) ? Math.min(4, body.length) : 0;
        int mutations = 1 + values.count(3);
        for (int mutation = 0; mutation < mutations; mutation++) {
            body = mutateOnce(body, protectedBytes, values);
        }
        if (body.length > frame.length - 4 + MAX_GROWTH_BYTES) {
            body = Arrays.copyOf(body, frame.length - 4 + MAX_GROWTH_BYTES);
        }
        return RequestFrames.withSizePrefix(body);
    }

    private static byte[] mutateOnce(byte[] body, int protectedBytes, FuzzValues values) {
        int room = body.length - protectedBytes;
        if (room <= 0) {
            return append(body, values);
        }
        int position = protectedBytes + values.nextInt(room);
        byte[] copy = body.clone();
        switch (values.nextInt(10)) {
            case 0 -> copy[position] ^= (byte) (1 << values.nextInt(8));
            case 1 -> copy[position] = (byte) values.pick(java.util.List.of(0, 0xff, 0x7f, 0x80, 0x01, 0xfe)).intValue();
            case 2 -> putInt(copy, position, INTERESTING_INTS[values.nextInt(INTERESTING_INTS.length)]);
            case 3 -> putVarint(copy, position);
            case 4 -> {
                return insert(copy, position, values);
            }
            case 5 -> {
                int length = 1 + values.nextInt(Math.min(32, body.length - position));
                return remove(copy, position, length);
            }
            case 6 -> {
                return Arrays.copyOf(copy, Math.max(protectedBytes, position));
            }
            case 7 -> {
                int length = 1 + values.nextInt(Math.min(256, body.length - position));
                return insertBytes(copy, position, Arrays.copyOfRange(copy, position, position + length));
            }
            case 8 -> putShort(copy, position, values.pick(java.util.List.of(0x7fff, 0xffff, 0x8000, 0xfffe)));
            default -> {
                return append(copy, values);
            }
        }
        return copy;
    }

    private static void putInt(byte[] bytes, int position, int value) {
        for (int index = 0; index < 4 && position + index < bytes.length; index++) {
            bytes[position + index] = (byte) (value >>> (24 - 8 * index));
        }
    }

    private static void putShort(byte[] bytes, int position, int value) {
        for (int index = 0; index < 2 && position + index < bytes.length; index++) {
            bytes[position + index] = (byte) (value >>> (8 - 8 * index));
        }
    }

    /** An unsigned varint near 2^31 (five bytes), as a compact array or string length would be written. */
    private static void putVarint(byte[] bytes, int position) {
        byte[] varint = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07};
        for (int index = 0; index < varint.length && position + index < bytes.length; index++) {
            bytes[position + index] = varint[index];
        }
    }

    private static byte[] insert(byte[] bytes, int position, FuzzValues values) {
        byte[] inserted = new byte[1 + values.nextInt(16)];
        values.random().nextBytes(inserted);
        return insertBytes(bytes, position, inserted);
    }

    private static byte[] insertBytes(byte[] bytes, int position, byte[] inserted) {
        ByteArrayOutputStream output = new ByteArrayOutputStream(bytes.length + inserted.length);
        output.write(bytes, 0, position);
        output.write(inserted, 0, inserted.length);
        output.write(bytes, position, bytes.length - position);
        return output.toByteArray();
    }

    private static byte[] remove(byte[] bytes, int position, int length) {
        byte[] result = new byte[bytes.length - length];
        System.arraycopy(bytes, 0, result, 0, position);
        System.arraycopy(bytes, position + length, result, position, bytes.length - position - length);
        return result;
    }

    private static byte[] append(byte[] bytes, FuzzValues values) {
        byte[] tail = new byte[1 + values.nextInt(64)];
        values.random().nextBytes(tail);
        return insertBytes(bytes, bytes.length, tail);
    }
}
