package io.fjord.broker.coordinator.group.internal;

import io.fjord.broker.coordinator.group.GroupCoordinatorConfig;
import io.fjord.broker.coordinator.group.RequestContext;
import io.fjord.broker.coordinator.group.records.CoordinatorRecord;
import io.fjord.broker.coordinator.group.records.GroupKey;
import io.fjord.broker.coordinator.group.records.OffsetCommitKey;
import io.fjord.broker.coordinator.group.records.OffsetCommitValue;
import io.fjord.broker.coordinator.group.records.RecordType;
import io.fjord.broker.coordinator.group.records.RegularExpressionKey;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ConsumerGroupDescribeRequestData;
import io.fjord.protocol.message.ConsumerGroupDescribeResponseData;
import io.fjord.protocol.message.ListGroupsResponseData;
import io.fjord.storage.TopicPartition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.UUID;

/**
 * The administrative side of KIP-848 groups: ConsumerGroupDescribe, their entries in ListGroups, DeleteGroups
 * (only when Empty: tombstones for offsets, then every record of the group in Kafka's order, the epoch record last),
 * and offset retention: with no member subscribed to an offset's topic (always so in an Empty group) it expires
 * {@code offsets.retention.minutes} after its commit, and an Empty group left without offsets is deleted.
 *
 * <p>Not thread-safe: owned by the shard's thread.
 */
public final class ConsumerGroupAdmin {
    static final String CONSUMER_TYPE = "consumer";
    static final byte CONSUMER_MEMBER_TYPE = 1;

    private final GroupCoordinatorConfig groupConfig;
    private final GroupStore store;
    private final ConsumerGroupOperations operations;

    public ConsumerGroupAdmin(GroupCoordinatorConfig groupConfig, GroupStore store,
            ConsumerGroupOperations operations) {
        this.groupConfig = groupConfig;
        this.store = store;
        this.operations = operations;
    }

    public void describe(RequestContext context, ConsumerGroupDescribeRequestData request, Effects effects) {
        ConsumerGroupDescribeResponseData response = new ConsumerGroupDescribeResponseData();
        for (String groupId : request.groupIds()) {
            response.groups().add(describe(context.apiVersion(), groupId));
        }
        effects.reply(context.requestId(), response);
    }

