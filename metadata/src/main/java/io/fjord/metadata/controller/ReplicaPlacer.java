package io.fjord.metadata.controller;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * Places the replicas of new partitions on the usable brokers, rack-aware and balanced, in the shape of Kafka's KRaft
 * {@code StripedReplicaPlacer}: racks first, then brokers, the first replica (the preferred leader) rotating, and the
 * racks and brokers reshuffled after every round of as many partitions as there are brokers.
 *
 * <p>One round: the brokers are laid on a {@link BrokerRing} (racks and brokers shuffled, each rack's brokers spread
 * evenly around it) and a start position is drawn. With {@code B} brokers, replication factor {@code RF} and
 * {@code g = gcd(RF, B)}, the round's i-th partition takes the {@code RF} neighbouring positions from
 * {@code start + i / (B / g) + (i mod (B / g)) * RF}: the partitions of a block of {@code B / g} lie side by side and
 * cover the ring {@code RF / g} times, the next block starts one position further, and after {@code g} blocks every
 * broker has been first (leader) once and holds exactly {@code RF} replicas. A replica whose rack is already used by
 * the partition while another rack with a free broker is used less often (possible only with racks of unequal size)
 * is swapped for the least loaded such broker nearest on the ring; the leader is never swapped.
 *
 * <p>Guarantees: the replicas of a partition are distinct brokers; they are on distinct racks while racks remain
 * (every rack holds {@code floor(RF / R)} or {@code ceil(RF / R)} of them, as far as rack sizes allow); every broker
 * leads {@code floor(P / B)} or {@code ceil(P / B)} of the {@code P} partitions placed; and when the racks are equal in
 * size (or there are none) every broker holds {@code floor(P * RF / B)} or {@code ceil(P * RF / B)} replicas. The
 * result depends only on the brokers, the counts and the draws from the injected {@link Random}.
 *
 * <p>Not thread-safe (it draws from its {@code Random}): one instance per controller thread.
 */
public final class ReplicaPlacer {
    /** Kafka 4.4's reason when no broker is usable. */
    public static final String ALL_BROKERS_FENCED =
            "All brokers are currently fenced, or have all their log directories cordoned.";

    private final Random random;

    public ReplicaPlacer(Random random) {
        this.random = random;
    }

    /**
     * Kafka 4.4's reason why {@code replicationFactor} replicas cannot be placed on {@code usableBrokerCount}
     * brokers, or empty if they can (a positive replication factor is the caller's check, as in Kafka).
     */
    public static Optional<String> refusal(int replicationFactor, int usableBrokerCount) {
        if (usableBrokerCount == 0) {
            return Optional.of(ALL_BROKERS_FENCED);
        }
        if (replicationFactor > usableBrokerCount) {
            return Optional.of("The target replication factor of " + replicationFactor + " cannot be reached because "
                    + "only " + usableBrokerCount + " broker(s) are registered or some brokers have all their log "
                    + "directories cordoned.");
        }
        return Optional.empty();
    }

    /**
     * @param brokers           the usable brokers, distinct ids, in any order
     * @param partitionCount    how many partitions to place, at most {@link OperationLimits#RECORDS_PER_OPERATION_MAX}
     * @param replicationFactor replicas per partition, from 1 to {@code brokers.size()}
     * @return each partition's replicas, the preferred leader first
     */
    public List<List<Integer>> place(List<UsableBroker> brokers, int partitionCount, int replicationFactor) {
        if (partitionCount < 0 || partitionCount > OperationLimits.RECORDS_PER_OPERATION_MAX) {
            throw new IllegalArgumentException("cannot place " + partitionCount + " partitions in one operation");
        }
        if (replicationFactor < 1 || refusal(replicationFactor, brokers.size()).isPresent()) {
            throw new IllegalArgumentException("cannot place " + replicationFactor + " replicas on " + brokers.size()
                    + " brokers");
        }
        List<UsableBroker> sorted = new ArrayList<>(brokers);
        sorted.sort(Comparator.comparingInt(UsableBroker::brokerId));
        for (int index = 1; index < sorted.size(); index++) {
            if (sorted.get(index).brokerId() == sorted.get(index - 1).brokerId()) {
                throw new IllegalArgumentException("broker " + sorted.get(index).brokerId() + " listed twice");
            }
        }
        int[] replicaCounts = new int[sorted.size()];
        List<List<Integer>> placements = new ArrayList<>(partitionCount);
        while (placements.size() < partitionCount) {
            BrokerRing ring = BrokerRing.shuffled(sorted, random);
            int start = random.nextInt(ring.size());
            int roundLength = Math.min(ring.size(), partitionCount - placements.size());
            int blockLength = ring.size() / greatestCommonDivisor(replicationFactor, ring.size());
            for (int partition = 0; partition < roundLength; partition++) {
                long stride = (long) (partition % blockLength) * replicationFactor;
                int first = (int) ((start + partition / blockLength + stride) % ring.size());
                placements.add(replicas(ring, first, replicationFactor, sorted, replicaCounts));
            }
        }
        return placements;
    }

    /** One partition's replicas: the neighbours from {@code first}, swapped where the rack rule requires it. */
    private static List<Integer> replicas(BrokerRing ring, int first, int replicationFactor,
                                          List<UsableBroker> brokers, int[] replicaCounts) {
        int[] rackUses = new int[ring.rackCount()];
        int[] rackFree = new int[ring.rackCount()];
        for (int rack = 0; rack < rackFree.length; rack++) {
            rackFree[rack] = ring.rackSize(rack);
        }
        boolean[] taken = new boolean[ring.size()];
        List<Integer> replicas = new ArrayList<>(replicationFactor);
        for (int replica = 0; replica < replicationFactor; replica++) {
            int fewestUses = fewestUses(rackUses, rackFree);
            int position = (first + replica) % ring.size();
            if (taken[position] || rackUses[ring.rackAt(position)] != fewestUses) {
                position = substitute(ring, position, fewestUses, rackUses, taken, replicaCounts);
            }
            taken[position] = true;
            rackUses[ring.rackAt(position)]++;
            rackFree[ring.rackAt(position)]--;
            replicaCounts[ring.brokerAt(position)]++;
            replicas.add(brokers.get(ring.brokerAt(position)).brokerId());
        }
        return List.copyOf(replicas);
    }

    /** The fewest replicas of this partition on one rack, among racks that still have a free broker. */
    private static int fewestUses(int[] rackUses, int[] rackFree) {
        int fewest = Integer.MAX_VALUE;
        for (int rack = 0; rack < rackUses.length; rack++) {
            if (rackFree[rack] > 0) {
                fewest = Math.min(fewest, rackUses[rack]);
            }
        }
        return fewest;
    }

    /** The least loaded free broker on a least used rack, the nearest after {@code position} among equals. */
    private static int substitute(BrokerRing ring, int position, int fewestUses, int[] rackUses, boolean[] taken,
                                  int[] replicaCounts) {
        int best = -1;
        for (int distance = 1; distance < ring.size(); distance++) {
            int candidate = (position + distance) % ring.size();
            if (taken[candidate] || rackUses[ring.rackAt(candidate)] != fewestUses) {
                continue;
            }
            if (best < 0 || replicaCounts[ring.brokerAt(candidate)] < replicaCounts[ring.brokerAt(best)]) {
                best = candidate;
            }
        }
        if (best < 0) {
            throw new IllegalStateException("no free broker on a least used rack");
        }
        return best;
    }

    private static int greatestCommonDivisor(int first, int second) {
        return second == 0 ? first : greatestCommonDivisor(second, first % second);
    }
}
