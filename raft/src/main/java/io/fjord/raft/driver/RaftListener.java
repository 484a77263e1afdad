package io.fjord.raft.driver;

import io.fjord.raft.LogEntry;
import io.fjord.raft.RoleChange;

/**
 * The state machine side of a {@link RaftDriver}. Every method runs on the driver's thread and must return quickly;
 * an exception from {@link #onCommitted} stops the driver (the state machine can no longer follow the log).
 */
public interface RaftListener {

    /** {@code entry} is committed; entries arrive in offset order, each once per driver life (from offset 0). */
    void onCommitted(LogEntry entry);

    /** The node's role, epoch or known leader changed. */
    default void onRoleChange(RoleChange change) {
    }

    /** The driver stopped because of {@code cause} (a storage error, a listener failure); it acknowledges nothing more. */
    default void onFailure(String reason, Throwable cause) {
    }
}
