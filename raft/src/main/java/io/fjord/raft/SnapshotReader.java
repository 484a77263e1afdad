package io.fjord.raft;

/**
 * The driver's snapshot storage as the core reads it: a leader serves FetchSnapshot chunks from it, and a restarted
 * replica reads the voter set at the start of its latest snapshot. Snapshot bytes are opaque to the core except
 * for that start ({@link VoterSet#encode()}, KIP-853's VotersRecord in snapshots), which the state machine writes
 * first (from {@link RaftNode#votersAt(long)}) when it creates a snapshot.
 *
 * <p>Called only on the core's thread; an implementation reads files synchronously.
 */
public interface SnapshotReader {
    /** A reader that holds no snapshot. */
    SnapshotReader NONE = new SnapshotReader() {
        @Override
        public long sizeInBytes(OffsetAndEpoch snapshotId) {
            return -1;
        }

        @Override
        public byte[] read(OffsetAndEpoch snapshotId, long position, int maxBytes) {
            throw new IllegalStateException("no snapshot " + snapshotId);
        }
    };

    /** The size of complete snapshot {@code snapshotId}, -1 if there is no such snapshot. */
    long sizeInBytes(OffsetAndEpoch snapshotId);

    /** Up to {@code maxBytes} bytes of snapshot {@code snapshotId} from {@code position} (within its size). */
    byte[] read(OffsetAndEpoch snapshotId, long position, int maxBytes);
}
