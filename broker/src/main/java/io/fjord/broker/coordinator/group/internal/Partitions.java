package io.fjord.broker.coordinator.group.internal;

import io.fjord.broker.coordinator.group.records.TopicPartitions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Sets of partitions by topic id, as KIP-848 assignments are kept: sorted maps of sorted sets so that records and
 * responses list them in one order on every node. The maps returned are unmodifiable and never hold an empty set.
 *
 * <p>Stateless and thread-safe.
 */
final class Partitions {
    static final SortedMap<UUID, SortedSet<Integer>> NONE = Collections.unmodifiableSortedMap(new TreeMap<>());
    static final SortedSet<Integer> NONE_OF_TOPIC = Collections.unmodifiableSortedSet(new TreeSet<>());

    private Partitions() {
    }

    /** A frozen copy without empty topics. */
    static SortedMap<UUID, SortedSet<Integer>> copyOf(Map<UUID, ? extends Set<Integer>> partitions) {
        TreeMap<UUID, SortedSet<Integer>> copy = new TreeMap<>();
        partitions.forEach((topicId, set) -> {
            if (!set.isEmpty()) {
                copy.put(topicId, Collections.unmodifiableSortedSet(new TreeSet<>(set)));
            }
        });
        return Collections.unmodifiableSortedMap(copy);
    }

    static int size(Map<UUID, ? extends Set<Integer>> partitions) {
        int size = 0;
        for (Set<Integer> set : partitions.values()) {
            size += set.size();
        }
        return size;
    }

    static boolean contains(Map<UUID, ? extends Set<Integer>> partitions, UUID topicId, int partition) {
        Set<Integer> set = partitions.get(topicId);
        return set != null && set.contains(partition);
    }

    /** Partitions of {@code left} that are also in {@code right}. */
    static SortedMap<UUID, SortedSet<Integer>> intersection(Map<UUID, ? extends Set<Integer>> left,
            Map<UUID, ? extends Set<Integer>> right) {
        TreeMap<UUID, TreeSet<Integer>> result = new TreeMap<>();
        left.forEach((topicId, set) -> {
            Set<Integer> other = right.get(topicId);
            if (other != null) {
                for (int partition : set) {
                    if (other.contains(partition)) {
                        result.computeIfAbsent(topicId, id -> new TreeSet<>()).add(partition);
                    }
                }
            }
        });
        return copyOf(result);
    }

    /** Partitions of {@code left} that are not in {@code right}. */
    static SortedMap<UUID, SortedSet<Integer>> difference(Map<UUID, ? extends Set<Integer>> left,
            Map<UUID, ? extends Set<Integer>> right) {
        TreeMap<UUID, TreeSet<Integer>> result = new TreeMap<>();
        left.forEach((topicId, set) -> {
            Set<Integer> other = right.containsKey(topicId) ? right.get(topicId) : Set.of();
            for (int partition : set) {
                if (!other.contains(partition)) {
                    result.computeIfAbsent(topicId, id -> new TreeSet<>()).add(partition);
                }
            }
        });
        return copyOf(result);
    }

    static SortedMap<UUID, SortedSet<Integer>> union(Map<UUID, ? extends Set<Integer>> left,
            Map<UUID, ? extends Set<Integer>> right) {
        TreeMap<UUID, TreeSet<Integer>> result = new TreeMap<>();
        left.forEach((topicId, set) -> result.computeIfAbsent(topicId, id -> new TreeSet<>()).addAll(set));
        right.forEach((topicId, set) -> result.computeIfAbsent(topicId, id -> new TreeSet<>()).addAll(set));
        return copyOf(result);
    }

    static boolean intersects(Map<UUID, ? extends Set<Integer>> left, Map<UUID, ? extends Set<Integer>> right) {
        for (Map.Entry<UUID, ? extends Set<Integer>> entry : left.entrySet()) {
            Set<Integer> other = right.get(entry.getKey());
            if (other != null && !Collections.disjoint(entry.getValue(), other)) {
                return true;
            }
        }
        return false;
    }

    /** Whether every partition of {@code subset} is in {@code superset}. */
    static boolean isSubset(Map<UUID, ? extends Set<Integer>> subset, Map<UUID, ? extends Set<Integer>> superset) {
        for (Map.Entry<UUID, ? extends Set<Integer>> entry : subset.entrySet()) {
            Set<Integer> other = superset.get(entry.getKey());
            if (!entry.getValue().isEmpty() && (other == null || !other.containsAll(entry.getValue()))) {
                return false;
            }
        }
        return true;
    }

    /** The record form, without assignment epochs. */
    static List<TopicPartitions> toRecord(Map<UUID, ? extends Set<Integer>> partitions) {
        List<TopicPartitions> list = new ArrayList<>(partitions.size());
        partitions.forEach((topicId, set) -> list.add(new TopicPartitions(topicId, new ArrayList<>(set), null)));
        return list;
    }

    /** The record form with each partition's assignment epoch. */
    static List<TopicPartitions> toRecordWithEpochs(Map<UUID, ? extends Map<Integer, Integer>> partitions) {
        List<TopicPartitions> list = new ArrayList<>(partitions.size());
        partitions.forEach((topicId, epochs) -> list.add(new TopicPartitions(topicId,
                new ArrayList<>(epochs.keySet()), new ArrayList<>(epochs.values()))));
        return list;
    }

    static SortedMap<UUID, SortedSet<Integer>> fromRecord(List<TopicPartitions> topics) {
        TreeMap<UUID, TreeSet<Integer>> result = new TreeMap<>();
        for (TopicPartitions topic : topics) {
            result.computeIfAbsent(topic.topicId(), id -> new TreeSet<>()).addAll(topic.partitions());
        }
        return copyOf(result);
    }

    /** Partitions with their assignment epochs; {@code defaultEpoch} where the record has none. */
    static SortedMap<UUID, SortedMap<Integer, Integer>> fromRecordWithEpochs(List<TopicPartitions> topics,
            int defaultEpoch) {
        TreeMap<UUID, SortedMap<Integer, Integer>> result = new TreeMap<>();
        for (TopicPartitions topic : topics) {
            SortedMap<Integer, Integer> epochs = result.computeIfAbsent(topic.topicId(), id -> new TreeMap<>());
            List<Integer> recorded = topic.assignmentEpochs();
            for (int i = 0; i < topic.partitions().size(); i++) {
                int epoch = recorded != null && i < recorded.size() ? recorded.get(i) : defaultEpoch;
                epochs.put(topic.partitions().get(i), epoch);
            }
        }
        return freezeEpochs(result);
    }

    static SortedMap<UUID, SortedMap<Integer, Integer>> freezeEpochs(Map<UUID, ? extends Map<Integer, Integer>> map) {
        TreeMap<UUID, SortedMap<Integer, Integer>> copy = new TreeMap<>();
        map.forEach((topicId, epochs) -> {
            if (!epochs.isEmpty()) {
                copy.put(topicId, Collections.unmodifiableSortedMap(new TreeMap<>(epochs)));
            }
        });
        return Collections.unmodifiableSortedMap(copy);
    }

    /** The partitions of an epoch map, without their epochs. */
    static SortedMap<UUID, SortedSet<Integer>> keys(Map<UUID, ? extends Map<Integer, Integer>> withEpochs) {
        TreeMap<UUID, TreeSet<Integer>> result = new TreeMap<>();
        withEpochs.forEach((topicId, epochs) -> result.put(topicId, new TreeSet<>(epochs.keySet())));
        return copyOf(result);
    }
}
