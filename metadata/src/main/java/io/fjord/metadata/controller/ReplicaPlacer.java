package io.fjord.metadata.controller;

import java.util.ArrayList;
import java.util.List;

/**
 * Places the replicas of new partitions on brokers round-robin: partition p's replicas are the brokers following a
 * per-topic start position, so leaders (the first replica) spread evenly. Rack-aware placement comes with
 * multi-node clusters. Stateless and thread-safe.
 */
public final class ReplicaPlacer {
    private ReplicaPlacer() {
    }

    /**
     * @param brokers            usable broker ids, sorted
     * @param firstPartition     number of the first new partition
     * @param partitionCount     how many partitions to place
     * @param replicationFactor  replicas per partition, at most {@code brokers.size()}
     * @param startIndex         where the round-robin starts, e.g. derived from the topic name
     */
    public static List<List<Integer>> place(List<Integer> brokers, int firstPartition, int partitionCount,
                                            int replicationFactor, int startIndex) {
        if (replicationFactor > brokers.size() || replicationFactor < 1) {
            throw new IllegalArgumentException("cannot place " + replicationFactor + " replicas on "
                    + brokers.size() + " brokers");
        }
        List<List<Integer>> placements = new ArrayList<>(partitionCount);
        int count = brokers.size();
        for (int partition = firstPartition; partition < firstPartition + partitionCount; partition++) {
            List<Integer> replicas = new ArrayList<>(replicationFactor);
            int first = Math.floorMod(startIndex + partition, count);
            // Later replicas shift by one more each round so followers do not pile on one broker.
            int shift = 1 + Math.floorMod(partition / count, Math.max(1, count - 1));
            for (int replica = 0; replica < replicationFactor; replica++) {
                int index = replica == 0 ? first : Math.floorMod(first + shift + replica - 1, count);
                Integer broker = brokers.get(index);
                if (replicas.contains(broker)) {
                    broker = nextUnused(brokers, replicas, index);
                }
                replicas.add(broker);
            }
            placements.add(replicas);
        }
        return placements;
    }

    private static Integer nextUnused(List<Integer> brokers, List<Integer> used, int from) {
        for (int step = 1; step <= brokers.size(); step++) {
            Integer candidate = brokers.get(Math.floorMod(from + step, brokers.size()));
            if (!used.contains(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no unused broker left");
    }
}
