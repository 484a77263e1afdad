package io.fjord.broker.coordinator.group.internal;

import io.fjord.broker.coordinator.group.RequestContext;
import io.fjord.broker.coordinator.group.records.CoordinatorRecord;
import io.fjord.broker.coordinator.group.records.OffsetCommitKey;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.OffsetDeleteRequestData;
import io.fjord.protocol.message.OffsetDeleteResponseData;
import io.fjord.storage.TopicPartition;

/**
 * OffsetDelete: removes committed offsets (tombstones) of a group that is empty, or of a consumer-protocol group
 * for topics it does not subscribe to (GROUP_SUBSCRIBED_TO_TOPIC otherwise). Other non-empty groups get
 * NON_EMPTY_GROUP.
 *
 * <p>Not thread-safe: owned by the shard's thread.
 */
public final class OffsetDeleteHandler {
    private final GroupStore store;

    public OffsetDeleteHandler(GroupStore store) {
        this.store = store;
    }

    public void handle(RequestContext context, OffsetDeleteRequestData request, Effects effects) {
        OffsetDeleteResponseData response = new OffsetDeleteResponseData();
        Errors groupError = validate(request.groupId());
        if (groupError != Errors.NONE) {
            effects.reply(context.requestId(), response.setErrorCode(groupError.code()));
            return;
        }
        ConsumerGroup consumerGroup = store.consumerGroup(request.groupId());
        java.util.function.Predicate<String> subscribedTo = consumerGroup != null
                ? consumerGroup::isSubscribedToTopic : store.group(request.groupId())::isSubscribedToTopic;
        for (OffsetDeleteRequestData.OffsetDeleteRequestTopic topic : request.topics()) {
            OffsetDeleteResponseData.OffsetDeleteResponseTopic topicResponse =
                    new OffsetDeleteResponseData.OffsetDeleteResponseTopic().setName(topic.name());
            boolean subscribed = subscribedTo.test(topic.name());
            for (OffsetDeleteRequestData.OffsetDeleteRequestPartition partition : topic.partitions()) {
                Errors error = subscribed ? Errors.GROUP_SUBSCRIBED_TO_TOPIC : Errors.NONE;
                TopicPartition deleted = partition.partitionIndex() < 0 || topic.name() == null
                        || topic.name().isEmpty() ? null : new TopicPartition(topic.name(), partition.partitionIndex());
                // As Kafka: a tombstone when a committed offset or an open transaction's offset exists.
                if (!subscribed && deleted != null && (store.offset(request.groupId(), deleted) != null
                        || store.hasPendingOffset(request.groupId(), deleted))) {
                    effects.append(CoordinatorRecord.tombstone(
                            new OffsetCommitKey(request.groupId(), topic.name(), partition.partitionIndex())));
                }
                topicResponse.partitions().add(new OffsetDeleteResponseData.OffsetDeleteResponsePartition()
                        .setPartitionIndex(partition.partitionIndex()).setErrorCode(error.code()));
            }
            response.topics().add(topicResponse);
        }
        effects.reply(context.requestId(), response);
    }

    private Errors validate(String groupId) {
        if (groupId == null || groupId.isEmpty()) {
            return Errors.INVALID_GROUP_ID;
        }
        if (store.consumerGroup(groupId) != null) {
            return Errors.NONE; // consumer groups delete offsets of topics no member subscribes to
        }
        ClassicGroup group = store.group(groupId);
        if (group == null || group.isInState(ClassicGroupState.DEAD)) {
            return Errors.GROUP_ID_NOT_FOUND;
        }
        if (!group.isInState(ClassicGroupState.EMPTY) && !group.usesConsumerProtocol()) {
            return Errors.NON_EMPTY_GROUP;
        }
        return Errors.NONE;
    }
}
