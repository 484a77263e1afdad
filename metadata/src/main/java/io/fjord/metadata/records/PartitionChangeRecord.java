package io.fjord.metadata.records;

import java.util.List;
import java.util.UUID;

/**
 * A change of one partition's state; Kafka's PartitionChangeRecord. Every field but the ids is optional: a null list,
 * {@link #NO_LEADER_CHANGE} or {@link #NO_RECOVERY_STATE_CHANGE} leaves that part as it is. Replaying it always raises
 * the partition epoch, and raises the leader epoch when the record names a leader (Kafka does the same: the record
 * carries no epochs). Immutable.
 *
 * @param leader the new leader, -1 for none, {@link #NO_LEADER_CHANGE} to keep the current one
 */
public record PartitionChangeRecord(UUID topicId, int partitionId, List<Integer> isr, int leader,
                                    List<Integer> replicas, List<Integer> removingReplicas,
                                    List<Integer> addingReplicas, byte leaderRecoveryState,
                                    List<Integer> eligibleLeaderReplicas, List<Integer> lastKnownElr)
        implements MetadataRecord {
    public static final short TYPE_ID = 5;
    public static final int NO_LEADER_CHANGE = -2;
    public static final byte NO_RECOVERY_STATE_CHANGE = -1;

    public PartitionChangeRecord {
        isr = copyOrNull(isr);
        replicas = copyOrNull(replicas);
        removingReplicas = copyOrNull(removingReplicas);
        addingReplicas = copyOrNull(addingReplicas);
        eligibleLeaderReplicas = copyOrNull(eligibleLeaderReplicas);
        lastKnownElr = copyOrNull(lastKnownElr);
    }

    /** A change of the leader and/or the ISR only (null ISR: unchanged). */
    public PartitionChangeRecord(UUID topicId, int partitionId, List<Integer> isr, int leader) {
        this(topicId, partitionId, isr, leader, null, null, null, NO_RECOVERY_STATE_CHANGE, null, null);
    }

    static List<Integer> copyOrNull(List<Integer> values) {
        return values == null ? null : List.copyOf(values);
    }

    @Override
    public short typeId() {
        return TYPE_ID;
    }
}
