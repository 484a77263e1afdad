package io.fjord.metadata.quorum;

import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.MetadataRecordSerde;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The payload of one metadata entry of the Raft log: the records of one controller operation, which therefore commit
 * together (a CreateTopics is never half applied). Layout: a format byte (0), the record count (int32), then each
 * record as its length (int32) and its {@link MetadataRecordSerde} encoding. Reading checks every count and length
 * against the bytes left before allocating, so a damaged entry raises {@link IllegalArgumentException}.
 *
 * <p>Stateless and thread-safe.
 */
public final class MetadataEntries {
    static final byte FORMAT = 0;
    /** Framing bytes of an entry besides its records: the format and the count. */
    static final int HEADER_BYTES = 5;
    /** Framing bytes per record: its length. */
    static final int RECORD_FRAMING_BYTES = 4;
    /** The largest array the JVM allocates reliably. */
    static final int ARRAY_BYTES_MAX = Integer.MAX_VALUE - 16;

    private MetadataEntries() {
    }

    /** The payload of an entry holding {@code records}, in order. */
    public static byte[] encode(List<MetadataRecord> records) {
        return encode(records, ARRAY_BYTES_MAX);
    }

    /**
     * The encoding of {@code records}, in order, if it takes at most {@code maxBytes}; stops encoding as soon as it
     * passes them, so a large state costs at most {@code maxBytes} and one record before it is refused.
     *
     * @throws EncodingTooLargeException past {@code maxBytes}
     */
    public static byte[] encode(List<MetadataRecord> records, int maxBytes) {
        List<ByteBuffer> encoded = new ArrayList<>(records.size());
        long total = HEADER_BYTES;
        int limit = Math.min(maxBytes, ARRAY_BYTES_MAX);
        for (MetadataRecord record : records) {
            ByteBuffer bytes = MetadataRecordSerde.write(record);
            encoded.add(bytes);
            total += RECORD_FRAMING_BYTES + bytes.remaining();
            if (total > limit) {
                throw new EncodingTooLargeException(limit);
            }
        }
        ByteBuffer out = ByteBuffer.allocate((int) total);
        out.put(FORMAT).putInt(records.size());
        for (ByteBuffer bytes : encoded) {
            out.putInt(bytes.remaining()).put(bytes);
        }
        return out.array();
    }

    /** The records of an entry's payload. */
    public static List<MetadataRecord> decode(byte[] payload) {
        ByteBuffer in = ByteBuffer.wrap(payload);
        if (in.remaining() < HEADER_BYTES) {
            throw new IllegalArgumentException("a metadata entry of " + payload.length + " bytes");
        }
        byte format = in.get();
        if (format != FORMAT) {
            throw new IllegalArgumentException("unknown metadata entry format " + format);
        }
        int count = in.getInt();
        if (count < 0 || (long) count * RECORD_FRAMING_BYTES > in.remaining()) {
            throw new IllegalArgumentException("a metadata entry claims " + count + " records in "
                    + in.remaining() + " bytes");
        }
        List<MetadataRecord> records = new ArrayList<>(count);
        for (int index = 0; index < count; index++) {
            int length = in.remaining() >= RECORD_FRAMING_BYTES ? in.getInt() : -1;
            if (length < 0 || length > in.remaining()) {
                throw new IllegalArgumentException("record " + index + " of a metadata entry claims " + length
                        + " bytes, " + in.remaining() + " left");
            }
            ByteBuffer value = in.slice(in.position(), length);
            in.position(in.position() + length);
            records.add(MetadataRecordSerde.read(value));
        }
        if (in.hasRemaining()) {
            throw new IllegalArgumentException(in.remaining() + " bytes after the records of a metadata entry");
        }
        return records;
    }

    /** Records whose encoding passes the bound they were given; nothing was returned. Immutable. */
    public static final class EncodingTooLargeException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        EncodingTooLargeException(int maxBytes) {
            super("the records take more than " + maxBytes + " bytes encoded");
        }
    }
}
