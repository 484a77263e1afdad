package io.fjord.metadata.controller;

import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.records.PartitionChangeRecord;
import io.fjord.metadata.records.PartitionRecord;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.IntPredicate;

/**
 * Decides one partition's next leader, ISR and eligible leader replicas, Kafka's KRaft rules (its
 * PartitionChangeBuilder):
 * <ul>
 *   <li>A leader must be acceptable (an active broker) and in the target ISR, or, when the target ISR is empty, in
 *       the ELR; among several the current leader stays, else the first in replica order (the preferred replica
 *       first for a preferred election). A leader taken from the ELR becomes the only ISR member.</li>
 *   <li>With ELR (KIP-966): a target ISR of at least min ISR clears the ELR; below it, the members of the current
 *       ISR and ELR that leave the ISR are (or stay) in the ELR, except replicas that shut down uncleanly; the ISR may
 *       become empty. The last known leader ({@code lastKnownElr}, Kafka 4.4's balanced recovery): when a change
 *       leaves the partition leaderless its leader is recorded (unless one is recorded already), and a change that
 *       gives it a leader clears the record. With ISR and ELR empty that last known leader is elected once it is an
 *       acceptable leader (active, and not the broker whose unclean restart is being handled), as an unclean
 *       election: it alone becomes the ISR, recovering.</li>
 *   <li>Without ELR the ISR never becomes empty: its last member stays, leader or not.</li>
 *   <li>An unclean election, where the topic allows it, takes the first acceptable replica when nothing else can
 *       lead: it alone is in the ISR, the ELR is cleared, and its leader recovery state becomes RECOVERING.</li>
 *   <li>Reassignment (KIP-455): a change may set the replica set with the replicas being added and removed; every
 *       change completes a reassignment whose added replicas are all in the target ISR (which, without the removed
 *       ones, must not be empty): the removed replicas leave the replicas, ISR and ELR, and a removed leader gives way
 *       to one elected from the remaining replicas. Removing replicas bumps the leader epoch, as Kafka does.</li>
 * </ul>
 *
 * <p>Not thread-safe: one instance per decision, on the controller's thread.
 */
final class PartitionChangeBuilder {
    /** How a leader may be chosen. */
    enum Election {
        /** The preferred replica if it can lead, else keep a valid leader, else the first valid replica. */
        PREFERRED,
        /** Keep a valid leader, else the first valid replica, else none. */
        ONLINE,
        /** As {@link #ONLINE}, then any acceptable replica (data may be lost). */
        UNCLEAN
    }

    private final UUID topicId;
    private final PartitionImage partition;
    private final IntPredicate acceptable;
    private Election election = Election.ONLINE;
    private boolean eligibleLeaderReplicasEnabled;
    private int minIsr = 1;
    private List<Integer> targetIsr;
    private byte targetLeaderRecoveryState;
    private Set<Integer> uncleanShutdownReplicas = Set.of();
    private List<Integer> targetReplicas;
    private List<Integer> targetAdding;
    private List<Integer> targetRemoving;

    /** @param acceptable whether a broker may lead (active, not being removed) */
    PartitionChangeBuilder(UUID topicId, PartitionImage partition, IntPredicate acceptable) {
        this.topicId = topicId;
        this.partition = partition;
        this.acceptable = acceptable;
        this.targetIsr = partition.isr();
        this.targetLeaderRecoveryState = partition.leaderRecoveryState();
        this.targetReplicas = partition.replicas();
        this.targetAdding = partition.addingReplicas();
        this.targetRemoving = partition.removingReplicas();
    }

    PartitionChangeBuilder election(Election value) {
        this.election = value;
        return this;
    }

    /** Whether KIP-966's ELR is on, and the topic's effective {@code min.insync.replicas}. */
    PartitionChangeBuilder eligibleLeaderReplicas(boolean enabled, int topicMinIsr) {
        this.eligibleLeaderReplicasEnabled = enabled;
        this.minIsr = topicMinIsr;
        return this;
    }

    /** The ISR wanted, in the current ISR's order. */
    PartitionChangeBuilder targetIsr(List<Integer> value) {
        this.targetIsr = List.copyOf(value);
        return this;
    }

