package io.fjord.metadata.controller;

import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.records.MetadataRecord;
import java.util.List;

/**
 * What the active controller does besides answering requests: something to do when its node becomes the active
 * controller, and a check that runs while it stays active whenever one of its deadlines is reached (a lease's
 * expiry, the leader rebalance interval), and at least every {@link #periodMs()}. The controller calls both on its
 * single thread, between operations, so they may keep soft state that operations also use (the heartbeat leases).
 *
 * <p>Implementations are owned by the controller's thread.
 */
public interface ActiveControllerTasks {
    /**
     * This node became the active controller; {@code image} holds every entry committed before its epoch. Runs before
     * any operation or periodic check of that epoch.
     */
    void activated(MetadataImage image);

    /**
     * The records a brand-new cluster starts with (its default feature levels), decided after {@link #activated} on
     * the first activation; committed as one entry before anything else of the epoch is decided. None by default.
     */
    default List<MetadataRecord> bootstrap(MetadataImage image) {
        return List.of();
    }

    /** A check while active: its records commit as one entry (none: nothing to do). */
    ControllerResult<?> periodic(MetadataImage image);

    /**
     * How long from now until the next check is due (0: due now; {@link Long#MAX_VALUE}: nothing is due). The
     * controller asks after every operation and check while active and wakes then, so a deadline (a lease's expiry)
     * is checked when it is reached, not at the next tick of a sampling period.
     */
    long nextCheckDelayMs(MetadataImage image);

    /**
     * The longest the controller waits between two checks, whatever {@link #nextCheckDelayMs} says: a backstop for
     * deadlines that moved outside the controller's thread, and how soon a node that just won the leadership with
     * no operation to run activates.
     */
    long periodMs();
}
