package io.fjord.broker.coordinator.group.internal;

import io.fjord.broker.coordinator.group.ConsumerGroupConfig;
import io.fjord.broker.coordinator.group.ConsumerGroupSettings;
import io.fjord.broker.coordinator.group.TopicMetadataView;
import io.fjord.broker.coordinator.group.records.ConsumerGroupMetadataValue;
import io.fjord.broker.coordinator.group.records.ConsumerGroupRegularExpressionValue;
import io.fjord.broker.coordinator.group.records.ConsumerGroupTargetAssignmentMemberValue;
import io.fjord.broker.coordinator.group.records.ConsumerGroupTargetAssignmentMetadataValue;
import io.fjord.broker.coordinator.group.records.CoordinatorRecord;
import io.fjord.broker.coordinator.group.records.GroupKey;
import io.fjord.broker.coordinator.group.records.MemberKey;
import io.fjord.broker.coordinator.group.records.RecordType;
import io.fjord.broker.coordinator.group.records.RegularExpressionKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The state changes of KIP-848 groups shared by heartbeats, timers and metadata updates, each as the records Kafka
 * writes for it: a member's subscription, its current assignment, its removal; group epoch bumps (on membership,
 * subscription and subscribed-topic metadata changes); a new target assignment from the group's assignor; resolved
 * regular expressions. Also the members' session and rebalance timeouts.
 *
 * <p>Not thread-safe: owned by the shard's thread.
 */
public final class ConsumerGroupOperations {
    private final ConsumerGroupConfig config;
    private final ConsumerGroupSettings settings;
    private final GroupStore store;
    private final Timers timers;
    private TopicMetadataView topics;

    public ConsumerGroupOperations(ConsumerGroupConfig config, ConsumerGroupSettings settings, GroupStore store,
            Timers timers, TopicMetadataView topics) {
        this.config = config;
        this.settings = settings;
        this.store = store;
        this.timers = timers;
        this.topics = topics;
    }

    ConsumerGroupConfig config() {
        return config;
    }

    /** The group's settings: {@link #config()} with its own session timeout and heartbeat interval, if set. */
    ConsumerGroupConfig config(String groupId) {
        return settings.forGroup(groupId);
    }

    TopicMetadataView topics() {
        return topics;
    }

    public void setTopicsWhileLoading(TopicMetadataView topics) {
        this.topics = topics;
    }

    void appendMemberMetadata(String groupId, ConsumerGroupMember member, Effects effects) {
        effects.append(new CoordinatorRecord(memberKey(RecordType.CONSUMER_GROUP_MEMBER_METADATA, groupId,
                member.memberId()), member.toMetadataValue()));
    }

    void appendCurrentAssignment(String groupId, ConsumerGroupMember member, Effects effects) {
        effects.append(new CoordinatorRecord(memberKey(RecordType.CONSUMER_GROUP_CURRENT_MEMBER_ASSIGNMENT, groupId,
                member.memberId()), member.toAssignmentValue()));
    }

    void appendTargetAssignment(String groupId, String memberId, SortedMap<UUID, SortedSet<Integer>> target,
            Effects effects) {
        effects.append(new CoordinatorRecord(memberKey(RecordType.CONSUMER_GROUP_TARGET_ASSIGNMENT_MEMBER, groupId,
                memberId), new ConsumerGroupTargetAssignmentMemberValue(Partitions.toRecord(target))));
    }

    /** Kafka's order: current assignment, target assignment, then the member itself. */
    void appendMemberTombstones(String groupId, String memberId, Effects effects) {
        effects.append(CoordinatorRecord.tombstone(
                memberKey(RecordType.CONSUMER_GROUP_CURRENT_MEMBER_ASSIGNMENT, groupId, memberId)));
        effects.append(CoordinatorRecord.tombstone(
                memberKey(RecordType.CONSUMER_GROUP_TARGET_ASSIGNMENT_MEMBER, groupId, memberId)));
        effects.append(CoordinatorRecord.tombstone(
                memberKey(RecordType.CONSUMER_GROUP_MEMBER_METADATA, groupId, memberId)));
        cancelMemberTimers(groupId, memberId);
    }

