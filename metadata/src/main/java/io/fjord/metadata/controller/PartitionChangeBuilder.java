package io.fjord.metadata.controller;

import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.records.PartitionChangeRecord;
import io.fjord.metadata.records.PartitionRecord;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.IntPredicate;

/**
 * Decides one partition's next leader and ISR, Kafka's KRaft rules without eligible leader replicas (KIP-966 ELR is
 * not tracked): the leader must be in the target ISR and acceptable (an active broker); among several, the current
 * leader stays, else the first in replica order (the preferred replica first for a preferred election); an unclean
 * election, when allowed, takes the first acceptable replica and makes it the only ISR member, recovering. The ISR
 * never becomes empty: a target ISR without members keeps the current one (its last member stays, leader or not).
 *
 * <p>Stateless and thread-safe.
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

    private PartitionChangeBuilder() {
    }

    /**
     * The change to write, or empty when nothing changes.
     *
     * @param targetIsr  the ISR wanted, in the current ISR's order
     * @param acceptable whether a broker may lead (unfenced, not in controlled shutdown, not leaving)
     */
    static Optional<PartitionChangeRecord> build(UUID topicId, PartitionImage partition, List<Integer> targetIsr,
                                                 IntPredicate acceptable, Election election) {
        int leader = partition.leader();
        List<Integer> isr = null;
        byte recoveryState = PartitionChangeRecord.NO_RECOVERY_STATE_CHANGE;
        if (shouldTryElection(partition, targetIsr, acceptable, election)) {
            int elected = elect(partition, targetIsr, acceptable, election);
            boolean unclean = false;
            if (elected == PartitionImage.NO_LEADER && election == Election.UNCLEAN) {
                elected = partition.replicas().stream().filter(acceptable::test).findFirst()
                        .orElse(PartitionImage.NO_LEADER);
                unclean = elected != PartitionImage.NO_LEADER;
            }
            leader = elected;
            if (unclean) {
                // The new leader may lack committed records: it alone is in sync, and it recovers first.
                isr = List.of(elected);
                recoveryState = PartitionRecord.RECOVERING;
            }
        }
        if (isr == null && !targetIsr.isEmpty() && !targetIsr.equals(partition.isr())) {
            isr = targetIsr;
        }
        int leaderChange = leader == partition.leader() ? PartitionChangeRecord.NO_LEADER_CHANGE : leader;
        if (isr == null && leaderChange == PartitionChangeRecord.NO_LEADER_CHANGE) {
            return Optional.empty();
        }
        return Optional.of(new PartitionChangeRecord(topicId, partition.partitionId(), isr, leaderChange, null, null,
                null, recoveryState, null, null));
    }

    private static boolean valid(int broker, List<Integer> targetIsr, IntPredicate acceptable) {
        return broker != PartitionImage.NO_LEADER && targetIsr.contains(broker) && acceptable.test(broker);
    }

    private static boolean shouldTryElection(PartitionImage partition, List<Integer> targetIsr, IntPredicate acceptable,
                                             Election election) {
        if (election == Election.PREFERRED && partition.leader() != partition.preferredLeader()) {
            return true;
        }
        return !valid(partition.leader(), targetIsr, acceptable);
    }

    private static int elect(PartitionImage partition, List<Integer> targetIsr, IntPredicate acceptable,
                             Election election) {
        if (election == Election.PREFERRED && valid(partition.preferredLeader(), targetIsr, acceptable)) {
            return partition.preferredLeader();
        }
        if (valid(partition.leader(), targetIsr, acceptable)) {
            return partition.leader();
        }
        for (int replica : partition.replicas()) {
            if (valid(replica, targetIsr, acceptable)) {
                return replica;
            }
        }
        return PartitionImage.NO_LEADER;
    }
}
