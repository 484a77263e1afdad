package io.fjord.metadata.controller;

import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.records.MetadataRecord;
import java.util.List;

/**
 * What the active controller does besides answering requests: something to do when its node becomes the active
 * controller, and a check that runs periodically while it stays active (lease expiry, leader rebalance). The
 * controller calls both on its single thread, between operations, so they may keep soft state that operations also
 * use (the heartbeat leases).
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

    /** A periodic check while active: its records commit as one entry (none: nothing to do). */
    ControllerResult<?> periodic(MetadataImage image);

    /** How long between two periodic checks. */
    long periodMs();
}
