package io.fjord.broker.coordinator.markers;

import io.fjord.broker.coordinator.transaction.TransactionPartition;

/**
 * Where a partition's marker goes now: its leader's id in the current metadata image, looked up again for every
 * attempt since leaders move. Implementations are thread-safe.
 */
@FunctionalInterface
public interface PartitionLeaders {
    /** The partition has a leader, but not one this node can reach (none elected, or no inter-broker address). */
    int LEADER_UNKNOWN = -1;
    /** The image has no such partition: its topic was deleted, and the marker counts as written, as in Kafka. */
    int PARTITION_DELETED = -2;

    /** The leader's broker id, {@link #LEADER_UNKNOWN} or {@link #PARTITION_DELETED}. */
    int leaderOf(TransactionPartition partition);
}
