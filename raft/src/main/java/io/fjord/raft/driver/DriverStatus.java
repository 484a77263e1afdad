package io.fjord.raft.driver;

import io.fjord.raft.Role;

/**
 * A snapshot of a driver's node, published after every cycle for other threads (tests, tools, metrics).
 *
 * @param logStartOffset the first offset the log holds: a snapshot covers the entries below, deleted from storage
 * @param appliedOffset entries below it were handed to the listener
 * @param failure why the driver stopped, null while it runs
 *
 * <p>Immutable; thread-safe.
 */
public record DriverStatus(Role role, int epoch, int leaderId, long highWatermark, long logStartOffset,
        long logEndOffset, long appliedOffset, String failure) {

    static final DriverStatus NOT_STARTED = new DriverStatus(Role.UNATTACHED, 0, -1, 0, 0, 0, 0, null);
}
