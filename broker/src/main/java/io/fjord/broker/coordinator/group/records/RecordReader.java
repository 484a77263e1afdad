package io.fjord.broker.coordinator.group.records;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Reads the primitive types of Kafka's message schemas from a buffer. Every length is checked against the bytes
 * left before anything is allocated, so damaged input raises {@link CoordinatorRecordException} rather than an
 * unbounded allocation.
 *
 * <p>Not thread-safe: one reader per record being decoded.
 */
public final class RecordReader {
    private final ByteBuffer buffer;

    public RecordReader(ByteBuffer buffer) {
        this.buffer = buffer.slice();
    }

    public byte int8() {
        require(1);
        return buffer.get();
    }

    public short int16() {
        require(2);
        return buffer.getShort();
    }

    public int int32() {
        require(4);
        return buffer.getInt();
    }

    public long int64() {
        require(8);
        return buffer.getLong();
    }

    public UUID uuid() {
        return new UUID(int64(), int64());
    }

    public int unsignedVarint() {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            byte next = int8();
            value |= (next & 0x7F) << shift;
            if ((next & 0x80) == 0) {
                return value;
            }
        }
        throw new CoordinatorRecordException("varint longer than 5 bytes");
    }

    public String string() {
        short length = int16();
        if (length < 0) {
            return null;
        }
        return utf8(length);
    }

    public String compactString() {
        int lengthPlusOne = unsignedVarint();
        if (lengthPlusOne == 0) {
            return null;
        }
        return utf8(lengthPlusOne - 1);
    }

    public byte[] bytes() {
        int length = int32();
        if (length < 0) {
            return null;
        }
        return raw(length);
    }

    public byte[] compactBytes() {
        int lengthPlusOne = unsignedVarint();
        if (lengthPlusOne == 0) {
            return null;
        }
        return raw(lengthPlusOne - 1);
    }

    /**
     * A compact array's length, -1 for null; refused when even one byte per element would not fit, so a damaged
     * count cannot make the caller allocate a huge list.
     */
    public int compactArrayLength() {
        int lengthPlusOne = unsignedVarint();
        int length = lengthPlusOne - 1;
        if (length > buffer.remaining()) {
            throw new CoordinatorRecordException("array of " + length + " elements in " + buffer.remaining() + " bytes");
        }
        return length;
    }

    /** A classic array's length (int32), -1 for null, with the same bound. */
    public int arrayLength() {
        int length = int32();
        if (length > buffer.remaining()) {
            throw new CoordinatorRecordException("array of " + length + " elements in " + buffer.remaining() + " bytes");
        }
        return length;
    }

    public String string(boolean compact) {
        return compact ? compactString() : string();
    }

    public byte[] bytes(boolean compact) {
        return compact ? compactBytes() : bytes();
    }

    public int arrayLength(boolean compact) {
        return compact ? compactArrayLength() : arrayLength();
    }

    public List<Integer> compactInt32Array() {
        int length = compactArrayLength();
        if (length < 0) {
            return null;
        }
        List<Integer> values = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
            values.add(int32());
        }
        return values;
    }

    public List<String> compactStringArray() {
        int length = compactArrayLength();
        if (length < 0) {
            return null;
        }
        List<String> values = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
            values.add(compactString());
        }
        return values;
    }

    public byte[] raw(int length) {
        require(length);
        byte[] value = new byte[length];
        buffer.get(value);
        return value;
    }

    public void skip(int length) {
        require(length);
        buffer.position(buffer.position() + length);
    }

    public int remaining() {
        return buffer.remaining();
    }

    /**
     * Reads a tagged-field section, handing each tag to {@code reader}; a tag the reader does not take is skipped,
     * as Kafka keeps unknown tags out of the way of older readers.
     */
    public void taggedFields(TaggedFieldReader reader) {
        int count = unsignedVarint();
        for (int i = 0; i < count; i++) {
            int tag = unsignedVarint();
            int size = unsignedVarint();
            require(size);
            int end = buffer.position() + size;
            if (!reader.read(tag, this)) {
                skip(size);
            } else if (buffer.position() != end) {
                throw new CoordinatorRecordException("tagged field " + tag + " did not use its " + size + " bytes");
            }
        }
    }

    /** A tagged-field section that may hold one int64 field {@code tag} (default 0); other tags are skipped. */
    public long taggedInt64(int wantedTag) {
        long[] value = new long[1];
        taggedFields((tag, fieldReader) -> {
            if (tag != wantedTag) {
                return false;
            }
            value[0] = fieldReader.int64();
            return true;
        });
        return value[0];
    }

    private String utf8(int length) {
        return new String(raw(length), StandardCharsets.UTF_8);
    }

    private void require(int length) {
        if (length < 0 || length > buffer.remaining()) {
            throw new CoordinatorRecordException("needs " + length + " bytes, " + buffer.remaining() + " left");
        }
    }

    /** Reads one tagged field; returns false for a tag it does not know. */
    @FunctionalInterface
    public interface TaggedFieldReader {
        boolean read(int tag, RecordReader reader);
    }

    /** A reader for sections without known tags. */
    public static final TaggedFieldReader NO_KNOWN_TAGS = (tag, reader) -> false;
}
