package io.fjord.broker.coordinator.group.internal;

import io.fjord.broker.coordinator.group.records.OffsetCommitValue;
import io.fjord.storage.TopicPartition;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The transactional offset commits of one shard not yet ended by their producer's marker (KIP-98, KIP-447; Kafka's
 * {@code pendingTransactionalOffsets} and {@code openTransactionsByGroup}): by producer id, then group and partition,
 * each with the order in which its record was applied, and the producers with pending offsets by group. Durable:
 * changed only by replaying transactional offset records, tombstones and markers, through {@link GroupStore}.
 *
 * <p>Not thread-safe: owned by the shard's thread.
 */
final class PendingTransactionalOffsets {
    /** A pending offset and its place in the partition's record order. Immutable. */
    record PendingOffset(OffsetCommitValue value, long recordOrder) {
    }

    private final Map<Long, Map<String, Map<TopicPartition, PendingOffset>>> byProducer = new HashMap<>();
    private final Map<String, Set<Long>> producersByGroup = new HashMap<>();

    void put(long producerId, String groupId, TopicPartition partition, PendingOffset offset) {
        byProducer.computeIfAbsent(producerId, id -> new HashMap<>())
                .computeIfAbsent(groupId, id -> new LinkedHashMap<>()).put(partition, offset);
        producersByGroup.computeIfAbsent(groupId, id -> new TreeSet<>()).add(producerId);
    }

    /** Ends the producer's transaction: its pending offsets by group (empty when it had none), now forgotten. */
    Map<String, Map<TopicPartition, PendingOffset>> remove(long producerId) {
        Map<String, Map<TopicPartition, PendingOffset>> removed = byProducer.remove(producerId);
        if (removed == null) {
            return Map.of();
        }
        for (String groupId : removed.keySet()) {
            Set<Long> producers = producersByGroup.get(groupId);
            if (producers != null && producers.remove(producerId) && producers.isEmpty()) {
                producersByGroup.remove(groupId);
            }
        }
        return removed;
    }

    /** A tombstone for the partition: no open transaction's offset for it is kept (Kafka drops them too). */
    void removePartition(String groupId, TopicPartition partition) {
        Set<Long> producers = producersByGroup.get(groupId);
        if (producers == null) {
            return;
        }
        for (long producerId : Set.copyOf(producers)) {
            Map<String, Map<TopicPartition, PendingOffset>> groups = byProducer.get(producerId);
            Map<TopicPartition, PendingOffset> offsets = groups == null ? null : groups.get(groupId);
            if (offsets != null) {
                offsets.remove(partition);
            }
        }
    }

    /** Whether an open transaction holds an offset for the group's partition (OffsetFetch's require_stable). */
    boolean hasPending(String groupId, TopicPartition partition) {
        Set<Long> producers = producersByGroup.get(groupId);
        if (producers == null) {
            return false;
        }
        for (long producerId : producers) {
            Map<TopicPartition, PendingOffset> offsets = byProducer.get(producerId).get(groupId);
            if (offsets != null && offsets.containsKey(partition)) {
                return true;
            }
        }
        return false;
    }

    /** Whether an open transaction has committed offsets for the group (such a group is not expired). */
    boolean hasOpenTransactions(String groupId) {
        return producersByGroup.containsKey(groupId);
    }

    /** The partitions for which open transactions hold offsets of the group. */
    Set<TopicPartition> pendingPartitions(String groupId) {
        Set<Long> producers = producersByGroup.get(groupId);
        if (producers == null) {
            return Set.of();
        }
        Set<TopicPartition> partitions = new TreeSet<>(TopicPartitionOrder.INSTANCE);
        for (long producerId : producers) {
            Map<TopicPartition, PendingOffset> offsets = byProducer.get(producerId).get(groupId);
            if (offsets != null) {
                partitions.addAll(offsets.keySet());
            }
        }
        return partitions;
    }

    /** Every pending offset, by producer, group and partition (a copy, for comparisons of durable state). */
    Map<Long, Map<String, Map<TopicPartition, OffsetCommitValue>>> snapshot() {
        Map<Long, Map<String, Map<TopicPartition, OffsetCommitValue>>> copy = new TreeMap<>();
        byProducer.forEach((producerId, groups) -> {
            Map<String, Map<TopicPartition, OffsetCommitValue>> groupsCopy = new TreeMap<>();
            groups.forEach((groupId, offsets) -> {
                Map<TopicPartition, OffsetCommitValue> values = new HashMap<>();
                offsets.forEach((partition, pending) -> values.put(partition, pending.value()));
                if (!values.isEmpty()) {
                    groupsCopy.put(groupId, Map.copyOf(values));
                }
            });
            copy.put(producerId, groupsCopy);
        });
        return copy;
    }

    /** Topic, then partition: a stable order for the partitions of tombstones. */
    private enum TopicPartitionOrder implements Comparator<TopicPartition> {
        INSTANCE;

        @Override
        public int compare(TopicPartition left, TopicPartition right) {
            int byTopic = left.topic().compareTo(right.topic());
            return byTopic != 0 ? byTopic : Integer.compare(left.partition(), right.partition());
        }
    }
}
