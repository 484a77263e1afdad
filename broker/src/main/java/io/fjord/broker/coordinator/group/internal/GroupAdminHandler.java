package io.fjord.broker.coordinator.group.internal;

import io.fjord.broker.coordinator.group.RequestContext;
import io.fjord.broker.coordinator.group.records.CoordinatorRecord;
import io.fjord.broker.coordinator.group.records.GroupKey;
import io.fjord.broker.coordinator.group.records.OffsetCommitKey;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.DeleteGroupsRequestData;
import io.fjord.protocol.message.DeleteGroupsResponseData;
import io.fjord.protocol.message.DescribeGroupsRequestData;
import io.fjord.protocol.message.DescribeGroupsResponseData;
import io.fjord.protocol.message.ListGroupsRequestData;
import io.fjord.protocol.message.ListGroupsResponseData;
import io.fjord.storage.TopicPartition;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * ListGroups (with state and type filters), DescribeGroups and DeleteGroups over this shard's groups: classic
 * groups here, KIP-848 groups through {@link ConsumerGroupAdmin} (DescribeGroups does not show those: as in Kafka,
 * it answers GROUP_ID_NOT_FOUND for them). A deleted group leaves tombstones for its offsets and its metadata.
 *
 * <p>Not thread-safe: owned by the shard's thread.
 */
public final class GroupAdminHandler {
    static final String CLASSIC_TYPE = "classic";

    private final GroupStore store;
    private final Rebalancer rebalancer;
    private final ConsumerGroupAdmin consumerAdmin;

    public GroupAdminHandler(GroupStore store, Rebalancer rebalancer, ConsumerGroupAdmin consumerAdmin) {
        this.store = store;
        this.rebalancer = rebalancer;
        this.consumerAdmin = consumerAdmin;
    }

    /**
     * Lists this store's groups, run on the committed view: a classic group shows the state of its counterpart in
     * {@code live} (the rebalance state), unless it is gone there (a deletion not yet committed).
     */
    public void list(RequestContext context, ListGroupsRequestData request, GroupStore live, Effects effects) {
        ListGroupsResponseData response = new ListGroupsResponseData();
        for (ClassicGroup committed : store.groups()) {
            ClassicGroup group = liveOrCommitted(committed, live);
            if (!matches(request.statesFilter(), group.state().kafkaName())
                    || !matches(request.typesFilter(), CLASSIC_TYPE)) {
                continue;
            }
            response.groups().add(new ListGroupsResponseData.ListedGroup()
                    .setGroupId(group.groupId())
                    .setProtocolType(group.protocolType() == null ? "" : group.protocolType())
                    .setGroupState(group.state().kafkaName())
                    .setGroupType(CLASSIC_TYPE));
        }
        consumerAdmin.addListed((state, type) -> matches(request.statesFilter(), state)
                && matches(request.typesFilter(), type), response);
        effects.reply(context.requestId(), response);
    }

    private static boolean matches(List<String> filter, String value) {
        if (filter == null || filter.isEmpty()) {
            return true;
        }
        for (String wanted : filter) {
            if (wanted.toLowerCase(Locale.ROOT).equals(value.toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    /** Describes groups that exist in this store (the committed view), with {@code live}'s state as {@link #list}. */
    public void describe(RequestContext context, DescribeGroupsRequestData request, GroupStore live, Effects effects) {
        DescribeGroupsResponseData response = new DescribeGroupsResponseData();
        for (String groupId : request.groups()) {
            response.groups().add(describe(context.apiVersion(), groupId, live));
        }
        effects.reply(context.requestId(), response);
    }

    /**
     * Kafka reads which groups exist at the last committed offset, but a classic group's members and rebalance
     * state from the live object, which no record holds: a group only joined (nothing committed yet) is not shown.
     */
    private static ClassicGroup liveOrCommitted(ClassicGroup committed, GroupStore live) {
        ClassicGroup group = live.group(committed.groupId());
        return group == null || group.isInState(ClassicGroupState.DEAD) ? committed : group;
    }

    private DescribeGroupsResponseData.DescribedGroup describe(short apiVersion, String groupId, GroupStore live) {
        DescribeGroupsResponseData.DescribedGroup described =
                new DescribeGroupsResponseData.DescribedGroup().setGroupId(groupId);
        if (groupId == null) {
            return described.setErrorCode(Errors.INVALID_GROUP_ID.code());
        }
        ClassicGroup committed = store.group(groupId);
        ClassicGroup group = committed == null ? null : liveOrCommitted(committed, live);
        if (group == null || group.isInState(ClassicGroupState.DEAD)) {
            if (apiVersion >= 6) {
                return described.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code())
                        .setErrorMessage("Group " + groupId + " not found.");
            }
            return described.setGroupState(ClassicGroupState.DEAD.kafkaName());
        }
        boolean stable = group.isInState(ClassicGroupState.STABLE);
        described.setGroupState(group.state().kafkaName())
                .setProtocolType(group.protocolType() == null ? "" : group.protocolType())
                .setProtocolData(stable ? group.protocolName() : "");
        // Metadata and assignment only in Stable, as Kafka.
        for (ClassicGroupMember member : group.members()) {
            byte[] metadata = stable ? member.metadata(group.protocolName()) : null;
            described.members().add(new DescribeGroupsResponseData.DescribedGroupMember()
                    .setMemberId(member.memberId())
                    .setGroupInstanceId(member.groupInstanceId())
                    .setClientId(member.clientId())
                    .setClientHost(member.clientHost())
                    .setMemberMetadata(metadata == null ? ClassicGroupMember.EMPTY_BYTES : metadata)
                    .setMemberAssignment(stable ? member.assignment() : ClassicGroupMember.EMPTY_BYTES));
        }
        return described;
    }

    public void delete(RequestContext context, DeleteGroupsRequestData request, Effects effects) {
        DeleteGroupsResponseData response = new DeleteGroupsResponseData();
        for (String groupId : request.groupsNames()) {
            Errors error = deleteGroup(groupId, effects);
            response.results().add(new DeleteGroupsResponseData.DeletableGroupResult()
                    .setGroupId(groupId).setErrorCode(error.code()));
        }
        effects.reply(context.requestId(), response);
    }

    private Errors deleteGroup(String groupId, Effects effects) {
        if (groupId == null) {
            return Errors.INVALID_GROUP_ID;
        }
        ConsumerGroup consumerGroup = store.consumerGroup(groupId);
        if (consumerGroup != null) {
            return consumerAdmin.delete(consumerGroup, effects);
        }
        ClassicGroup group = store.group(groupId);
        if (group == null || group.isInState(ClassicGroupState.DEAD)) {
            return Errors.GROUP_ID_NOT_FOUND;
        }
        if (!group.isInState(ClassicGroupState.EMPTY)) {
            return Errors.NON_EMPTY_GROUP;
        }
        appendGroupTombstones(group, effects);
        return Errors.NONE;
    }

    /**
     * Tombstones for every offset (pending transactional ones too, as Kafka), then for the group itself (Kafka's
     * order), which removes it on replay.
     */
    void appendGroupTombstones(ClassicGroup group, Effects effects) {
        rebalancer.cancelMemberTimers(group);
        List<TopicPartition> partitions = store.offsetPartitionsToDelete(group.groupId());
        for (TopicPartition partition : partitions) {
            effects.append(CoordinatorRecord.tombstone(
                    new OffsetCommitKey(group.groupId(), partition.topic(), partition.partition())));
        }
        effects.append(CoordinatorRecord.tombstone(GroupKey.groupMetadata(group.groupId())));
    }
}
