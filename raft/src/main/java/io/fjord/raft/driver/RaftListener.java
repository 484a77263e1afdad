package io.fjord.raft.driver;

import io.fjord.raft.LogEntry;
import io.fjord.raft.OffsetAndEpoch;
import io.fjord.raft.RoleChange;

/**
 * The state machine side of a {@link RaftDriver}. Every method runs on the driver's thread and must return quickly;
 * an exception from {@link #onCommitted} stops the driver (the state machine can no longer follow the log).
 */
public interface RaftListener {

    /**
     * {@code entry} is committed; entries arrive in offset order, each once per driver life (from offset 0, or from
     * the end of the snapshot loaded last).
     */
    void onCommitted(LogEntry entry);

    /**
     * Replace the state by snapshot {@code snapshotId}: {@code state} is what {@link RaftDriver#createSnapshot} was
     * given on the node that created it, the state after every entry below {@code snapshotId.offset()}. Called at
     * start for the latest snapshot on disk and when a snapshot fetched from the leader is installed; the next
     * {@link #onCommitted} is the entry at its offset. A state machine that never creates snapshots can still
     * receive one from a leader that does; the default refuses (the driver stops).
     */
    default void onSnapshotLoaded(OffsetAndEpoch snapshotId, byte[] state) {
        throw new UnsupportedOperationException("this state machine cannot load snapshot " + snapshotId);
    }

    /** The node's role, epoch or known leader changed. */
    default void onRoleChange(RoleChange change) {
    }

    /** The driver stopped because of {@code cause} (a storage error, a listener failure); it acknowledges nothing more. */
    default void onFailure(String reason, Throwable cause) {
    }
}
