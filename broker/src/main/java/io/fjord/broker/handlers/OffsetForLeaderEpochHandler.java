package io.fjord.broker.handlers;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.network.RequestContext;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.OffsetForLeaderEpochRequestData;
import io.fjord.protocol.message.OffsetForLeaderEpochResponseData;
import io.fjord.protocol.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.TopicPartition;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * OffsetForLeaderEpoch (versions 2 to 4, KIP-101/KIP-279/KIP-320): for each partition, where a leader epoch ends in
 * the leader's log. Followers ask it to find a diverging tail; consumers ask it after a leader change to check that
 * their position is still in the log (kafka-clients' {@code validatePositions}).
 *
 * <p>Kafka's rules ({@code ReplicaManager.lastOffsetForLeaderEpoch}): only the leader answers, consumers and followers
 * alike (the request's replica id changes nothing); a partition unknown to the metadata is
 * UNKNOWN_TOPIC_OR_PARTITION, one without a replica here or led elsewhere NOT_LEADER_OR_FOLLOWER, a current leader
 * epoch older than the leader's FENCED_LEADER_EPOCH and newer UNKNOWN_LEADER_EPOCH (this node's metadata lags). Else
 * the answer is the leader-epoch cache's ({@link PartitionLog#endOffsetForEpoch}): the largest epoch at most the
 * requested one and its end offset (the log end offset for the latest epoch), or leader epoch -1 and end offset -1
 * when the requested epoch is above every known one, negative, or the log knows no epoch.
 *
 * <p>Thread-safe; the lookups read only the logs' in-memory epoch caches, so they run on the calling thread.
 */
public final class OffsetForLeaderEpochHandler implements ApiHandler {
    private static final int UNDEFINED_EPOCH = -1;
    private static final long UNDEFINED_EPOCH_OFFSET = -1;

    private final MetadataCache cache;
    private final Function<TopicPartition, Optional<PartitionLog>> logs;

    public OffsetForLeaderEpochHandler(MetadataCache cache, Function<TopicPartition, Optional<PartitionLog>> logs) {
        this.cache = cache;
        this.logs = logs;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DecodedRequest request) {
        return CompletableFuture.completedFuture(
                offsetsForLeaderEpochs((OffsetForLeaderEpochRequestData) request.body()));
    }

    OffsetForLeaderEpochResponseData offsetsForLeaderEpochs(OffsetForLeaderEpochRequestData body) {
        OffsetForLeaderEpochResponseData response = new OffsetForLeaderEpochResponseData();
        for (OffsetForLeaderEpochRequestData.OffsetForLeaderTopic topic : body.topics()) {
            OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult result =
                    new OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult().setTopic(topic.topic());
            for (OffsetForLeaderEpochRequestData.OffsetForLeaderPartition partition : topic.partitions()) {
                result.partitions().add(endOffset(topic.topic(), partition)
                        .setPartition(partition.partition()));
            }
            response.topics().add(result);
        }
        return response;
    }

    private EpochEndOffset endOffset(String topic, OffsetForLeaderEpochRequestData.OffsetForLeaderPartition request) {
        if (topic == null || topic.isEmpty() || request.partition() < 0) {
            return error(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        TopicPartition topicPartition = new TopicPartition(topic, request.partition());
        PartitionImage partition = cache.image().topic(topic).map(TopicImage::partitions)
                .map(partitions -> partitions.get(request.partition())).orElse(null);
        Errors error = PartitionReader.leadershipError(partition, request.currentLeaderEpoch(), cache.nodeId());
        if (error != Errors.NONE) {
            return error(error);
        }
        Optional<PartitionLog> log = logs.apply(topicPartition);
        if (log.isEmpty()) {
            return error(Errors.NOT_LEADER_OR_FOLLOWER);
        }
        return log.get().endOffsetForEpoch(request.leaderEpoch())
                .map(found -> new EpochEndOffset().setErrorCode(Errors.NONE.code())
                        .setLeaderEpoch(found.epoch()).setEndOffset(found.endOffset()))
                .orElseGet(() -> error(Errors.NONE));
    }

    /** An answer without an epoch: Kafka's (-1, -1), with the error or none. */
    private static EpochEndOffset error(Errors error) {
        return new EpochEndOffset().setErrorCode(error.code()).setLeaderEpoch(UNDEFINED_EPOCH)
                .setEndOffset(UNDEFINED_EPOCH_OFFSET);
    }
}
