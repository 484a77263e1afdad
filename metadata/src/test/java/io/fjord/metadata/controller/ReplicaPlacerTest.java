package io.fjord.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The placer's guarantees checked over many seeded cases: each case's seed is in its description, so a failure can be
 * replayed with {@code new Random(seed)}.
 */
class ReplicaPlacerTest {
    private static final int CASES = 3_000;

    /** {@code rackSizes[r]} brokers in rack "r" + r, ids from 1; a single size with {@code rackless} means no racks. */
    private static List<UsableBroker> brokers(boolean rackless, int... rackSizes) {
        List<UsableBroker> brokers = new ArrayList<>();
        int id = 1;
        for (int rack = 0; rack < rackSizes.length; rack++) {
            for (int member = 0; member < rackSizes[rack]; member++) {
                brokers.add(new UsableBroker(id++, rackless ? null : "r" + rack));
            }
        }
        return brokers;
    }

    private static Map<Integer, String> racks(List<UsableBroker> brokers) {
        Map<Integer, String> racks = new HashMap<>();
        brokers.forEach(broker -> racks.put(broker.brokerId(), String.valueOf(broker.rack())));
        return racks;
    }

    private static int spread(Map<Integer, Integer> counts, List<UsableBroker> brokers) {
        int most = 0;
        int fewest = Integer.MAX_VALUE;
        for (UsableBroker broker : brokers) {
            int count = counts.getOrDefault(broker.brokerId(), 0);
            most = Math.max(most, count);
            fewest = Math.min(fewest, count);
        }
        return most - fewest;
    }

    /** Checks what holds for every layout: sizes, distinct brokers, the rack rule, leaders within one of each other. */
    private static void assertAlwaysHolds(String description, List<UsableBroker> brokers, List<List<Integer>> placement,
                                          int partitions, int replicationFactor) {
        Map<Integer, String> racks = racks(brokers);
        int rackCount = new HashSet<>(racks.values()).size();
        Map<String, Integer> rackSizes = new HashMap<>();
        racks.values().forEach(rack -> rackSizes.merge(rack, 1, Integer::sum));
        assertThat(placement).as(description).hasSize(partitions);
        Map<Integer, Integer> leaders = new HashMap<>();
        for (List<Integer> replicas : placement) {
            if (replicas.size() != replicationFactor || new HashSet<>(replicas).size() != replicationFactor
                    || !racks.keySet().containsAll(replicas)) {
                fail(description + ": replicas " + replicas);
            }
            leaders.merge(replicas.get(0), 1, Integer::sum);
            Map<String, Integer> perRack = new HashMap<>();
            replicas.forEach(broker -> perRack.merge(racks.get(broker), 1, Integer::sum));
            if (rackCount >= replicationFactor && perRack.size() != replicationFactor) {
                fail(description + ": racks not distinct in " + replicas);
            }
            // Racks fill evenly: a rack holds two more replicas than another only if that other is full.
            rackSizes.keySet().forEach(rack -> rackSizes.forEach((other, otherSize) -> {
                int uses = perRack.getOrDefault(rack, 0);
                int otherUses = perRack.getOrDefault(other, 0);
                if (uses > otherUses + 1 && otherUses < otherSize) {
                    fail(description + ": racks " + rack + " and " + other + " unevenly used in " + replicas);
                }
            }));
        }
        assertThat(spread(leaders, brokers)).as(description + ": leaders " + leaders).isLessThanOrEqualTo(1);
    }

    private static Map<Integer, Integer> replicaCounts(List<List<Integer>> placement) {
        Map<Integer, Integer> counts = new HashMap<>();
        placement.forEach(replicas -> replicas.forEach(broker -> counts.merge(broker, 1, Integer::sum)));
        return counts;
    }

    @Test
    void equalRacksSpreadReplicasAndLeadersWithinOneOverManySeeds() {
        Random cases = new Random(20_261_105L);
        for (int run = 0; run < CASES; run++) {
            long seed = cases.nextLong();
            int rackCount = 1 + cases.nextInt(5);
            int rackSize = 1 + cases.nextInt(5);
            boolean rackless = rackCount == 1 && cases.nextBoolean();
            int[] sizes = new int[rackCount];
            Arrays.fill(sizes, rackSize);
            List<UsableBroker> brokers = brokers(rackless, sizes);
            int replicationFactor = 1 + cases.nextInt(Math.min(brokers.size(), 5));
            int partitions = 1 + cases.nextInt(cases.nextBoolean() ? 3 * brokers.size() : 200);
            String description = "seed " + seed + ", " + rackCount + " rack(s) of " + rackSize + ", " + partitions
                    + " partitions, RF " + replicationFactor;
            List<List<Integer>> placement = new ReplicaPlacer(new Random(seed)).place(brokers, partitions,
                    replicationFactor);
            assertAlwaysHolds(description, brokers, placement, partitions, replicationFactor);
            Map<Integer, Integer> counts = replicaCounts(placement);
            assertThat(spread(counts, brokers)).as(description + ": replicas " + counts).isLessThanOrEqualTo(1);
        }
    }