    PartitionChangeBuilder targetLeaderRecoveryState(byte value) {
        this.targetLeaderRecoveryState = value;
        return this;
    }

    /** Replicas that restarted after an unclean shutdown: they may have lost records, so they leave the ELR. */
    PartitionChangeBuilder uncleanShutdownReplicas(Set<Integer> replicas) {
        this.uncleanShutdownReplicas = Set.copyOf(replicas);
        return this;
    }

    /**
     * A reassignment's replica set (KIP-455): the target replicas followed by the ones being removed, with the
     * replicas being added and removed; all empty lists but the replicas end (or cancel) one.
     */
    PartitionChangeBuilder targetReassignment(List<Integer> replicas, List<Integer> adding, List<Integer> removing) {
        this.targetReplicas = List.copyOf(replicas);
        this.targetAdding = List.copyOf(adding);
        this.targetRemoving = List.copyOf(removing);
        return this;
    }

    /** The change to write, or empty when nothing changes. */
    Optional<PartitionChangeRecord> build() {
        completeReassignmentIfPossible();
        List<Integer> targetElr = populateTargetElr();
        List<Integer> isr = null;
        int leader = PartitionChangeRecord.NO_LEADER_CHANGE;
        byte recoveryState = PartitionChangeRecord.NO_RECOVERY_STATE_CHANGE;

        Elected elected = elect(targetElr);
        if (elected.broker() != partition.leader()) {
            leader = elected.broker();
            if (targetElr.contains(elected.broker())) {
                int chosen = elected.broker();
                targetIsr = List.of(chosen);
                targetElr = targetElr.stream().filter(replica -> replica != chosen).toList();
            }
            if (elected.unclean()) {
                // The new leader may lack committed records: it alone is in sync, and it recovers first.
                isr = List.of(elected.broker());
                if (partition.leaderRecoveryState() != PartitionRecord.RECOVERING) {
                    recoveryState = PartitionRecord.RECOVERING;
                }
            }
        }
        boolean cleanElection = isr == null;
        if (!cleanElection || !eligibleLeaderReplicasEnabled) {
            targetElr = List.of();
        }
        List<Integer> elr = targetElr.equals(partition.eligibleLeaderReplicas()) ? null : targetElr;
        // Only with ELR may the ISR become empty.
        if (isr == null && (!targetIsr.isEmpty() || eligibleLeaderReplicasEnabled)
                && !targetIsr.equals(partition.isr())) {
            isr = targetIsr;
        }
        if (targetLeaderRecoveryState != partition.leaderRecoveryState()
                && recoveryState == PartitionChangeRecord.NO_RECOVERY_STATE_CHANGE) {
            recoveryState = targetLeaderRecoveryState;
        }
        List<Integer> replicas = targetReplicas.equals(partition.replicas()) ? null : targetReplicas;
        List<Integer> adding = targetAdding.equals(partition.addingReplicas()) ? null : targetAdding;
        List<Integer> removing = targetRemoving.equals(partition.removingReplicas()) ? null : targetRemoving;
        if (leader == PartitionChangeRecord.NO_LEADER_CHANGE && replicas != null
                && !targetReplicas.containsAll(partition.replicas()) && partition.leader() != PartitionImage.NO_LEADER) {
            // Kafka bumps the leader epoch when replicas leave the set, so the removed ones are fenced off the leader.
            leader = partition.leader();
        }
        List<Integer> lastKnownElr = lastKnownLeaderChange(leader);
        if (isr == null && leader == PartitionChangeRecord.NO_LEADER_CHANGE && elr == null && lastKnownElr == null
                && recoveryState == PartitionChangeRecord.NO_RECOVERY_STATE_CHANGE && replicas == null
                && adding == null && removing == null) {
            return Optional.empty();
        }
        return Optional.of(new PartitionChangeRecord(topicId, partition.partitionId(), isr, leader, replicas,
                removing, adding, recoveryState, elr, lastKnownElr));
    }

