package io.fjord.broker.coordinator.group.internal;

import io.fjord.broker.coordinator.group.GroupCoordinatorConfig;
import io.fjord.broker.coordinator.group.RequestContext;
import io.fjord.broker.coordinator.group.TopicIdResolver;
import io.fjord.broker.coordinator.group.records.CoordinatorRecord;
import io.fjord.broker.coordinator.group.records.OffsetCommitKey;
import io.fjord.broker.coordinator.group.records.OffsetCommitValue;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.TxnOffsetCommitRequestData;
import io.fjord.protocol.message.TxnOffsetCommitResponseData;
import java.util.UUID;

/**
 * TxnOffsetCommit (KIP-98, KIP-447): a transactional producer commits a group's offsets as part of its transaction.
 * Each accepted partition becomes an OffsetCommit record of the producer's transactional batch, pending for that
 * producer until its marker ends the transaction ({@link GroupStore#replayTransactional}); the response goes once
 * the batch is committed. The consumer group metadata the producer sends is checked as Kafka 4.4 checks it:
 * a missing group is created (a simple group) for generation -1, else ILLEGAL_GENERATION (GROUP_ID_NOT_FOUND from v6,
 * KIP-1319); a classic group checks member id, instance id (FENCED_INSTANCE_ID) and generation (ILLEGAL_GENERATION),
 * accepting a commit without member information at any state (v0-2 carry none) and during a rebalance, unlike
 * OffsetCommit; a KIP-848 group checks the member and its epoch as OffsetCommit does, STALE_MEMBER_EPOCH becoming
 * ILLEGAL_GENERATION before v6. Metadata longer than {@code offset.metadata.max.bytes} is OFFSET_METADATA_TOO_LARGE.
 *
 * <p>Not thread-safe: owned by the shard's thread.
 */
public final class TxnOffsetCommitHandler {
    /** KIP-1319: topic ids, GROUP_ID_NOT_FOUND and STALE_MEMBER_EPOCH. */
    private static final short TOPIC_IDS_VERSION = 6;

    private final GroupCoordinatorConfig config;
    private final GroupStore store;
    private final TopicIdResolver topics;

    public TxnOffsetCommitHandler(GroupCoordinatorConfig config, GroupStore store, TopicIdResolver topics) {
        this.config = config;
        this.store = store;
        this.topics = topics;
    }

    public void handle(RequestContext context, TxnOffsetCommitRequestData request, Effects effects) {
        boolean byId = context.apiVersion() >= TOPIC_IDS_VERSION;
        ConsumerGroup consumerGroup = request.groupId() == null ? null : store.consumerGroup(request.groupId());
        ConsumerOffsetValidation.CommitCheck consumerCheck = consumerGroup == null ? null
                : ConsumerOffsetValidation.transactionalCommitCheck(consumerGroup, request.memberId(),
                        request.generationIdOrMemberEpoch());
        Errors groupError = consumerCheck != null ? staleEpochAs(consumerCheck.groupError(), byId)
                : validateClassic(request, byId);
        TxnOffsetCommitResponseData response = new TxnOffsetCommitResponseData();
        for (TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic topic : request.topics()) {
            String topicName = byId ? topics.topicName(topic.topicId()) : topic.name();
            TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic topicResponse =
                    new TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic();
            if (byId) {
                topicResponse.setTopicId(topic.topicId());
            } else {
                topicResponse.setName(topic.name());
            }
            for (TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition partition : topic.partitions()) {
                Errors error = groupError;
                if (error == Errors.NONE && consumerCheck != null && topicName != null) {
                    UUID topicId = byId ? topic.topicId() : topics.topicId(topicName);
                    error = staleEpochAs(consumerCheck.partitionError(topicId, partition.partitionIndex()), byId);
                }
                if (error == Errors.NONE) {
                    error = commit(request, topicName, byId ? topic.topicId() : null, partition, byId, effects);
                }
                topicResponse.partitions().add(new TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition()
                        .setPartitionIndex(partition.partitionIndex()).setErrorCode(error.code()));
            }
            response.topics().add(topicResponse);
        }
        effects.reply(context.requestId(), response);
    }

    /** Kafka answers a stale member epoch ILLEGAL_GENERATION to TxnOffsetCommit before v6. */
    private static Errors staleEpochAs(Errors error, boolean v6) {
        return error == Errors.STALE_MEMBER_EPOCH && !v6 ? Errors.ILLEGAL_GENERATION : error;
    }

    private Errors commit(TxnOffsetCommitRequestData request, String topicName, UUID topicId,
            TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition partition, boolean byId, Effects effects) {
        Errors error = OffsetCommitChecks.partitionError(topicName, partition.partitionIndex(),
                partition.committedMetadata(), byId, config.offsetMetadataMaxBytes());
        if (error != Errors.NONE) {
            return error;
        }
        String metadata = partition.committedMetadata() == null ? "" : partition.committedMetadata();
        OffsetCommitValue value = new OffsetCommitValue(partition.committedOffset(),
                partition.committedLeaderEpoch() < 0 ? -1 : partition.committedLeaderEpoch(), metadata,
                effects.nowMs(), -1L, topicId);
        effects.appendTransactional(request.producerId(), new CoordinatorRecord(
                new OffsetCommitKey(request.groupId(), topicName, partition.partitionIndex()), value));
        return Errors.NONE;
    }

    /**
     * Kafka's classic-group check of a transactional commit (a missing group is created by the records). Without
     * member information (v0-2) a transactional commit is accepted in any state, and a member's commit during a
     * rebalance too: the transaction, not the generation, decides whether it takes effect.
     */
    private Errors validateClassic(TxnOffsetCommitRequestData request, boolean v6) {
        return OffsetCommitChecks.validateClassic(store, request.groupId(), request.generationIdOrMemberEpoch(),
                request.memberId(), request.groupInstanceId(),
                v6 ? Errors.GROUP_ID_NOT_FOUND : Errors.ILLEGAL_GENERATION, false);
    }
}
