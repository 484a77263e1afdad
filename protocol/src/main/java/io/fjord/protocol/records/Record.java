package io.fjord.protocol.records;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * One record of a batch, decoded: absolute offset, timestamp, key and value (either may be null) and headers.
 *
 * <p>Immutable as long as callers do not write into the key and value buffers; thread-safe then.
 */
public record Record(long offset, long timestamp, ByteBuffer key, ByteBuffer value, List<RecordHeader> headers) {
    public Record {
        headers = List.copyOf(headers);
    }

    public boolean hasKey() {
        return key != null;
    }

    /** A record without a value is a tombstone for its key on a compacted topic. */
    public boolean isTombstone() {
        return value == null;
    }
}
