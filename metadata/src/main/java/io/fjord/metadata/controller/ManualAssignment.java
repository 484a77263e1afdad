package io.fjord.metadata.controller;

import io.fjord.metadata.image.BrokerImage;
import io.fjord.metadata.image.MetadataImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Explicit replica assignments (CreateTopics and CreatePartitions {@code assignments}) checked as Kafka 4.4's
 * controller checks them, with its messages (INVALID_REPLICA_ASSIGNMENT), and the ISR such a partition starts with.
 * Stateless and thread-safe.
 */
final class ManualAssignment {
    private ManualAssignment() {
    }

    /**
     * Kafka's {@code validateManualPartitionAssignment}: the replica list is not empty, names only registered brokers
     * (fenced ones included), none twice, looking at the ids in ascending order; and it has as many replicas as
     * {@code replicationFactor} when that is known.
     *
     * @return the refusal's message, or empty if the assignment is valid
     */
    static Optional<String> check(List<Integer> replicas, MetadataImage image, OptionalInt replicationFactor) {
        if (replicas.isEmpty()) {
            return Optional.of("The manual partition assignment includes an empty replica list.");
        }
        List<Integer> sorted = new ArrayList<>(replicas);
        sorted.sort(Integer::compare);
        Integer previous = null;
        for (Integer brokerId : sorted) {
            if (!image.brokers().containsKey(brokerId)) {
                return Optional.of("The manual partition assignment includes broker " + brokerId
                        + ", but no such broker is registered.");
            }
            if (brokerId.equals(previous)) {
                return Optional.of("The manual partition assignment includes the broker " + brokerId
                        + " more than once.");
            }
            previous = brokerId;
        }
        if (replicationFactor.isPresent() && replicas.size() != replicationFactor.getAsInt()) {
            return Optional.of("The manual partition assignment includes a partition with " + replicas.size()
                    + " replica(s), but this is not consistent with previous partitions, which have "
                    + replicationFactor.getAsInt() + " replica(s).");
        }
        return Optional.empty();
    }

    /** The active replicas in assignment order: the partition's first ISR, its first member the leader. */
    static List<Integer> inSyncReplicas(List<Integer> replicas, MetadataImage image) {
        List<Integer> isr = new ArrayList<>(replicas.size());
        for (Integer brokerId : replicas) {
            BrokerImage broker = image.brokers().get(brokerId);
            if (broker != null && UsableBroker.isActive(broker)) {
                isr.add(brokerId);
            }
        }
        return isr;
    }

    /** Kafka's message when no replica of an explicitly assigned partition can lead it. */
    static String noActiveReplica(int partition) {
        return "All brokers specified in the manual partition assignment for partition " + partition
                + " are fenced or in controlled shutdown.";
    }
}
