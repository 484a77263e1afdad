package io.fjord.metadata.records;

import java.util.List;
import java.util.UUID;

/**
 * The full state of one partition: its replicas, in-sync replicas, leader and epochs. A later record for the same
 * partition replaces the earlier one. Immutable.
 *
 * @param leader         node id of the leader, or -1 when none
 * @param leaderEpoch    grows with every leader change
 * @param partitionEpoch grows with every change of this partition's state
 */
public record PartitionRecord(UUID topicId, int partitionId, List<Integer> replicas, List<Integer> isr, int leader,
                              int leaderEpoch, int partitionEpoch) implements MetadataRecord {
    public static final short TYPE_ID = 3;

    public PartitionRecord {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
    }

    @Override
    public short typeId() {
        return TYPE_ID;
    }
}
