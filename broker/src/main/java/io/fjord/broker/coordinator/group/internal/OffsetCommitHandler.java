package io.fjord.broker.coordinator.group.internal;

import io.fjord.broker.coordinator.group.GroupCoordinatorConfig;
import io.fjord.broker.coordinator.group.RequestContext;
import io.fjord.broker.coordinator.group.TopicIdResolver;
import io.fjord.broker.coordinator.group.records.CoordinatorRecord;
import io.fjord.broker.coordinator.group.records.OffsetCommitKey;
import io.fjord.broker.coordinator.group.records.OffsetCommitValue;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.OffsetCommitRequestData;
import io.fjord.protocol.message.OffsetCommitResponseData;
import java.util.ArrayList;
import java.util.List;

/**
 * OffsetCommit for classic and simple groups: members are checked against the group's generation; a commit with
 * generation -1 and no member id is a "simple" commit, accepted only while the group is Empty (creating the group
 * if needed). Each accepted partition becomes an OffsetCommit record; the response goes once they are durable.
 *
 * <p>Not thread-safe: owned by the shard's thread.
 */
public final class OffsetCommitHandler {
    private final GroupCoordinatorConfig config;
    private final GroupStore store;
    private final TopicIdResolver topics;

    public OffsetCommitHandler(GroupCoordinatorConfig config, GroupStore store, TopicIdResolver topics) {
        this.config = config;
        this.store = store;
        this.topics = topics;
    }

    public void handle(RequestContext context, OffsetCommitRequestData request, Effects effects) {
        ConsumerGroup consumerGroup = request.groupId() == null ? null : store.consumerGroup(request.groupId());
        ConsumerOffsetValidation.CommitCheck consumerCheck = consumerGroup == null ? null
                : ConsumerOffsetValidation.commitCheck(consumerGroup, request.memberId(),
                        request.generationIdOrMemberEpoch(), context.apiVersion());
        Errors groupError = consumerCheck != null ? consumerCheck.groupError() : validate(context, request);
        OffsetCommitResponseData response = new OffsetCommitResponseData();
        for (OffsetCommitRequestData.OffsetCommitRequestTopic topic : request.topics()) {
            boolean byId = context.apiVersion() >= 10;
            String topicName = byId ? topics.topicName(topic.topicId()) : topic.name();
            OffsetCommitResponseData.OffsetCommitResponseTopic topicResponse =
                    new OffsetCommitResponseData.OffsetCommitResponseTopic();
            if (byId) {
                topicResponse.setTopicId(topic.topicId());
            } else {
                topicResponse.setName(topic.name());
            }
            List<OffsetCommitResponseData.OffsetCommitResponsePartition> partitions =
                    new ArrayList<>(topic.partitions().size());
            for (OffsetCommitRequestData.OffsetCommitRequestPartition partition : topic.partitions()) {
                Errors error = groupError;
                if (error == Errors.NONE && consumerCheck != null && topicName != null) {
                    error = consumerCheck.partitionError(byId ? topic.topicId() : topics.topicId(topicName),
                            partition.partitionIndex());
                }
                if (error == Errors.NONE) {
                    error = commit(request, topicName, topic, partition, byId, effects);
                }
                partitions.add(new OffsetCommitResponseData.OffsetCommitResponsePartition()
                        .setPartitionIndex(partition.partitionIndex()).setErrorCode(error.code()));
            }
            topicResponse.setPartitions(partitions);
            response.topics().add(topicResponse);
        }
        effects.reply(context.requestId(), response);
    }

    private Errors commit(OffsetCommitRequestData request, String topicName,
            OffsetCommitRequestData.OffsetCommitRequestTopic topic,
            OffsetCommitRequestData.OffsetCommitRequestPartition partition, boolean byId, Effects effects) {
        if (topicName == null || topicName.isEmpty()) {
            return byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
        }
        if (partition.partitionIndex() < 0) {
            return Errors.UNKNOWN_TOPIC_OR_PARTITION;
        }
        String metadata = partition.committedMetadata() == null ? "" : partition.committedMetadata();
        if (metadata.length() > config.offsetMetadataMaxBytes()) {
            return Errors.OFFSET_METADATA_TOO_LARGE;
        }
        // OffsetCommit v2-v4 may carry a retention time, which becomes an explicit expire timestamp.
        long expireTimestampMs = request.retentionTimeMs() < 0 ? -1L : effects.nowMs() + request.retentionTimeMs();
        OffsetCommitValue value = new OffsetCommitValue(partition.committedOffset(),
                partition.committedLeaderEpoch() < 0 ? -1 : partition.committedLeaderEpoch(), metadata,
                effects.nowMs(), expireTimestampMs, byId ? topic.topicId() : null);
        effects.append(new CoordinatorRecord(
                new OffsetCommitKey(request.groupId(), topicName, partition.partitionIndex()), value));
        return Errors.NONE;
    }

    private Errors validate(RequestContext context, OffsetCommitRequestData request) {
        if (request.groupId() == null || request.groupId().isEmpty()) {
            return Errors.INVALID_GROUP_ID;
        }
        int generationId = request.generationIdOrMemberEpoch();
        String memberId = request.memberId() == null ? "" : request.memberId();
        ClassicGroup group = store.group(request.groupId());
        if (group == null) {
            if (generationId < 0) {
                // A simple commit; replaying its records creates the group.
                return Errors.NONE;
            }
            return context.apiVersion() >= 9 ? Errors.GROUP_ID_NOT_FOUND : Errors.ILLEGAL_GENERATION;
        }
        if (group.isInState(ClassicGroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        if (generationId < 0 && group.isInState(ClassicGroupState.EMPTY)) {
            return Errors.NONE;
        }
        if (generationId >= 0 || !memberId.isEmpty() || request.groupInstanceId() != null) {
            Errors error = MemberValidation.validateMember(group, memberId, request.groupInstanceId());
            if (error != Errors.NONE) {
                return error;
            }
            if (generationId != group.generationId()) {
                return Errors.ILLEGAL_GENERATION;
            }
        } else if (!group.isInState(ClassicGroupState.EMPTY)) {
            // Commits without membership are accepted only while the group is empty.
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (group.isInState(ClassicGroupState.COMPLETING_REBALANCE)) {
            // The member has its new generation but no assignment yet.
            return Errors.REBALANCE_IN_PROGRESS;
        }
        return Errors.NONE;
    }
}
