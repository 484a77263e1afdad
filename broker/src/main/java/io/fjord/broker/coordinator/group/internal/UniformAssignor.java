package io.fjord.broker.coordinator.group.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Kafka's default server-side assignor, {@code uniform}: spreads partitions evenly over members and keeps each
 * member's partitions where it can. Three steps: every member keeps the partitions of its current target that are
 * still valid for it; the partitions left are given, topic by topic (those with fewest subscribers first), to the
 * least loaded subscribed member; then single partitions move from a member to one holding at least two fewer that
 * also subscribes to their topic, until none can. With the same subscription everywhere the sizes then differ by at
 * most one and only the excess of overloaded members moves. Each move lowers the sum of squared loads, so the last
 * step ends.
 *
 * <p>Stateless and thread-safe.
 */
final class UniformAssignor implements PartitionAssignor {
    static final String NAME = "uniform";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, SortedMap<UUID, SortedSet<Integer>>> assign(Spec spec) {
        Map<String, TreeMap<UUID, TreeSet<Integer>>> result = new TreeMap<>();
        Map<String, Integer> loads = new HashMap<>();
        Map<UUID, Set<Integer>> claimed = new HashMap<>();
        for (Map.Entry<String, SortedSet<UUID>> member : spec.memberTopics().entrySet()) {
            TreeMap<UUID, TreeSet<Integer>> mine = new TreeMap<>();
            result.put(member.getKey(), mine);
            int load = 0;
            for (Map.Entry<UUID, SortedSet<Integer>> topic
                    : spec.currentTarget().getOrDefault(member.getKey(), Partitions.NONE).entrySet()) {
                if (!member.getValue().contains(topic.getKey())) {
                    continue;
                }
                int count = spec.partitionCounts().getOrDefault(topic.getKey(), 0);
                Set<Integer> taken = claimed.computeIfAbsent(topic.getKey(), id -> new HashSet<>());
                for (int partition : topic.getValue()) {
                    if (partition < count && taken.add(partition)) {
                        mine.computeIfAbsent(topic.getKey(), id -> new TreeSet<>()).add(partition);
                        load++;
                    }
                }
            }
            loads.put(member.getKey(), load);
        }
        Map<UUID, List<String>> subscribers = subscribers(spec);
        List<UUID> topics = new ArrayList<>(subscribers.keySet());
        topics.sort(Comparator.comparingInt((UUID topicId) -> subscribers.get(topicId).size())
                .thenComparing(Comparator.naturalOrder()));
        for (UUID topicId : topics) {
            int count = spec.partitionCounts().getOrDefault(topicId, 0);
            Set<Integer> taken = claimed.getOrDefault(topicId, Set.of());
            for (int partition = 0; partition < count; partition++) {
                if (taken.contains(partition)) {
                    continue;
                }
                String receiver = leastLoaded(subscribers.get(topicId), loads);
                result.get(receiver).computeIfAbsent(topicId, id -> new TreeSet<>()).add(partition);
                loads.merge(receiver, 1, Integer::sum);
            }
        }
        balance(spec, result, loads);
        Map<String, SortedMap<UUID, SortedSet<Integer>>> frozen = new TreeMap<>();
        result.forEach((memberId, partitions) -> frozen.put(memberId, Partitions.copyOf(partitions)));
        return frozen;
    }

    static Map<UUID, List<String>> subscribers(Spec spec) {
        Map<UUID, List<String>> subscribers = new TreeMap<>();
        spec.memberTopics().forEach((memberId, topics) -> {
            for (UUID topicId : topics) {
                if (spec.partitionCounts().getOrDefault(topicId, 0) > 0) {
                    subscribers.computeIfAbsent(topicId, id -> new ArrayList<>()).add(memberId);
                }
            }
        });
        return subscribers;
    }

    private static String leastLoaded(List<String> candidates, Map<String, Integer> loads) {
        String best = null;
        for (String candidate : candidates) {
            if (best == null || loads.get(candidate) < loads.get(best)) {
                best = candidate;
            }
        }
        return best;
    }

    private static void balance(Spec spec, Map<String, TreeMap<UUID, TreeSet<Integer>>> result,
            Map<String, Integer> loads) {
        Comparator<String> byLoad = Comparator.comparingInt(loads::get);
        boolean moved = true;
        while (moved) {
            moved = false;
            List<String> donors = new ArrayList<>(result.keySet());
            donors.sort(byLoad.reversed().thenComparing(Comparator.naturalOrder()));
            List<String> receivers = new ArrayList<>(result.keySet());
            receivers.sort(byLoad.thenComparing(Comparator.naturalOrder()));
            search:
            for (String donor : donors) {
                for (String receiver : receivers) {
                    if (loads.get(donor) - loads.get(receiver) < 2) {
                        break;
                    }
                    for (Map.Entry<UUID, TreeSet<Integer>> topic : result.get(donor).entrySet()) {
                        if (spec.memberTopics().get(receiver).contains(topic.getKey())) {
                            move(result, loads, donor, receiver, topic.getKey(),
                                    pick(spec, donor, topic.getKey(), topic.getValue()));
                            moved = true;
                            break search;
                        }
                    }
                }
            }
        }
    }

    /** The partition to move: one the donor did not have before if any (stickiness), else its highest. */
    private static int pick(Spec spec, String donor, UUID topicId, TreeSet<Integer> partitions) {
        Set<Integer> before = spec.currentTarget().getOrDefault(donor, Partitions.NONE).getOrDefault(topicId,
                Partitions.NONE_OF_TOPIC);
        for (int partition : partitions.descendingSet()) {
            if (!before.contains(partition)) {
                return partition;
            }
        }
        return partitions.last();
    }

    private static void move(Map<String, TreeMap<UUID, TreeSet<Integer>>> result, Map<String, Integer> loads,
            String donor, String receiver, UUID topicId, int partition) {
        TreeSet<Integer> from = result.get(donor).get(topicId);
        from.remove(partition);
        if (from.isEmpty()) {
            result.get(donor).remove(topicId);
        }
        result.get(receiver).computeIfAbsent(topicId, id -> new TreeSet<>()).add(partition);
        loads.merge(donor, -1, Integer::sum);
        loads.merge(receiver, 1, Integer::sum);
    }
}
