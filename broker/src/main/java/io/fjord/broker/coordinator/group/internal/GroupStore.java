package io.fjord.broker.coordinator.group.internal;

import io.fjord.broker.coordinator.group.records.CoordinatorRecord;
import io.fjord.broker.coordinator.group.records.GroupKey;
import io.fjord.broker.coordinator.group.records.MemberKey;
import io.fjord.broker.coordinator.group.records.RegularExpressionKey;
import io.fjord.broker.coordinator.group.records.GroupMetadataValue;
import io.fjord.broker.coordinator.group.records.OffsetCommitKey;
import io.fjord.broker.coordinator.group.records.OffsetCommitValue;
import io.fjord.broker.coordinator.group.records.RecordType;
import io.fjord.storage.TopicPartition;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The groups and committed offsets of one shard. Durable state changes only in {@link #replay}: committed offsets
 * and each group's persisted GroupMetadata. A group exists while it has a GroupMetadata record or offsets (a
 * "simple" group: offsets committed without group management), as in Kafka. KIP-848 groups are kept apart
 * ({@link #consumerGroup}); a group id names at most one of the two kinds, and a consumer group's first record
 * replaces a simple classic group of the same id. Transactional offset commits (TxnOffsetCommit) stay pending for
 * their producer ({@link #replayTransactional}) until its marker ({@link #replayEndTransaction}): a COMMIT makes each
 * the committed offset unless a commit written after it in the partition is already there (Kafka compares the
 * records' offsets; the order in which records are applied is the same order), an ABORT drops them. A tombstone
 * drops the partition's pending offsets too.
 *
 * <p>Not thread-safe: owned by the shard's thread.
 */
public final class GroupStore {
    private final Map<String, ClassicGroup> groups = new TreeMap<>();
    private final Map<String, Map<TopicPartition, OffsetCommitValue>> offsets = new HashMap<>();
    private final Map<String, ConsumerGroup> consumerGroups = new TreeMap<>();
    /** The place in the partition's record order of each committed offset's record. */
    private final Map<String, Map<TopicPartition, Long>> offsetRecordOrder = new HashMap<>();
    private final PendingTransactionalOffsets pending = new PendingTransactionalOffsets();
    /** Counts the offset records applied: their order in the partition, for the rule of a transaction's commit. */
    private long nextRecordOrder;

    public ClassicGroup group(String groupId) {
        return groups.get(groupId);
    }

    public Collection<ClassicGroup> groups() {
        return groups.values();
    }

    /** The KIP-848 group with this id, or null. */
    public ConsumerGroup consumerGroup(String groupId) {
        return consumerGroups.get(groupId);
    }

    public Collection<ConsumerGroup> consumerGroups() {
        return consumerGroups.values();
    }

    /** Creates an Empty group not yet persisted (its first record follows in the same call). */
    ClassicGroup createGroup(String groupId) {
        return groups.computeIfAbsent(groupId, ClassicGroup::new);
    }

    /** Forgets a group that has neither a record nor offsets (created by a request that then failed). */
    void removeIfUnrecorded(String groupId) {
        ClassicGroup group = groups.get(groupId);
        if (group != null && group.persisted() == null && !offsets.containsKey(groupId)
                && !pending.hasOpenTransactions(groupId)) {
            groups.remove(groupId);
        }
    }

    /** The group's committed offsets (empty when none); do not change the map. */
    public Map<TopicPartition, OffsetCommitValue> offsets(String groupId) {
        Map<TopicPartition, OffsetCommitValue> groupOffsets = offsets.get(groupId);
        return groupOffsets == null ? Map.of() : groupOffsets;
    }

    public OffsetCommitValue offset(String groupId, TopicPartition partition) {
        return offsets(groupId).get(partition);
    }

    /** Whether an open transaction holds an offset for the group's partition (require_stable answers UNSTABLE). */
    public boolean hasPendingOffset(String groupId, TopicPartition partition) {
        return pending.hasPending(groupId, partition);
    }

    /** Whether open transactions hold offsets of the group: it is not expired meanwhile. */
    public boolean hasOpenTransactions(String groupId) {
        return pending.hasOpenTransactions(groupId);
    }

    /**
     * The partitions a deletion of the group's offsets must tombstone: those with a committed offset, then those
     * only open transactions hold (Kafka writes one tombstone for each).
     */
    public List<TopicPartition> offsetPartitionsToDelete(String groupId) {
        List<TopicPartition> partitions = new ArrayList<>(offsets(groupId).keySet());
        for (TopicPartition partition : pending.pendingPartitions(groupId)) {
            if (!offsets(groupId).containsKey(partition)) {
                partitions.add(partition);
            }
        }
        return partitions;
    }

    /**
     * Applies one record of a producer's transactional batch: an offset commit stays pending for the producer; a
     * tombstone or another record applies as usual (Kafka passes the producer only to offset commits).
     */
    public void replayTransactional(long producerId, CoordinatorRecord record) {
        if (record.key() instanceof OffsetCommitKey key && record.value() != null) {
            if (!consumerGroups.containsKey(key.groupId())) {
                createGroup(key.groupId()); // a simple group, as for a plain commit
            }
            pending.put(producerId, key.groupId(), new TopicPartition(key.topic(), key.partition()),
                    new PendingTransactionalOffsets.PendingOffset((OffsetCommitValue) record.value(),
                            nextRecordOrder++));
            return;
        }
        replay(record);
    }

    /**
     * A transaction marker for {@code producerId}: on COMMIT each of its pending offsets becomes the committed one,
     * unless the committed offset's record came later in the partition (a plain commit written after the
     * transactional one keeps its place, as in Kafka); on ABORT they are dropped.
     */
    public void replayEndTransaction(long producerId, boolean commit) {
        Map<String, Map<TopicPartition, PendingTransactionalOffsets.PendingOffset>> ended = pending.remove(producerId);
        if (!commit) {
            return;
        }
        ended.forEach((groupId, groupOffsets) -> groupOffsets.forEach((partition, offset) -> {
            Long committedOrder = offsetRecordOrder.getOrDefault(groupId, Map.of()).get(partition);
            if (committedOrder == null || offset.recordOrder() > committedOrder) {
                putOffset(groupId, partition, offset.value(), offset.recordOrder());
            }
        }));
    }

    /** Applies one record. */
    public void replay(CoordinatorRecord record) {
        if (record.key() instanceof OffsetCommitKey key) {
            replayOffset(key, (OffsetCommitValue) record.value());
        } else if (record.key() instanceof GroupKey key && key.type() == RecordType.GROUP_METADATA) {
            replayGroup(key.groupId(), (GroupMetadataValue) record.value());
        } else if (record.key() instanceof GroupKey || record.key() instanceof MemberKey
                || record.key() instanceof RegularExpressionKey) {
            ConsumerGroupReplay.replay(this, record);
        }
    }

    /**
     * The consumer group a record is for, created when {@code create} (replacing a simple classic group, which has
     * no record of its own, as Kafka does); null when absent and not created.
     */
    ConsumerGroup consumerGroupForReplay(String groupId, boolean create) {
        ConsumerGroup group = consumerGroups.get(groupId);
        if (group != null || !create) {
            return group;
        }
        ClassicGroup classic = groups.get(groupId);
        if (classic != null) {
            if (classic.persisted() != null) {
                throw new IllegalStateException("group " + groupId + " is a classic group");
            }
            groups.remove(groupId);
        }
        group = new ConsumerGroup(groupId);
        consumerGroups.put(groupId, group);
        return group;
    }

    /** Drops a consumer group (its epoch tombstone); offsets left behind make it a simple group again. */
    void removeConsumerGroup(String groupId) {
        if (consumerGroups.remove(groupId) != null && offsets.containsKey(groupId)) {
            createGroup(groupId);
        }
    }

    private void replayOffset(OffsetCommitKey key, OffsetCommitValue value) {
        TopicPartition partition = new TopicPartition(key.topic(), key.partition());
        if (value == null) {
            Map<TopicPartition, OffsetCommitValue> groupOffsets = offsets.get(key.groupId());
            if (groupOffsets != null) {
                groupOffsets.remove(partition);
                offsetRecordOrder.get(key.groupId()).remove(partition);
                if (groupOffsets.isEmpty()) {
                    offsets.remove(key.groupId());
                    offsetRecordOrder.remove(key.groupId());
                }
            }
            pending.removePartition(key.groupId(), partition);
            return;
        }
        putOffset(key.groupId(), partition, value, nextRecordOrder++);
    }

    private void putOffset(String groupId, TopicPartition partition, OffsetCommitValue value, long recordOrder) {
        if (!consumerGroups.containsKey(groupId)) {
            createGroup(groupId);
        }
        offsets.computeIfAbsent(groupId, id -> new LinkedHashMap<>()).put(partition, value);
        offsetRecordOrder.computeIfAbsent(groupId, id -> new HashMap<>()).put(partition, recordOrder);
    }

    private void replayGroup(String groupId, GroupMetadataValue value) {
        if (value == null) {
            ClassicGroup removed = groups.remove(groupId);
            if (removed != null) {
                removed.transitionTo(ClassicGroupState.DEAD, removed.currentStateTimestampMs());
            }
            return;
        }
        createGroup(groupId).setPersisted(value);
    }

    /**
     * The durable state: every group's persisted GroupMetadata (null for a group known only by its offsets) and
     * every committed offset and every pending transactional offset; equal for two stores that replayed the same
     * records.
     */
    public DurableState durableState() {
        Map<String, GroupMetadataValue> persisted = new TreeMap<>();
        for (ClassicGroup group : groups.values()) {
            persisted.put(group.groupId(), group.persisted());
        }
        Map<String, Map<TopicPartition, OffsetCommitValue>> copy = new TreeMap<>();
        offsets.forEach((groupId, groupOffsets) -> copy.put(groupId, Map.copyOf(groupOffsets)));
        Map<String, ConsumerGroup.Snapshot> consumer = new TreeMap<>();
        consumerGroups.forEach((groupId, group) -> consumer.put(groupId, group.snapshot()));
        return new DurableState(persisted, copy, consumer, pending.snapshot());
    }

    /** A copy of the durable state, for comparisons. Immutable. */
    public record DurableState(Map<String, GroupMetadataValue> groups,
            Map<String, Map<TopicPartition, OffsetCommitValue>> offsets,
            Map<String, ConsumerGroup.Snapshot> consumerGroups,
            Map<Long, Map<String, Map<TopicPartition, OffsetCommitValue>>> pendingOffsets) {
    }
}
