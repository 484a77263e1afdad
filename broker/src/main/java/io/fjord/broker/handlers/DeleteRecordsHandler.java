package io.fjord.broker.handlers;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.network.RequestContext;
import io.fjord.broker.replica.ReplicaManager.DeleteRecordsOutcome;
import io.fjord.metadata.image.TopicImage;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.DeleteRecordsRequestData;
import io.fjord.protocol.message.DeleteRecordsResponseData;
import io.fjord.storage.TopicPartition;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * DeleteRecords, as Kafka's handler: partitions the metadata does not know get UNKNOWN_TOPIC_OR_PARTITION; the rest go
 * to the {@link Deleter} (the replica manager), which moves each leader's log start offset up to the requested offset
 * (-1 means the high watermark) and answers once every live replica's log start offset has reached it (the low
 * watermark), or REQUEST_TIMED_OUT at the request's timeout. Records below it are no longer served, and whole
 * segments below it go with the next retention pass. Errors: NOT_LEADER_OR_FOLLOWER, OFFSET_OUT_OF_RANGE (below 0 or
 * above the high watermark), POLICY_VIOLATION (a compacted topic without delete). Thread-safe.
 */
public final class DeleteRecordsHandler implements ApiHandler {
    /** Where the deletion happens: {@code ReplicaManager::deleteRecords}. */
    @FunctionalInterface
    public interface Deleter {
        CompletableFuture<Map<TopicPartition, DeleteRecordsOutcome>> deleteRecords(long timeoutMs,
                                                                                   Map<TopicPartition, Long> offsets);
    }

    private final MetadataCache cache;
    private final Deleter deleter;

    public DeleteRecordsHandler(MetadataCache cache, Deleter deleter) {
        this.cache = cache;
        this.deleter = deleter;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DecodedRequest request) {
        DeleteRecordsRequestData body = (DeleteRecordsRequestData) request.body();
        Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
        for (DeleteRecordsRequestData.DeleteRecordsTopic topic : body.topics()) {
            Optional<TopicImage> image = topic.name() == null ? Optional.empty() : cache.image().topic(topic.name());
            for (DeleteRecordsRequestData.DeleteRecordsPartition partition : topic.partitions()) {
                boolean known = image.map(found -> found.partitions().containsKey(partition.partitionIndex()))
                        .orElse(false);
                if (known) {
                    offsets.put(new TopicPartition(topic.name(), partition.partitionIndex()), partition.offset());
                }
            }
        }
        CompletableFuture<Map<TopicPartition, DeleteRecordsOutcome>> deleted = offsets.isEmpty()
                ? CompletableFuture.completedFuture(Map.of()) : deleter.deleteRecords(body.timeoutMs(), offsets);
        return deleted.thenApply(outcomes -> response(body, outcomes));
    }

    private static ApiMessage response(DeleteRecordsRequestData body,
                                       Map<TopicPartition, DeleteRecordsOutcome> outcomes) {
        DeleteRecordsResponseData response = new DeleteRecordsResponseData();
        for (DeleteRecordsRequestData.DeleteRecordsTopic topic : body.topics()) {
            DeleteRecordsResponseData.DeleteRecordsTopicResult topicResult =
                    new DeleteRecordsResponseData.DeleteRecordsTopicResult().setName(topic.name());
            response.topics().add(topicResult);
            for (DeleteRecordsRequestData.DeleteRecordsPartition partition : topic.partitions()) {
                // Partitions the metadata did not know (an empty name, a negative index among them) have no outcome.
                boolean valid = topic.name() != null && !topic.name().isEmpty() && partition.partitionIndex() >= 0;
                DeleteRecordsOutcome outcome = valid
                        ? outcomes.get(new TopicPartition(topic.name(), partition.partitionIndex())) : null;
                DeleteRecordsResponseData.DeleteRecordsPartitionResult result =
                        new DeleteRecordsResponseData.DeleteRecordsPartitionResult()
                                .setPartitionIndex(partition.partitionIndex());
                if (outcome == null) {
                    result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()).setLowWatermark(-1);
                } else {
                    result.setErrorCode(outcome.error().code()).setLowWatermark(outcome.lowWatermark());
                }
                topicResult.partitions().add(result);
            }
        }
        return response;
    }
}