    /**
     * Kafka's completion of a reassignment: once the target ISR holds every replica being added and, without the
     * replicas being removed, is not empty, the removed replicas leave the replica set and the ISR, and the
     * reassignment's lists empty. A leader that is removed then loses its ISR membership, so one is elected from the
     * target replicas.
     */
    private void completeReassignmentIfPossible() {
        if (targetAdding.isEmpty() && targetRemoving.isEmpty()) {
            return;
        }
        List<Integer> isrAfter = targetIsr.stream().filter(replica -> !targetRemoving.contains(replica)).toList();
        if (isrAfter.isEmpty() || !isrAfter.containsAll(targetAdding)) {
            return;
        }
        targetReplicas = targetReplicas.stream().filter(replica -> !targetRemoving.contains(replica)).toList();
        targetIsr = isrAfter;
        targetAdding = List.of();
        targetRemoving = List.of();
    }

    /** KIP-966: who is eligible to lead after the ISR change, besides the ISR itself. */
    private List<Integer> populateTargetElr() {
        if (!eligibleLeaderReplicasEnabled) {
            return partition.eligibleLeaderReplicas();
        }
        if (targetIsr.size() >= minIsr) {
            return List.of();
        }
        Set<Integer> candidates = new LinkedHashSet<>(partition.eligibleLeaderReplicas());
        candidates.addAll(partition.isr());
        List<Integer> elr = new ArrayList<>();
        for (int replica : candidates) {
            if (!targetIsr.contains(replica) && !uncleanShutdownReplicas.contains(replica)
                    && targetReplicas.contains(replica)) {
                elr.add(replica);
            }
        }
        return List.copyOf(elr);
    }

    private record Elected(int broker, boolean unclean) {
    }

    private Elected elect(List<Integer> targetElr) {
        int preferred = targetReplicas.isEmpty() ? PartitionImage.NO_LEADER : targetReplicas.get(0);
        if (election == Election.PREFERRED && valid(preferred, targetElr)) {
            return new Elected(preferred, false);
        }
        if (valid(partition.leader(), targetElr)) {
            return new Elected(partition.leader(), false);
        }
        for (int replica : targetReplicas) {
            if (valid(replica, targetElr)) {
                return new Elected(replica, false);
            }
        }
        int lastKnownLeader = electableLastKnownLeader(targetElr);
        if (lastKnownLeader != PartitionImage.NO_LEADER) {
            return new Elected(lastKnownLeader, true);
        }
        if (election == Election.UNCLEAN) {
            for (int replica : targetReplicas) {
                if (acceptable.test(replica)) {
                    return new Elected(replica, true);
                }
            }
        }
        return new Elected(PartitionImage.NO_LEADER, false);
    }

    private boolean valid(int broker, List<Integer> targetElr) {
        return broker != PartitionImage.NO_LEADER && targetReplicas.contains(broker)
                && (targetIsr.contains(broker) || targetIsr.isEmpty() && targetElr.contains(broker))
                && acceptable.test(broker);
    }

    /** Kafka's balanced recovery: with ISR and ELR empty, the last leader is the best remaining choice. */
    private int electableLastKnownLeader(List<Integer> targetElr) {
        if (!eligibleLeaderReplicasEnabled || !targetElr.isEmpty() || !targetIsr.isEmpty()
                || partition.lastKnownElr().size() != 1) {
            return PartitionImage.NO_LEADER;
        }
        int lastKnownLeader = partition.lastKnownElr().get(0);
        return acceptable.test(lastKnownLeader) && targetReplicas.contains(lastKnownLeader) ? lastKnownLeader : PartitionImage.NO_LEADER;
    }

    /**
     * Kafka 4.4's last known leader ({@code lastKnownElr}, only with ELR on): the leader of a partition that becomes
     * leaderless is recorded unless one is recorded already, and the record is cleared when the change gives the
     * partition a leader (or bumps its leader's epoch). With ELR off the field is left as it is. Null when it does
     * not change.
     */
    private List<Integer> lastKnownLeaderChange(int leader) {
        if (!eligibleLeaderReplicasEnabled) {
            return null;
        }
        if (leader == PartitionImage.NO_LEADER && partition.lastKnownElr().isEmpty()
                && partition.leader() != PartitionImage.NO_LEADER) {
            return List.of(partition.leader());
        }
        return leader >= 0 && !partition.lastKnownElr().isEmpty() ? List.of() : null;
    }
}
