package io.fjord.metadata.image;

import io.fjord.metadata.records.PartitionChangeRecord;
import java.util.List;

/**
 * One partition's replicas, in-sync replicas, leader and epochs, and Kafka's reassignment, leader recovery and ELR
 * fields. Immutable.
 *
 * @param leader              the leader's broker id, -1 when none
 * @param leaderRecoveryState 0 recovered, 1 recovering after an unclean election
 */
public record PartitionImage(int partitionId, List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch,
                             int partitionEpoch, List<Integer> removingReplicas, List<Integer> addingReplicas,
                             byte leaderRecoveryState, List<Integer> eligibleLeaderReplicas,
                             List<Integer> lastKnownElr) {
    public static final int NO_LEADER = -1;

    public PartitionImage {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
        removingReplicas = List.copyOf(removingReplicas);
        addingReplicas = List.copyOf(addingReplicas);
        eligibleLeaderReplicas = List.copyOf(eligibleLeaderReplicas);
        lastKnownElr = List.copyOf(lastKnownElr);
    }

    /** A partition with no reassignment, recovered, without ELR. */
    public PartitionImage(int partitionId, List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch,
                          int partitionEpoch) {
        this(partitionId, replicas, isr, leader, leaderEpoch, partitionEpoch, List.of(), List.of(), (byte) 0, List.of(),
                List.of());
    }

    /** The first replica, which leads when it can (Kafka's preferred leader); -1 without replicas. */
    public int preferredLeader() {
        return replicas.isEmpty() ? NO_LEADER : replicas.get(0);
    }

    /** Kafka's merge of a change: every change raises the partition epoch, a named leader the leader epoch. */
    public PartitionImage merge(PartitionChangeRecord change) {
        boolean newLeader = change.leader() != PartitionChangeRecord.NO_LEADER_CHANGE;
        return new PartitionImage(partitionId, orElse(change.replicas(), replicas), orElse(change.isr(), isr),
                newLeader ? change.leader() : leader, newLeader ? leaderEpoch + 1 : leaderEpoch, partitionEpoch + 1,
                orElse(change.removingReplicas(), removingReplicas), orElse(change.addingReplicas(), addingReplicas),
                change.leaderRecoveryState() == PartitionChangeRecord.NO_RECOVERY_STATE_CHANGE ? leaderRecoveryState
                        : change.leaderRecoveryState(),
                orElse(change.eligibleLeaderReplicas(), eligibleLeaderReplicas),
                orElse(change.lastKnownElr(), lastKnownElr));
    }

    private static <T> T orElse(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
