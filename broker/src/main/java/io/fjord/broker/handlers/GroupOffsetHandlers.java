package io.fjord.broker.handlers;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.coordinator.driver.ShardCall;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.OffsetCommitRequestData;
import io.fjord.protocol.message.OffsetCommitResponseData;
import io.fjord.protocol.message.OffsetDeleteRequestData;
import io.fjord.protocol.message.OffsetDeleteResponseData;
import io.fjord.protocol.message.OffsetFetchRequestData;
import io.fjord.protocol.message.OffsetFetchResponseData;
import io.fjord.protocol.message.TxnOffsetCommitRequestData;
import io.fjord.protocol.message.TxnOffsetCommitResponseData;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * OffsetCommit, TxnOffsetCommit, OffsetFetch and OffsetDelete. As Kafka's request layer does, commits and deletions for partitions
 * that do not exist are answered UNKNOWN_TOPIC_OR_PARTITION (UNKNOWN_TOPIC_ID for an unknown id) here and never reach
 * the coordinator; an OffsetFetch v8+ naming groups of several shards is split by shard and the answers merged in
 * request order. Thread-safe.
 */
public final class GroupOffsetHandlers {
    private static final KnownPartitions<OffsetCommitRequestData.OffsetCommitRequestTopic,
            OffsetCommitRequestData.OffsetCommitRequestPartition,
            OffsetCommitResponseData.OffsetCommitResponseTopic> COMMIT_PARTITIONS = new KnownPartitions<>(
                    OffsetCommitRequestData.OffsetCommitRequestTopic::partitions,
                    OffsetCommitRequestData.OffsetCommitRequestPartition::partitionIndex,
                    (topic, partitions) -> new OffsetCommitRequestData.OffsetCommitRequestTopic()
                            .setName(topic.name()).setTopicId(topic.topicId()).setPartitions(partitions),
                    (topic, refusals) -> new OffsetCommitResponseData.OffsetCommitResponseTopic()
                            .setName(topic.name()).setTopicId(topic.topicId())
                            .setPartitions(KnownPartitions.answers(refusals, refusal ->
                                    new OffsetCommitResponseData.OffsetCommitResponsePartition()
                                            .setPartitionIndex(refusal.partitionIndex())
                                            .setErrorCode(refusal.error().code()))));
    private static final KnownPartitions<TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic,
            TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition,
            TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic> TXN_COMMIT_PARTITIONS = new KnownPartitions<>(
                    TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic::partitions,
                    TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition::partitionIndex,
                    (topic, partitions) -> new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic()
                            .setName(topic.name()).setTopicId(topic.topicId()).setPartitions(partitions),
                    (topic, refusals) -> new TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic()
                            .setName(topic.name()).setTopicId(topic.topicId())
                            .setPartitions(KnownPartitions.answers(refusals, refusal ->
                                    new TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition()
                                            .setPartitionIndex(refusal.partitionIndex())
                                            .setErrorCode(refusal.error().code()))));
    private static final KnownPartitions<OffsetDeleteRequestData.OffsetDeleteRequestTopic,
            OffsetDeleteRequestData.OffsetDeleteRequestPartition,
            OffsetDeleteResponseData.OffsetDeleteResponseTopic> DELETE_PARTITIONS = new KnownPartitions<>(
                    OffsetDeleteRequestData.OffsetDeleteRequestTopic::partitions,
                    OffsetDeleteRequestData.OffsetDeleteRequestPartition::partitionIndex,
                    (topic, partitions) -> new OffsetDeleteRequestData.OffsetDeleteRequestTopic()
                            .setName(topic.name()).setPartitions(partitions),
                    (topic, refusals) -> new OffsetDeleteResponseData.OffsetDeleteResponseTopic()
                            .setName(topic.name())
                            .setPartitions(KnownPartitions.answers(refusals, refusal ->
                                    new OffsetDeleteResponseData.OffsetDeleteResponsePartition()
                                            .setPartitionIndex(refusal.partitionIndex())
                                            .setErrorCode(refusal.error().code()))));

    private final MetadataCache cache;
    private final GroupRouting routing;

    GroupOffsetHandlers(MetadataCache cache, GroupRouting routing) {
        this.cache = cache;
        this.routing = routing;
    }

    // ---------------------------------------------------------------- OffsetCommit

    public ApiHandler offsetCommit() {
        return (context, request) -> {
            OffsetCommitRequestData body = (OffsetCommitRequestData) request.body();
            boolean byId = request.apiVersion() >= 10;
            KnownPartitions.Split<OffsetCommitRequestData.OffsetCommitRequestTopic,
                    OffsetCommitResponseData.OffsetCommitResponseTopic> split = COMMIT_PARTITIONS.split(body.topics(),
                            KnownPartitions.finder(cache.image(), byId,
                                    OffsetCommitRequestData.OffsetCommitRequestTopic::topicId,
                                    OffsetCommitRequestData.OffsetCommitRequestTopic::name), byId);
            if (split.onlyRefused()) {
                return CompletableFuture.completedFuture(new OffsetCommitResponseData().setTopics(split.refused()));
            }
            body.setTopics(split.kept());
            return routing.submit(context, request, body.groupId(),
                    (shard, shardContext, nowMs) -> shard.offsetCommit(shardContext, body, nowMs),
                    error -> GroupErrorResponses.offsetCommit(body, error))
                    .thenApply(response -> {
                        ((OffsetCommitResponseData) response).topics().addAll(split.refused());
                        return response;
                    });
        };
    }

