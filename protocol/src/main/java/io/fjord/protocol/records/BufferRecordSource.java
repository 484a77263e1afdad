package io.fjord.protocol.records;

import io.fjord.protocol.records.RecordBatchException.Kind;
import java.nio.ByteBuffer;

/**
 * The records of an uncompressed batch, read in place with absolute indexes (the buffer's position is not moved).
 *
 * <p>Not thread-safe; one walk per instance.
 */
final class BufferRecordSource implements RecordSource {
    private final ByteBuffer buffer;
    private final int start;
    private final int end;
    private int cursor;

    BufferRecordSource(ByteBuffer buffer, int start, int end) {
        this.buffer = buffer;
        this.start = start;
        this.end = end;
        this.cursor = start;
    }

    @Override
    public byte readByte() {
        if (cursor >= end) {
            throw new RecordBatchException(Kind.INVALID_RECORD, "a record runs past the end of its batch");
        }
        return buffer.get(cursor++);
    }

    @Override
    public void skip(long bytes) {
        if (bytes > end - cursor) {
            throw new RecordBatchException(Kind.INVALID_RECORD, "a record runs past the end of its batch");
        }
        cursor += (int) bytes;
    }

    @Override
    public long position() {
        return cursor - start;
    }

    @Override
    public boolean exhausted() {
        return cursor >= end;
    }

    @Override
    public void requireRecord(int sizeBytes) {
        if (sizeBytes > end - cursor) {
            throw new RecordBatchException(Kind.INVALID_RECORD, "a record of " + sizeBytes + " bytes overruns the "
                    + (end - cursor) + " bytes left in its batch");
        }
    }
}
