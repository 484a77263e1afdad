package io.fjord.metadata.records;

import java.util.List;
import java.util.UUID;

/**
 * The full state of one partition: its replicas, in-sync replicas, leader and epochs; Kafka's PartitionRecord. A later
 * record for the same partition replaces the earlier one. Immutable.
 *
 * @param leader                 node id of the leader, or -1 when none
 * @param leaderEpoch            grows with every leader change
 * @param partitionEpoch         grows with every change of this partition's state
 * @param removingReplicas       replicas a reassignment removes (empty when none is running)
 * @param addingReplicas         replicas a reassignment adds
 * @param leaderRecoveryState    {@link #RECOVERED}, or {@link #RECOVERING} after an unclean election
 * @param eligibleLeaderReplicas KIP-966's ELR (kept empty: Fjord does not track ELR yet)
 * @param lastKnownElr           KIP-966's last known ELR (kept empty)
 */
public record PartitionRecord(UUID topicId, int partitionId, List<Integer> replicas, List<Integer> isr, int leader,
                              int leaderEpoch, int partitionEpoch, List<Integer> removingReplicas,
                              List<Integer> addingReplicas, byte leaderRecoveryState,
                              List<Integer> eligibleLeaderReplicas, List<Integer> lastKnownElr)
        implements MetadataRecord {
    public static final short TYPE_ID = 3;
    public static final byte RECOVERED = 0;
    public static final byte RECOVERING = 1;

    public PartitionRecord {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
        removingReplicas = List.copyOf(removingReplicas);
        addingReplicas = List.copyOf(addingReplicas);
        eligibleLeaderReplicas = List.copyOf(eligibleLeaderReplicas);
        lastKnownElr = List.copyOf(lastKnownElr);
    }

    /** A partition with no reassignment, recovered, without ELR (the version-0 shape). */
    public PartitionRecord(UUID topicId, int partitionId, List<Integer> replicas, List<Integer> isr, int leader,
                           int leaderEpoch, int partitionEpoch) {
        this(topicId, partitionId, replicas, isr, leader, leaderEpoch, partitionEpoch, List.of(), List.of(), RECOVERED,
                List.of(), List.of());
    }

    @Override
    public short typeId() {
        return TYPE_ID;
    }
}
