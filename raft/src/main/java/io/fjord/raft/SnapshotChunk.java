package io.fjord.raft;

import java.util.Objects;

/**
 * Bytes of snapshot {@code snapshotId} fetched from the leader, to be written at {@code position} of the partial
 * snapshot; a chunk at position 0 starts it afresh (an earlier partial one is dropped).
 *
 * <p>Immutable as long as nobody writes into {@code bytes}, which the core never does; thread-safe.
 */
public record SnapshotChunk(OffsetAndEpoch snapshotId, long position, byte[] bytes) {
    public SnapshotChunk {
        Objects.requireNonNull(snapshotId, "snapshotId");
        Objects.requireNonNull(bytes, "bytes");
    }

    @Override
    public String toString() {
        return "SnapshotChunk[" + snapshotId + " @" + position + " " + bytes.length + "B]";
    }
}