    /**
     * Removes a member that left or was fenced: its records, the regular expressions nobody uses any more, a group
     * epoch bump and a new target assignment for the others.
     */
    void removeMember(ConsumerGroup group, String memberId, Effects effects) {
        appendMemberTombstones(group.groupId(), memberId, effects);
        removeUnusedRegexes(group, effects);
        bumpGroupEpoch(group, effects);
        updateTargetAssignmentIfDue(group, effects);
    }

    void removeUnusedRegexes(ConsumerGroup group, Effects effects) {
        for (String regex : new ArrayList<>(group.resolvedRegexes().keySet())) {
            if (!group.isRegexUsed(regex)) {
                effects.append(CoordinatorRecord.tombstone(new RegularExpressionKey(group.groupId(), regex)));
            }
        }
    }

    /**
     * Resolves the regular expression against the topics now and records the result when it differs from the
     * recorded one; true if it did.
     */
    boolean refreshRegex(ConsumerGroup group, String groupId, String regex, Effects effects) {
        Pattern pattern = TopicRegex.compile(regex, Integer.MAX_VALUE);
        List<String> resolved = pattern == null ? List.of() : TopicRegex.resolve(pattern, topics.topicNames());
        ConsumerGroupRegularExpressionValue recorded = group == null ? null : group.resolvedRegexes().get(regex);
        if (recorded != null && recorded.topics().equals(resolved)) {
            return false;
        }
        effects.append(new CoordinatorRecord(new RegularExpressionKey(groupId, regex),
                new ConsumerGroupRegularExpressionValue(resolved, topics.metadataVersion(), effects.nowMs())));
        return true;
    }

    /** The group epoch plus one, with the subscribed topics' metadata hash as it is now. */
    void bumpGroupEpoch(ConsumerGroup group, Effects effects) {
        effects.append(new CoordinatorRecord(new GroupKey(RecordType.CONSUMER_GROUP_METADATA, group.groupId()),
                new ConsumerGroupMetadataValue(group.groupEpoch() + 1, metadataHash(group))));
    }

    /**
     * A hash of the subscribed topics' names, ids and partition counts: a change of any means a new target
     * assignment. (Kafka's hash, KIP-1101, also covers racks and uses Murmur3; a Kafka coordinator loading Fjord's
     * records would see a different hash and bump the epoch once, which is harmless.)
     */
    long metadataHash(ConsumerGroup group) {
        long hash = 0L;
        for (String topic : group.subscribedTopicNames().keySet()) {
            UUID topicId = topics.topicId(topic);
            if (topicId == null) {
                continue;
            }
            long topicHash = 1125899906842597L;
            for (byte b : topic.getBytes(StandardCharsets.UTF_8)) {
                topicHash = 31 * topicHash + b;
            }
            topicHash = 31 * topicHash + topicId.getMostSignificantBits();
            topicHash = 31 * topicHash + topicId.getLeastSignificantBits();
            topicHash = 31 * topicHash + topics.partitionCount(topicId);
            hash = mix(hash + mix(topicHash));
        }
        return hash;
    }

