package io.fjord.metadata.image;

import java.util.List;

/** One partition's replicas, in-sync replicas, leader and epochs. Immutable. */
public record PartitionImage(int partitionId, List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch,
                             int partitionEpoch) {
    public PartitionImage {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
    }
}
