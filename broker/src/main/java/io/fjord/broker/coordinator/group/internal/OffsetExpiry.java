package io.fjord.broker.coordinator.group.internal;

import io.fjord.broker.coordinator.group.GroupCoordinatorConfig;
import io.fjord.broker.coordinator.group.records.CoordinatorRecord;
import io.fjord.broker.coordinator.group.records.GroupKey;
import io.fjord.broker.coordinator.group.records.OffsetCommitKey;
import io.fjord.broker.coordinator.group.records.OffsetCommitValue;
import io.fjord.storage.TopicPartition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Kafka's offset retention ({@code offsets.retention.minutes}): an offset with an explicit expire timestamp
 * (OffsetCommit v2-v4) expires then; otherwise it expires {@code offsetsRetentionMs} after its base time, which is
 * the time the group became Empty for an empty group with a protocol type, the commit time for a simple group
 * (no protocol type) and, in a non-empty consumer group, the commit time of topics no member subscribes to.
 * Offsets of other non-empty groups do not expire, nor does an offset an open transaction is about to replace. An
 * Empty group left without offsets is deleted, unless open transactions hold offsets of it (as in Kafka).
 *
 * <p>Not thread-safe: owned by the shard's thread.
 */
public final class OffsetExpiry {
    private final GroupCoordinatorConfig config;
    private final GroupStore store;

    public OffsetExpiry(GroupCoordinatorConfig config, GroupStore store) {
        this.config = config;
        this.store = store;
    }

    public void run(Effects effects) {
        for (ClassicGroup group : new ArrayList<>(store.groups())) {
            boolean allOffsetsExpired = expireOffsets(group, effects);
            if (allOffsetsExpired && group.isInState(ClassicGroupState.EMPTY)
                    && !store.hasOpenTransactions(group.groupId())) {
                effects.append(CoordinatorRecord.tombstone(GroupKey.groupMetadata(group.groupId())));
            }
        }
    }

    /** Appends tombstones for the group's expired offsets; true if none is left. */
    private boolean expireOffsets(ClassicGroup group, Effects effects) {
        Map<TopicPartition, OffsetCommitValue> offsets = store.offsets(group.groupId());
        if (offsets.isEmpty()) {
            return true;
        }
        boolean hasProtocolType = group.protocolType() != null && !group.protocolType().isEmpty();
        boolean empty = group.isInState(ClassicGroupState.EMPTY);
        if (hasProtocolType && !empty && !(group.usesConsumerProtocol() && group.subscribedTopics() != null)) {
            return false;
        }
        boolean allExpired = true;
        List<TopicPartition> expired = new ArrayList<>();
        for (Map.Entry<TopicPartition, OffsetCommitValue> entry : offsets.entrySet()) {
            if (!empty && group.isSubscribedToTopic(entry.getKey().topic())
                    || store.hasPendingOffset(group.groupId(), entry.getKey())) {
                allExpired = false;
                continue;
            }
            OffsetCommitValue offset = entry.getValue();
            long baseMs = hasProtocolType && empty && group.currentStateTimestampMs() >= 0
                    ? group.currentStateTimestampMs() : offset.commitTimestampMs();
            if (isExpired(offset, baseMs, effects.nowMs(), config.offsetsRetentionMs())) {
                expired.add(entry.getKey());
            } else {
                allExpired = false;
            }
        }
        appendTombstones(group.groupId(), expired, effects);
        return allExpired;
    }

    /** Kafka's rule: an explicit expire timestamp wins, else the retention counts from {@code baseMs}. */
    static boolean isExpired(OffsetCommitValue offset, long baseMs, long nowMs, long retentionMs) {
        return offset.expireTimestampMs() >= 0 ? nowMs >= offset.expireTimestampMs() : nowMs - baseMs >= retentionMs;
    }

    static void appendTombstones(String groupId, List<TopicPartition> partitions, Effects effects) {
        for (TopicPartition partition : partitions) {
            effects.append(CoordinatorRecord.tombstone(
                    new OffsetCommitKey(groupId, partition.topic(), partition.partition())));
        }
    }
}