    @Test
    void unequalRacksKeepTheRackRuleAndLeaderBalanceOverManySeeds() {
        Random cases = new Random(7_354L);
        for (int run = 0; run < CASES; run++) {
            long seed = cases.nextLong();
            int[] sizes = new int[1 + cases.nextInt(5)];
            for (int rack = 0; rack < sizes.length; rack++) {
                sizes[rack] = 1 + cases.nextInt(6);
            }
            List<UsableBroker> brokers = brokers(false, sizes);
            int replicationFactor = 1 + cases.nextInt(Math.min(brokers.size(), 5));
            int partitions = 1 + cases.nextInt(150);
            String description = "seed " + seed + ", racks " + Arrays.toString(sizes) + ", " + partitions
                    + " partitions, RF " + replicationFactor;
            List<List<Integer>> placement = new ReplicaPlacer(new Random(seed)).place(brokers, partitions,
                    replicationFactor);
            assertAlwaysHolds(description, brokers, placement, partitions, replicationFactor);
        }
    }

    @Test
    void aLoneBrokerInItsRackTakesAReplicaOfEveryPartitionAsInKafka() {
        // Racks come before brokers: 4 + 4 + 1 brokers, RF 3, so every partition needs the lone rack's broker.
        List<UsableBroker> brokers = brokers(false, 4, 4, 1);
        List<List<Integer>> placement = new ReplicaPlacer(new Random(3)).place(brokers, 90, 3);
        assertThat(placement).allSatisfy(replicas -> assertThat(replicas).contains(9));
        Map<Integer, Integer> leaders = new HashMap<>();
        placement.forEach(replicas -> leaders.merge(replicas.get(0), 1, Integer::sum));
        assertThat(leaders).containsEntry(9, 10);
    }

    @Test
    void brokersWithoutARackFormOneRack() {
        List<UsableBroker> brokers = List.of(new UsableBroker(1, null), new UsableBroker(2, null),
                new UsableBroker(3, "a"), new UsableBroker(4, "a"));
        List<List<Integer>> placement = new ReplicaPlacer(new Random(11)).place(brokers, 40, 2);
        // Two racks, RF 2: one replica on a rackless broker, one on rack "a", every time.
        assertThat(placement).allSatisfy(replicas -> assertThat(replicas.stream().filter(id -> id <= 2)).hasSize(1));
    }

    @Test
    void theSameSeedGivesTheSamePlacementAndRoundsAreReshuffled() {
        List<UsableBroker> brokers = brokers(false, 3, 3);
        List<List<Integer>> first = new ReplicaPlacer(new Random(99)).place(brokers, 600, 3);
        assertThat(new ReplicaPlacer(new Random(99)).place(brokers, 600, 3)).isEqualTo(first);
        Set<List<Integer>> seeds = new HashSet<>();
        for (long seed = 0; seed < 20; seed++) {
            seeds.add(new ReplicaPlacer(new Random(seed)).place(brokers, 1, 3).get(0));
        }
        assertThat(seeds).as("different seeds, different placements").hasSizeGreaterThan(1);
        // A fresh ring every round of 6 partitions: a broker's partitions do not all fail over to the same follower.
        Map<Integer, Set<Integer>> followersOfLeader = new HashMap<>();
        first.forEach(replicas -> followersOfLeader.computeIfAbsent(replicas.get(0), leader -> new HashSet<>())
                .add(replicas.get(1)));
        assertThat(followersOfLeader.values()).allSatisfy(followers -> assertThat(followers).hasSizeGreaterThan(1));
    }

    @Test
    void refusesWhatCannotBePlacedWithKafkasReasons() {
        assertThat(ReplicaPlacer.refusal(3, 2)).contains("The target replication factor of 3 cannot be reached "
                + "because only 2 broker(s) are registered or some brokers have all their log directories cordoned.");
        assertThat(ReplicaPlacer.refusal(1, 0)).contains(
                "All brokers are currently fenced, or have all their log directories cordoned.");
        assertThat(ReplicaPlacer.refusal(2, 2)).isEmpty();
        ReplicaPlacer placer = new ReplicaPlacer(new Random(1));
        assertThatThrownBy(() -> placer.place(brokers(true, 2), 1, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> placer.place(brokers(true, 2), OperationLimits.RECORDS_PER_OPERATION_MAX + 1, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> placer.place(List.of(new UsableBroker(1, null), new UsableBroker(1, null)), 1, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(placer.place(brokers(true, 2), 0, 1)).isEmpty();
    }
}
