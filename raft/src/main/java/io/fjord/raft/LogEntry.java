package io.fjord.raft;

import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of the replicated log: its offset, the epoch of the leader that appended it, and its payload (a record
 * batch's records on disk and on the wire, later). Equality compares the payload's bytes.
 *
 * <p>Immutable as long as nobody writes into the payload array, which the core never does; thread-safe.
 */
public record LogEntry(long offset, int epoch, EntryType type, byte[] payload) {
    /** Bytes an entry counts beyond its payload against fetch limits (an estimate of the batch framing). */
    public static final int OVERHEAD_BYTES = 24;

    public LogEntry {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(payload, "payload");
        if (offset < 0 || epoch < 0) {
            throw new IllegalArgumentException("negative offset or epoch: " + offset + ", " + epoch);
        }
    }

    /** The size this entry counts against fetch byte limits. */
    public int sizeInBytes() {
        return payload.length + OVERHEAD_BYTES;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LogEntry that && offset == that.offset && epoch == that.epoch
                && type == that.type && Arrays.equals(payload, that.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(offset, epoch, type) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "LogEntry[" + offset + "@" + epoch + " " + type + " " + payload.length + "B]";
    }
}
