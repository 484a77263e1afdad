package io.fjord.broker.coordinator.group.records;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * Writes the primitive types of Kafka's message schemas (big-endian integers, UUIDs, strings and bytes in the
 * classic int16/int32-length form and in the compact unsigned-varint form of flexible versions) into a growing
 * array.
 *
 * <p>Not thread-safe: one writer per record being encoded.
 */
public final class RecordWriter {
    private byte[] bytes = new byte[64];
    private int length;

    public void int8(byte value) {
        ensure(1);
        bytes[length++] = value;
    }

    public void int16(short value) {
        ensure(2);
        bytes[length++] = (byte) (value >> 8);
        bytes[length++] = (byte) value;
    }

    public void int32(int value) {
        ensure(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            bytes[length++] = (byte) (value >> shift);
        }
    }

    public void int64(long value) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            bytes[length++] = (byte) (value >> shift);
        }
    }

    public void uuid(UUID value) {
        UUID written = value == null ? new UUID(0L, 0L) : value;
        int64(written.getMostSignificantBits());
        int64(written.getLeastSignificantBits());
    }

    public void unsignedVarint(int value) {
        int remaining = value;
        while ((remaining & ~0x7F) != 0) {
            int8((byte) ((remaining & 0x7F) | 0x80));
            remaining >>>= 7;
        }
        int8((byte) remaining);
    }

    /** A classic string: int16 length (-1 for null) and UTF-8. */
    public void string(String value) {
        if (value == null) {
            int16((short) -1);
            return;
        }
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > Short.MAX_VALUE) {
            throw new CoordinatorRecordException("string of " + utf8.length + " bytes is too long");
        }
        int16((short) utf8.length);
        raw(utf8);
    }

    /** A compact string: unsigned varint of length + 1 (0 for null) and UTF-8. */
    public void compactString(String value) {
        if (value == null) {
            unsignedVarint(0);
            return;
        }
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        unsignedVarint(utf8.length + 1);
        raw(utf8);
    }

    /** Classic bytes: int32 length (-1 for null). */
    public void bytes(byte[] value) {
        if (value == null) {
            int32(-1);
            return;
        }
        int32(value.length);
        raw(value);
    }

    public void compactBytes(byte[] value) {
        if (value == null) {
            unsignedVarint(0);
            return;
        }
        unsignedVarint(value.length + 1);
        raw(value);
    }

    /** A compact array's length prefix (0 for null). */
    public void compactArrayLength(List<?> value) {
        unsignedVarint(value == null ? 0 : value.size() + 1);
    }

    public void compactInt32Array(List<Integer> value) {
        compactArrayLength(value);
        if (value != null) {
            for (int element : value) {
                int32(element);
            }
        }
    }

    public void compactStringArray(List<String> value) {
        compactArrayLength(value);
        if (value != null) {
            for (String element : value) {
                compactString(element);
            }
        }
    }

    /** A string in the compact form when {@code compact} (flexible versions), else the classic form. */
    public void string(String value, boolean compact) {
        if (compact) {
            compactString(value);
        } else {
            string(value);
        }
    }

    public void bytes(byte[] value, boolean compact) {
        if (compact) {
            compactBytes(value);
        } else {
            bytes(value);
        }
    }

    public void arrayLength(List<?> value, boolean compact) {
        if (compact) {
            compactArrayLength(value);
        } else {
            int32(value == null ? -1 : value.size());
        }
    }

    /** The tagged-field section with no fields. */
    public void noTaggedFields() {
        unsignedVarint(0);
    }

    /** One tagged field: its tag, its size, and the bytes {@code field} holds. */
    public void taggedField(int tag, RecordWriter field) {
        unsignedVarint(tag);
        unsignedVarint(field.length);
        ensure(field.length);
        System.arraycopy(field.bytes, 0, bytes, length, field.length);
        length += field.length;
    }

    /** A tagged-field section holding one field, or none when {@code fieldOrNull} is null (the default value). */
    public void optionalTaggedField(int tag, RecordWriter fieldOrNull) {
        if (fieldOrNull == null) {
            noTaggedFields();
        } else {
            unsignedVarint(1);
            taggedField(tag, fieldOrNull);
        }
    }

    /** A tagged-field section holding one int64 field, left out when it has its default value 0. */
    public void optionalTaggedInt64(int tag, long value) {
        RecordWriter field = null;
        if (value != 0L) {
            field = new RecordWriter();
            field.int64(value);
        }
        optionalTaggedField(tag, field);
    }

    public void raw(byte[] value) {
        ensure(value.length);
        System.arraycopy(value, 0, bytes, length, value.length);
        length += value.length;
    }

    /** The number of bytes written so far. */
    public int length() {
        return length;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(bytes, length);
    }

    public ByteBuffer toByteBuffer() {
        return ByteBuffer.wrap(toByteArray());
    }

    private void ensure(int needed) {
        if (length + needed > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + needed));
        }
    }
}