    private static long mix(long value) {
        long z = value + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** When the group epoch is ahead of the target assignment's, computes and records the new target. */
    void updateTargetAssignmentIfDue(ConsumerGroup group, Effects effects) {
        if (group.groupEpoch() <= group.targetAssignmentEpoch() || group.isEmpty()) {
            return;
        }
        SortedMap<String, SortedSet<UUID>> memberTopics = new TreeMap<>();
        Map<UUID, Integer> partitionCounts = new HashMap<>();
        for (ConsumerGroupMember member : group.members()) {
            SortedSet<UUID> ids = new TreeSet<>();
            for (String topic : group.memberTopics(member)) {
                UUID topicId = topics.topicId(topic);
                int count = topicId == null ? -1 : topics.partitionCount(topicId);
                if (count > 0) {
                    ids.add(topicId);
                    partitionCounts.put(topicId, count);
                }
            }
            memberTopics.put(member.memberId(), ids);
        }
        PartitionAssignor assignor = PartitionAssignor.named(group.preferredAssignor(config.assignors()));
        Map<String, SortedMap<UUID, SortedSet<Integer>>> next = assignor.assign(
                new PartitionAssignor.Spec(memberTopics, partitionCounts, group.targetAssignments()));
        next.forEach((memberId, target) -> {
            if (!target.equals(group.targetAssignment(memberId))) {
                appendTargetAssignment(group.groupId(), memberId, target, effects);
            }
        });
        effects.append(new CoordinatorRecord(
                new GroupKey(RecordType.CONSUMER_GROUP_TARGET_ASSIGNMENT_METADATA, group.groupId()),
                new ConsumerGroupTargetAssignmentMetadataValue(group.groupEpoch(), effects.nowMs())));
    }

    /** (Re)starts the member's session: it is removed if it does not heartbeat again in time. */
    void scheduleSessionTimeout(String groupId, String memberId, long nowMs) {
        timers.schedule(sessionKey(groupId, memberId), nowMs + config(groupId).sessionTimeoutMs(),
                effects -> {
            ConsumerGroup group = store.consumerGroup(groupId);
            if (group != null && group.member(memberId) != null) {
                removeMember(group, memberId, effects);
            }
        });
    }

    /**
     * Starts, keeps or stops the member's rebalance timeout after its assignment went from {@code before} to
     * {@code after}: it runs while the member owes revocations, from when it started owing them at this epoch; a
     * member that has not revoked when it fires is removed.
     */
    void updateRebalanceTimeout(String groupId, ConsumerGroupMember before, ConsumerGroupMember after, long nowMs) {
        String key = rebalanceKey(groupId, after.memberId());
        if (after.state() != ConsumerMemberState.UNREVOKED_PARTITIONS) {
            timers.cancel(key);
            return;
        }
        boolean started = before != null && before.state() == ConsumerMemberState.UNREVOKED_PARTITIONS
                && before.memberEpoch() == after.memberEpoch() && timers.isScheduled(key);
        if (started) {
            return;
        }
        int epoch = after.memberEpoch();
        String memberId = after.memberId();
        timers.schedule(key, nowMs + Math.max(after.rebalanceTimeoutMs(), 0), effects -> {
            ConsumerGroup group = store.consumerGroup(groupId);
            ConsumerGroupMember member = group == null ? null : group.member(memberId);
            if (member != null && member.memberEpoch() == epoch
                    && member.state() == ConsumerMemberState.UNREVOKED_PARTITIONS) {
                removeMember(group, memberId, effects);
            }
        });
    }

    void cancelMemberTimers(String groupId, String memberId) {
        timers.cancel(sessionKey(groupId, memberId));
        cancelRebalanceTimeout(groupId, memberId);
    }

    void cancelRebalanceTimeout(String groupId, String memberId) {
        timers.cancel(rebalanceKey(groupId, memberId));
    }

    /** After loading: every member gets a fresh session, and members owing revocations a fresh rebalance timeout. */
    public void scheduleAfterLoad(long nowMs) {
        for (ConsumerGroup group : store.consumerGroups()) {
            for (ConsumerGroupMember member : group.members()) {
                scheduleSessionTimeout(group.groupId(), member.memberId(), nowMs);
                if (member.memberEpoch() >= 0) {
                    updateRebalanceTimeout(group.groupId(), null, member, nowMs);
                }
            }
        }
    }

    /**
     * New cluster metadata: every group re-resolves its regular expressions and, when its subscribed topics
     * changed (new matches, partition counts, deleted topics), bumps its epoch for a new target assignment.
     */
    public void onMetadataUpdate(TopicMetadataView view, Effects effects) {
        this.topics = view;
        for (ConsumerGroup group : new ArrayList<>(store.consumerGroups())) {
            boolean changed = false;
            for (String regex : new ArrayList<>(group.resolvedRegexes().keySet())) {
                if (group.isRegexUsed(regex)) {
                    changed |= refreshRegex(group, group.groupId(), regex, effects);
                }
            }
            if (!group.isEmpty() && (changed || metadataHash(group) != group.metadataHash())) {
                bumpGroupEpoch(group, effects);
                updateTargetAssignmentIfDue(group, effects);
            }
        }
    }

    private static MemberKey memberKey(RecordType type, String groupId, String memberId) {
        return new MemberKey(type, groupId, memberId);
    }

    private static String sessionKey(String groupId, String memberId) {
        return "consumer-session\u0000" + groupId + "\u0000" + memberId;
    }

    private static String rebalanceKey(String groupId, String memberId) {
        return "consumer-rebalance\u0000" + groupId + "\u0000" + memberId;
    }
}
