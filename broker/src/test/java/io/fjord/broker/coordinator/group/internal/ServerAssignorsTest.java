package io.fjord.broker.coordinator.group.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The server-side assignors: every partition once, to a subscriber; uniform's balance and stickiness; range. */
class ServerAssignorsTest {
    private static UUID topic(int index) {
        return new UUID(0, index + 1);
    }

    private static SortedSet<UUID> topics(int count) {
        SortedSet<UUID> topics = new TreeSet<>();
        for (int i = 0; i < count; i++) {
            topics.add(topic(i));
        }
        return topics;
    }

    private static PartitionAssignor.Spec spec(SortedMap<String, SortedSet<UUID>> members, Map<UUID, Integer> counts,
            Map<String, SortedMap<UUID, SortedSet<Integer>>> current) {
        return new PartitionAssignor.Spec(members, counts, current);
    }

    private static int size(SortedMap<UUID, SortedSet<Integer>> partitions) {
        return Partitions.size(partitions);
    }

    /** Each partition of a subscribed topic goes to exactly one member that subscribes to it. */
    private static void assertComplete(PartitionAssignor.Spec spec,
            Map<String, SortedMap<UUID, SortedSet<Integer>>> result) {
        assertThat(result.keySet()).isEqualTo(spec.memberTopics().keySet());
        Map<UUID, Set<Integer>> seen = new HashMap<>();
        result.forEach((member, partitions) -> partitions.forEach((topicId, set) -> {
            assertThat(spec.memberTopics().get(member)).contains(topicId);
            for (int partition : set) {
                assertThat(partition).isBetween(0, spec.partitionCounts().get(topicId) - 1);
                assertThat(seen.computeIfAbsent(topicId, id -> new HashSet<>()).add(partition))
                        .as("partition %s-%d assigned twice", topicId, partition).isTrue();
            }
        }));
        spec.partitionCounts().forEach((topicId, count) -> {
            boolean subscribed = spec.memberTopics().values().stream().anyMatch(t -> t.contains(topicId));
            assertThat(seen.getOrDefault(topicId, Set.of())).hasSize(subscribed ? count : 0);
        });
    }

    @Test
    void uniformBalancesSameSubscriptionsWithinOneAndMovesOnlyTheExcessWhenMembersChange() {
        long seed = new SplittableRandom().nextLong();
        System.out.println("ServerAssignorsTest balance seed " + seed);
        SplittableRandom random = new SplittableRandom(seed);
        UniformAssignor assignor = new UniformAssignor();
        for (int round = 0; round < 300; round++) {
            int topicCount = 1 + random.nextInt(4);
            Map<UUID, Integer> counts = new HashMap<>();
            for (UUID topicId : topics(topicCount)) {
                counts.put(topicId, random.nextInt(1, 25));
            }
            SortedMap<String, SortedSet<UUID>> members = new TreeMap<>();
            int memberCount = 1 + random.nextInt(8);
            for (int i = 0; i < memberCount; i++) {
                members.put("m" + random.nextInt(1000), topics(topicCount));
            }
            PartitionAssignor.Spec first = spec(members, counts, Map.of());
            Map<String, SortedMap<UUID, SortedSet<Integer>>> before = assignor.assign(first);
            assertComplete(first, before);
            assertBalanced(before, seed);

            // A member joins, another leaves: survivors keep min(old, new) of their partitions.
            SortedMap<String, SortedSet<UUID>> next = new TreeMap<>(members);
            next.put("new" + round, topics(topicCount));
            if (next.size() > 2) {
                next.remove(next.firstKey());
            }
            PartitionAssignor.Spec second = spec(next, counts, before);
            Map<String, SortedMap<UUID, SortedSet<Integer>>> after = assignor.assign(second);
            assertComplete(second, after);
            assertBalanced(after, seed);
            for (String member : next.keySet()) {
                SortedMap<UUID, SortedSet<Integer>> old = before.getOrDefault(member, Partitions.NONE);
                int kept = size(Partitions.intersection(old, after.get(member)));
                assertThat(kept).as("seed %d: stickiness of %s", seed, member)
                        .isEqualTo(Math.min(size(old), size(after.get(member))));
            }
        }
    }

    private static void assertBalanced(Map<String, SortedMap<UUID, SortedSet<Integer>>> result, long seed) {
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (SortedMap<UUID, SortedSet<Integer>> partitions : result.values()) {
            min = Math.min(min, size(partitions));
            max = Math.max(max, size(partitions));
        }
        assertThat(max - min).as("seed %d: sizes %s", seed, result).isLessThanOrEqualTo(1);
    }

    @Test
    void uniformGivesEveryPartitionToASubscriberWhenSubscriptionsDiffer() {
        long seed = new SplittableRandom().nextLong();
        System.out.println("ServerAssignorsTest heterogeneous seed " + seed);
        SplittableRandom random = new SplittableRandom(seed);
        UniformAssignor assignor = new UniformAssignor();
        for (int round = 0; round < 300; round++) {
            Map<UUID, Integer> counts = new HashMap<>();
            for (UUID topicId : topics(4)) {
                counts.put(topicId, random.nextInt(1, 12));
            }
            SortedMap<String, SortedSet<UUID>> members = new TreeMap<>();
            for (int i = 0; i < 1 + random.nextInt(6); i++) {
                SortedSet<UUID> subscribed = new TreeSet<>();
                for (UUID topicId : topics(4)) {
                    if (random.nextBoolean()) {
                        subscribed.add(topicId);
                    }
                }
                members.put("m" + i, subscribed);
            }
            PartitionAssignor.Spec spec = spec(members, counts, Map.of());
            Map<String, SortedMap<UUID, SortedSet<Integer>>> result = assignor.assign(spec);
            assertComplete(spec, result);
            // Running again from its own result changes nothing: the assignment is a fixed point.
            assertThat(assignor.assign(spec(members, counts, result))).as("seed %d", seed).isEqualTo(result);
        }
    }

    @Test
    void rangeGivesContiguousRangesInMemberOrderAndTheSameNumbersOfCoPartitionedTopics() {
        SortedMap<String, SortedSet<UUID>> members = new TreeMap<>(Map.of("a", topics(2), "b", topics(2),
                "c", topics(2)));
        Map<UUID, Integer> counts = Map.of(topic(0), 7, topic(1), 7);
        PartitionAssignor.Spec spec = spec(members, counts, Map.of());
        Map<String, SortedMap<UUID, SortedSet<Integer>>> result = new RangeAssignor().assign(spec);
        assertComplete(spec, result);
        assertThat(result.get("a").get(topic(0))).containsExactly(0, 1, 2);
        assertThat(result.get("b").get(topic(0))).containsExactly(3, 4);
        assertThat(result.get("c").get(topic(0))).containsExactly(5, 6);
        for (String member : members.keySet()) {
            assertThat(result.get(member).get(topic(1))).isEqualTo(result.get(member).get(topic(0)));
        }
        // More members than partitions: the last ones get nothing of that topic.
        SortedMap<String, SortedSet<UUID>> many = new TreeMap<>();
        List<String> names = new ArrayList<>(List.of("a", "b", "c", "d"));
        names.forEach(name -> many.put(name, topics(1)));
        PartitionAssignor.Spec small = spec(many, Map.of(topic(0), 2), Map.of());
        Map<String, SortedMap<UUID, SortedSet<Integer>>> smallResult = new RangeAssignor().assign(small);
        assertComplete(small, smallResult);
        assertThat(smallResult.get("d")).isEmpty();
    }
}