    private ConsumerGroupDescribeResponseData.DescribedGroup describe(short apiVersion, String groupId) {
        ConsumerGroupDescribeResponseData.DescribedGroup described =
                new ConsumerGroupDescribeResponseData.DescribedGroup().setGroupId(groupId);
        if (groupId == null || groupId.isEmpty()) {
            return described.setErrorCode(Errors.INVALID_GROUP_ID.code());
        }
        ConsumerGroup group = store.consumerGroup(groupId);
        if (group == null) {
            return described.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()).setErrorMessage(store.group(groupId)
                    != null ? "Group " + groupId + " is not a consumer group." : "Group " + groupId + " not found.");
        }
        described.setGroupState(group.state().kafkaName()).setGroupEpoch(group.groupEpoch())
                .setAssignmentEpoch(group.targetAssignmentEpoch())
                .setAssignorName(group.preferredAssignor(operations.config().assignors()));
        for (ConsumerGroupMember member : group.members()) {
            ConsumerGroupDescribeResponseData.Member described1 = new ConsumerGroupDescribeResponseData.Member()
                    .setMemberId(member.memberId()).setInstanceId(member.instanceId()).setRackId(member.rackId())
                    .setMemberEpoch(member.memberEpoch()).setClientId(member.clientId())
                    .setClientHost(member.clientHost())
                    .setSubscribedTopicNames(new ArrayList<>(member.subscribedTopicNames()))
                    .setSubscribedTopicRegex(member.subscribedTopicRegex())
                    .setAssignment(assignment(member.assignedPartitions()))
                    .setTargetAssignment(assignment(group.targetAssignment(member.memberId())));
            if (apiVersion >= 1) {
                described1.setMemberType(CONSUMER_MEMBER_TYPE);
            }
            described.members().add(described1);
        }
        return described;
    }

    private ConsumerGroupDescribeResponseData.Assignment assignment(SortedMap<UUID, SortedSet<Integer>> partitions) {
        List<ConsumerGroupDescribeResponseData.TopicPartitions> topics = new ArrayList<>();
        partitions.forEach((topicId, set) -> {
            String name = operations.topics().topicName(topicId);
            if (name != null) {
                topics.add(new ConsumerGroupDescribeResponseData.TopicPartitions().setTopicId(topicId)
                        .setTopicName(name).setPartitions(new ArrayList<>(set)));
            }
        });
        return new ConsumerGroupDescribeResponseData.Assignment().setTopicPartitions(topics);
    }

    /** The consumer groups ListGroups shows, given a state filter and a type filter matcher. */
    void addListed(java.util.function.BiPredicate<String, String> matchesStateAndType,
            ListGroupsResponseData response) {
        for (ConsumerGroup group : store.consumerGroups()) {
            String state = group.state().kafkaName();
            if (matchesStateAndType.test(state, CONSUMER_TYPE)) {
                response.groups().add(new ListGroupsResponseData.ListedGroup().setGroupId(group.groupId())
                        .setProtocolType(CONSUMER_TYPE).setGroupState(state).setGroupType(CONSUMER_TYPE));
            }
        }
    }

    /**
     * Before a classic JoinGroup: true when the id is free for a classic group, deleting an Empty consumer group of
     * that id (its offsets stay); false when a consumer group with members holds it.
     */
    public boolean giveWayToClassicGroup(String groupId, Effects effects) {
        ConsumerGroup group = groupId == null ? null : store.consumerGroup(groupId);
        if (group == null) {
            return true;
        }
        if (!group.isEmpty()) {
            return false;
        }
        appendGroupTombstones(group, effects);
        return true;
    }

    /** DeleteGroups of a consumer group: NON_EMPTY_GROUP while it has members. */
    Errors delete(ConsumerGroup group, Effects effects) {
        if (!group.isEmpty()) {
            return Errors.NON_EMPTY_GROUP;
        }
        OffsetExpiry.appendTombstones(group.groupId(), store.offsetPartitionsToDelete(group.groupId()), effects);
        appendGroupTombstones(group, effects);
        return Errors.NONE;
    }

    private void appendGroupTombstones(ConsumerGroup group, Effects effects) {
        String groupId = group.groupId();
        for (ConsumerGroupMember member : new ArrayList<>(group.members())) {
            operations.appendMemberTombstones(groupId, member.memberId(), effects);
        }
        for (String regex : new ArrayList<>(group.resolvedRegexes().keySet())) {
            effects.append(CoordinatorRecord.tombstone(new RegularExpressionKey(groupId, regex)));
        }
        effects.append(CoordinatorRecord.tombstone(
                new GroupKey(RecordType.CONSUMER_GROUP_TARGET_ASSIGNMENT_METADATA, groupId)));
        if (group.hasLegacyPartitionMetadata()) {
            effects.append(CoordinatorRecord.tombstone(
                    new GroupKey(RecordType.CONSUMER_GROUP_PARTITION_METADATA, groupId)));
        }
        effects.append(CoordinatorRecord.tombstone(new GroupKey(RecordType.CONSUMER_GROUP_METADATA, groupId)));
    }

    /** Offset retention and removal of expired Empty groups, for the consumer groups. */
    public void expire(Effects effects) {
        for (ConsumerGroup group : new ArrayList<>(store.consumerGroups())) {
            Map<TopicPartition, OffsetCommitValue> offsets = store.offsets(group.groupId());
            List<TopicPartition> expired = new ArrayList<>();
            boolean allExpired = true;
            for (Map.Entry<TopicPartition, OffsetCommitValue> entry : offsets.entrySet()) {
                OffsetCommitValue offset = entry.getValue();
                if (!group.isSubscribedToTopic(entry.getKey().topic())
                        && !store.hasPendingOffset(group.groupId(), entry.getKey()) && OffsetExpiry.isExpired(offset,
                        offset.commitTimestampMs(), effects.nowMs(), groupConfig.offsetsRetentionMs())) {
                    expired.add(entry.getKey());
                } else {
                    allExpired = false;
                }
            }
            OffsetExpiry.appendTombstones(group.groupId(), expired, effects);
            if (allExpired && group.isEmpty() && !store.hasOpenTransactions(group.groupId())) {
                appendGroupTombstones(group, effects);
            }
        }
    }
}
