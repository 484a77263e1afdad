package io.fjord.protocol.records;

import io.fjord.protocol.records.RecordBatchException.Kind;

/**
 * Checks the framing of every record of a batch in one pass, as Kafka's record reader does on the produce path,
 * without keeping any record: each record's length fits what is left, its offset delta equals its index, its key,
 * value and headers (count not negative, header keys not null) end exactly where its length says, exactly
 * {@code recordCount} records are there and nothing follows them. A negative key or value length is a null one,
 * as in Kafka. Every failure is INVALID_RECORD, Kafka 4.4's answer to each of these shapes.
 *
 * <p>Stateless and thread-safe; the source belongs to the calling thread.
 */
public final class RecordFraming {
    private static final int VARINT_BYTES_MAX = 5;
    private static final int VARLONG_BYTES_MAX = 10;

    private RecordFraming() {
    }

    /** Walks {@code recordCount} records from the source, telling the visitor about each. */
    public static void validate(RecordSource source, int recordCount, RecordVisitor visitor) {
        for (int index = 0; index < recordCount; index++) {
            if (source.exhausted()) {
                throw invalid("batch holds " + index + " records, fewer than its count of " + recordCount);
            }
            int sizeBytes = readVarint(source);
            if (sizeBytes < 1) {
                throw invalid("record " + index + " has length " + sizeBytes);
            }
            source.requireRecord(sizeBytes);
            long recordEnd = source.position() + sizeBytes;
            source.readByte(); // attributes: no record-level attribute is defined
            long timestampDelta = readVarlong(source);
            int offsetDelta = readVarint(source);
            if (offsetDelta != index) {
                throw invalid("record " + index + " has offset delta " + offsetDelta);
            }
            int keySize = readVarint(source);
            skipField(source, keySize, recordEnd, index);
            skipField(source, readVarint(source), recordEnd, index);
            int headerCount = readVarint(source);
            if (headerCount < 0) {
                throw invalid("record " + index + " has " + headerCount + " headers");
            }
            // Each header takes at least two bytes, so a huge count fails at the record's end, not by looping.
            for (int header = 0; header < headerCount; header++) {
                int headerKeySize = readVarint(source);
                if (headerKeySize < 0) {
                    throw invalid("record " + index + " has a header with a null key");
                }
                skipField(source, headerKeySize, recordEnd, index);
                skipField(source, readVarint(source), recordEnd, index);
            }
            if (source.position() != recordEnd) {
                throw invalid("record " + index + " should be " + sizeBytes + " bytes, but its fields take "
                        + (source.position() - recordEnd + sizeBytes));
            }
            visitor.record(index, timestampDelta, keySize >= 0);
        }
        if (!source.exhausted()) {
            throw invalid("batch has bytes after its " + recordCount + " records");
        }
    }

    /** Skips a field of {@code sizeBytes} (none if negative: null) that must end within its record. */
    private static void skipField(RecordSource source, int sizeBytes, long recordEnd, int index) {
        long left = recordEnd - source.position();
        if (left < 0 || sizeBytes > left) {
            throw invalid("record " + index + " has a field running past the end of the record");
        }
        if (sizeBytes > 0) {
            source.skip(sizeBytes);
        }
    }

    static int readVarint(RecordSource source) {
        int raw = 0;
        for (int bytes = 0; bytes < VARINT_BYTES_MAX; bytes++) {
            byte current = source.readByte();
            raw |= (current & 0x7f) << (7 * bytes);
            if ((current & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw invalid("varint is longer than " + VARINT_BYTES_MAX + " bytes");
    }

    static long readVarlong(RecordSource source) {
        long raw = 0;
        for (int bytes = 0; bytes < VARLONG_BYTES_MAX; bytes++) {
            byte current = source.readByte();
            raw |= (long) (current & 0x7f) << (7 * bytes);
            if ((current & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw invalid("varlong is longer than " + VARLONG_BYTES_MAX + " bytes");
    }

    private static RecordBatchException invalid(String message) {
        return new RecordBatchException(Kind.INVALID_RECORD, message);
    }
}
