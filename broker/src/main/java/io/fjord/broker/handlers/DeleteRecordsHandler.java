package io.fjord.broker.handlers;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.network.RequestContext;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.DeleteRecordsRequestData;
import io.fjord.protocol.message.DeleteRecordsResponseData;
import io.fjord.storage.LogManager;
import io.fjord.storage.OffsetOutOfRangeException;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.TopicPartition;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * DeleteRecords: moves each partition's log start offset up to the requested offset (-1 means the high watermark);
 * records below it are no longer served, and whole segments below it go with the next retention pass. The answer
 * carries the new low watermark. An offset above the high watermark gets OFFSET_OUT_OF_RANGE, as in Kafka.
 * Thread-safe.
 */
public final class DeleteRecordsHandler implements ApiHandler {
    private static final long HIGH_WATERMARK = -1;

    private final MetadataCache cache;
    private final LogManager logManager;

    public DeleteRecordsHandler(MetadataCache cache, LogManager logManager) {
        this.cache = cache;
        this.logManager = logManager;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DecodedRequest request) {
        DeleteRecordsRequestData body = (DeleteRecordsRequestData) request.body();
        DeleteRecordsResponseData response = new DeleteRecordsResponseData();
        for (DeleteRecordsRequestData.DeleteRecordsTopic topic : body.topics()) {
            DeleteRecordsResponseData.DeleteRecordsTopicResult topicResult =
                    new DeleteRecordsResponseData.DeleteRecordsTopicResult().setName(topic.name());
            response.topics().add(topicResult);
            Optional<TopicImage> image = cache.image().topic(topic.name());
            for (DeleteRecordsRequestData.DeleteRecordsPartition partition : topic.partitions()) {
                topicResult.partitions().add(delete(image, topic.name(), partition));
            }
        }
        return CompletableFuture.completedFuture(response);
    }

    private DeleteRecordsResponseData.DeleteRecordsPartitionResult delete(Optional<TopicImage> topic, String name,
            DeleteRecordsRequestData.DeleteRecordsPartition request) {
        DeleteRecordsResponseData.DeleteRecordsPartitionResult result =
                new DeleteRecordsResponseData.DeleteRecordsPartitionResult().setPartitionIndex(request.partitionIndex())
                        .setLowWatermark(-1);
        PartitionImage partition = topic.map(found -> found.partitions().get(request.partitionIndex())).orElse(null);
        if (partition == null) {
            return result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        Optional<PartitionLog> log = logManager.getLog(new TopicPartition(name, request.partitionIndex()));
        if (partition.leader() != cache.nodeId() || log.isEmpty()) {
            return result.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code());
        }
        long target = request.offset() == HIGH_WATERMARK ? log.get().highWatermark() : request.offset();
        if (target < 0) {
            return result.setErrorCode(Errors.OFFSET_OUT_OF_RANGE.code());
        }
        try {
            log.get().maybeAdvanceLogStartOffset(target);
        } catch (OffsetOutOfRangeException e) {
            return result.setErrorCode(Errors.OFFSET_OUT_OF_RANGE.code());
        }
        return result.setLowWatermark(log.get().logStartOffset());
    }
}