    // ---------------------------------------------------------------- TxnOffsetCommit

    /**
     * TxnOffsetCommit (KIP-98, KIP-447): partitions of unknown topics are answered here, as Kafka's request layer does
     * (UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_TOPIC_ID from v6); the rest go to the group's shard as a write of the
     * producer's transaction, after the transaction coordinator added the offsets partition to it (v5+, transaction
     * protocol v2) or verified that it is in it (older versions; KIP-890).
     */
    public ApiHandler txnOffsetCommit() {
        return (context, request) -> {
            TxnOffsetCommitRequestData body = (TxnOffsetCommitRequestData) request.body();
            boolean byId = request.apiVersion() >= 6;
            KnownPartitions.Split<TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic,
                    TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic> split = TXN_COMMIT_PARTITIONS.split(
                            body.topics(), KnownPartitions.finder(cache.image(), byId,
                                    TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic::topicId,
                                    TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic::name), byId);
            if (split.onlyRefused()) {
                return CompletableFuture.completedFuture(new TxnOffsetCommitResponseData()
                        .setTopics(split.refused()));
            }
            body.setTopics(split.kept());
            return routing.submitTransactional(context, request, body.groupId(), body.transactionalId(),
                    body.producerId(), body.producerEpoch(),
                    (shard, shardContext, nowMs) -> shard.txnOffsetCommit(shardContext, body, nowMs),
                    error -> GroupErrorResponses.txnOffsetCommit(body, error))
                    .thenApply(response -> {
                        ((TxnOffsetCommitResponseData) response).topics().addAll(split.refused());
                        return response;
                    });
        };
    }

    // ---------------------------------------------------------------- OffsetFetch

    public ApiHandler offsetFetch() {
        return (context, request) -> {
            OffsetFetchRequestData body = (OffsetFetchRequestData) request.body();
            short version = request.apiVersion();
            if (version < 8) {
                ShardCall call = (shard, shardContext, nowMs) -> shard.offsetFetch(shardContext, body, nowMs);
                Function<Errors, ApiMessage> errorResponse = error -> GroupErrorResponses.offsetFetch(version, body,
                        error);
                return body.requireStable() ? routing.submit(context, request, body.groupId(), call, errorResponse)
                        : routing.read(context, request, body.groupId(), call, errorResponse);
            }
            List<CompletableFuture<ApiMessage>> parts = new ArrayList<>();
            for (Map.Entry<Integer, List<OffsetFetchRequestData.OffsetFetchRequestGroup>> entry
                    : routing.byPartition(body.groups(), OffsetFetchRequestData.OffsetFetchRequestGroup::groupId)
                    .entrySet()) {
                OffsetFetchRequestData part = new OffsetFetchRequestData().setGroups(entry.getValue())
                        .setRequireStable(body.requireStable());
                ShardCall call = (shard, shardContext, nowMs) -> shard.offsetFetch(shardContext, part, nowMs);
                Function<Errors, ApiMessage> errorResponse = error -> GroupErrorResponses.offsetFetch(version, part,
                        error);
                // Kafka's rule: require_stable waits for the writes before it, else the committed state answers.
                parts.add(body.requireStable()
                        ? routing.submitToPartition(context, request, entry.getKey(), call, errorResponse)
                        : routing.readPartition(context, request, entry.getKey(), call, errorResponse));
            }
            List<String> order = body.groups().stream().map(OffsetFetchRequestData.OffsetFetchRequestGroup::groupId)
                    .toList();
            return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(done -> {
                List<OffsetFetchResponseData.OffsetFetchResponseGroup> groups = new ArrayList<>();
                parts.forEach(part -> groups.addAll(((OffsetFetchResponseData) part.join()).groups()));
                groups.sort(Comparator.comparingInt(group -> order.indexOf(group.groupId())));
                return new OffsetFetchResponseData().setGroups(groups);
            });
        };
    }

    // ---------------------------------------------------------------- OffsetDelete

    public ApiHandler offsetDelete() {
        return (context, request) -> {
            OffsetDeleteRequestData body = (OffsetDeleteRequestData) request.body();
            MetadataImage image = cache.image();
            KnownPartitions.Split<OffsetDeleteRequestData.OffsetDeleteRequestTopic,
                    OffsetDeleteResponseData.OffsetDeleteResponseTopic> split = DELETE_PARTITIONS.split(body.topics(),
                            topic -> image.topic(topic.name()), false);
            body.setTopics(split.kept());
            return routing.submit(context, request, body.groupId(),
                    (shard, shardContext, nowMs) -> shard.offsetDelete(shardContext, body, nowMs),
                    GroupErrorResponses::offsetDelete)
                    .thenApply(response -> {
                        OffsetDeleteResponseData deleted = (OffsetDeleteResponseData) response;
                        if (deleted.errorCode() == Errors.NONE.code()) {
                            deleted.topics().addAll(split.refused());
                        }
                        return deleted;
                    });
        };
    }
}
