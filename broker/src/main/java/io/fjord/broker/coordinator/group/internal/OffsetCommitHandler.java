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
        Errors error = OffsetCommitChecks.partitionError(topicName, partition.partitionIndex(),
                partition.committedMetadata(), byId, config.offsetMetadataMaxBytes());
        if (error != Errors.NONE) {
            return error;
        }
        String metadata = partition.committedMetadata() == null ? "" : partition.committedMetadata();
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
        return OffsetCommitChecks.validateClassic(store, request.groupId(), request.generationIdOrMemberEpoch(),
                request.memberId(), request.groupInstanceId(),
                context.apiVersion() >= 9 ? Errors.GROUP_ID_NOT_FOUND : Errors.ILLEGAL_GENERATION, true);
    }
}
