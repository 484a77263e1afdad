package io.fjord.raft.driver;

import io.fjord.raft.DurableState;
import io.fjord.raft.LogEntry;
import io.fjord.raft.OffsetAndEpoch;
import io.fjord.raft.ReplicaKey;
import io.fjord.raft.SnapshotChunk;
import io.fjord.raft.SnapshotReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;

/**
 * Where a {@link RaftDriver} keeps what must survive a crash: the durable state, the log and the snapshots. Any exception from a
 * method (an {@link IOException}, or the storage module's unchecked {@code StorageException}) means the storage can
 * no longer be trusted: the driver stops and acknowledges nothing more.
 *
 * <p>Implementations need not be thread-safe: only the driver's thread calls them, after {@link #recover()}.
 */
public interface RaftStorage extends AutoCloseable {

    /** Reads back the durable state, the leader last written with it, and every entry of the log. */
    Recovered recover() throws IOException;

    /** Replaces the durable state; durable (fsync'd) when this returns. */
    void writeDurableState(DurableState state, int leaderId) throws IOException;

    /** Removes every entry at or above {@code offset}. */
    void truncateTo(long offset) throws IOException;

    /** Appends entries that continue the log; durable only after {@link #flush()}. */
    void append(List<LogEntry> entries) throws IOException;

    /** Makes everything appended durable. */
    void flush() throws IOException;

    /** The offset the next entry gets. */
    long endOffset();

    /** This node's log directory id (KIP-853), valid after {@link #recover()}; the zero UUID if it keeps none. */
    default UUID directoryId() {
        return ReplicaKey.NO_DIRECTORY;
    }

    /** The snapshots as the core reads them (the leader serves FetchSnapshot from them). */
    default SnapshotReader snapshots() {
        return SnapshotReader.NONE;
    }

    /** Writes a snapshot the state machine created, durably, as the latest one. */
    default void createSnapshot(OffsetAndEpoch snapshotId, ByteBuffer bytes) throws IOException {
        throw new IOException("this storage keeps no snapshots");
    }

    /** Writes a fetched chunk into the partial snapshot it names (position 0 starts it afresh). */
    default void writeSnapshotChunk(SnapshotChunk chunk) throws IOException {
        throw new IOException("this storage keeps no snapshots");
    }

    /**
     * The partial snapshot {@code snapshotId} is complete: makes it durable as the latest snapshot and replaces the
     * log by an empty one starting at its end offset.
     */
    default void installSnapshot(OffsetAndEpoch snapshotId) throws IOException {
        throw new IOException("this storage keeps no snapshots");
    }

    /** The whole of snapshot {@code snapshotId}, for the state machine to load. */
    default byte[] readSnapshot(OffsetAndEpoch snapshotId) throws IOException {
        throw new IOException("this storage keeps no snapshots");
    }

    /** Entries below {@code offset} may go (a snapshot covers them). */
    default void deleteLogBefore(long offset) throws IOException {
    }

    @Override
    void close() throws IOException;

    /**
     * What {@link #recover()} found: the durable state, the leader written with it, the latest complete snapshot
     * (null if none) and the log after it (starting at its end offset, or at 0).
     */
    record Recovered(DurableState state, int leaderId, OffsetAndEpoch latestSnapshot, List<LogEntry> log) {
        public Recovered {
            log = List.copyOf(log);
        }

        /** Without a snapshot. */
        public Recovered(DurableState state, int leaderId, List<LogEntry> log) {
            this(state, leaderId, null, log);
        }
    }
}
