package io.fjord.broker.coordinator.group;

/**
 * Which {@code __consumer_offsets} partition owns a group: Kafka's rule, the group id's Java string hash made
 * non-negative (Integer.MIN_VALUE becomes 0) modulo {@code offsets.topic.num.partitions}, so Kafka's tools and
 * clients' FindCoordinator agree with Fjord. Stateless and thread-safe.
 */
public final class OffsetsPartitions {
    /** The topic's name. */
    public static final String TOPIC = "__consumer_offsets";

    private OffsetsPartitions() {
    }

    public static int partitionFor(String groupId, int partitionCount) {
        if (partitionCount < 1) {
            throw new IllegalArgumentException("partition count must be positive: " + partitionCount);
        }
        int hash = groupId.hashCode();
        int nonNegative = hash == Integer.MIN_VALUE ? 0 : Math.abs(hash);
        return nonNegative % partitionCount;
    }
}
