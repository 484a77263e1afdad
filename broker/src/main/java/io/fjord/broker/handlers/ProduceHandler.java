package io.fjord.broker.handlers;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.network.RequestContext;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.controller.TopicNames;
import io.fjord.metadata.image.TopicImage;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.BufferRecords;
import io.fjord.protocol.message.ProduceRequestData;
import io.fjord.protocol.message.ProduceResponseData;
import io.fjord.protocol.message.ProduceResponseData.PartitionProduceResponse;
import io.fjord.protocol.message.ProduceResponseData.TopicProduceResponse;
import io.fjord.protocol.records.RecordBatchException;
import io.fjord.storage.AppendResult;
import io.fjord.storage.LogManager;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.StorageException;
import io.fjord.storage.TopicPartition;
import java.nio.ByteBuffer;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Produce: validates each partition's batch, appends it as leader, and answers with the base offset (or, for an
 * idempotent retry, the original one). With one node the in-sync replica set is the leader alone, so acks=1 and
 * acks=all are both satisfied by the local append and the high watermark follows the log end; acks=0 gets no
 * response. Internal topics refuse client writes with INVALID_TOPIC_EXCEPTION, as Kafka does (except for the client
 * id {@code __admin_client}). Waiting fetches of a partition are woken after its append. Thread-safe.
 */
public final class ProduceHandler implements ApiHandler {
    /** The client id with which Kafka lets a producer write internal topics. */
    private static final String ADMIN_CLIENT_ID = "__admin_client";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ProduceHandler.class);
    private final MetadataCache cache;
    private final LogManager logManager;
    private final Function<Map<String, String>, Map<String, String>> effectiveTopicConfigs;
    private final Consumer<TopicPartition> partitionChanged;
    private final InstantSource clock;

    /**
     * @param effectiveTopicConfigs a topic's overrides to its effective configs (broker defaults filled in)
     * @param partitionChanged      called after data was appended to a partition (completes waiting fetches)
     */
    public ProduceHandler(MetadataCache cache, LogManager logManager,
                          Function<Map<String, String>, Map<String, String>> effectiveTopicConfigs,
                          Consumer<TopicPartition> partitionChanged, InstantSource clock) {
        this.cache = cache;
        this.logManager = logManager;
        this.effectiveTopicConfigs = effectiveTopicConfigs;
        this.partitionChanged = partitionChanged;
        this.clock = clock;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DecodedRequest request) {
        ProduceRequestData body = (ProduceRequestData) request.body();
        MetadataImage image = cache.image();
        ProduceResponseData response = new ProduceResponseData();
        for (ProduceRequestData.TopicProduceData topicData : body.topicData()) {
            Optional<TopicImage> topic = topicData.name() != null && !topicData.name().isEmpty()
                    ? image.topic(topicData.name()) : image.topic(topicData.topicId());
            TopicProduceResponse topicResponse = new TopicProduceResponse().setName(topicData.name())
                    .setTopicId(topicData.topicId() == null ? new UUID(0, 0) : topicData.topicId());
            response.responses().add(topicResponse);
            Map<String, String> configs = topic.map(found -> effectiveTopicConfigs.apply(image.topicConfig(found.name())))
                    .orElse(Map.of());
            for (ProduceRequestData.PartitionProduceData partitionData : topicData.partitionData()) {
                topicResponse.partitionResponses().add(produce(image, topic, partitionData, configs,
                        topicData.name() == null || topicData.name().isEmpty(),
                        ADMIN_CLIENT_ID.equals(request.clientId()), body.acks()));
            }
        }
        if (body.acks() == 0) {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.completedFuture(response);
    }

    private PartitionProduceResponse produce(MetadataImage image, Optional<TopicImage> topic,
                                             ProduceRequestData.PartitionProduceData partitionData,
                                             Map<String, String> configs, boolean byTopicId,
                                             boolean internalTopicsAllowed, short acks) {
        PartitionProduceResponse result = new PartitionProduceResponse().setIndex(partitionData.index())
                .setBaseOffset(-1).setLogAppendTimeMs(-1).setLogStartOffset(-1);
        PartitionImage partition = topic.map(found -> found.partitions().get(partitionData.index())).orElse(null);
        if (partition == null) {
            return fail(result, byTopicId && topic.isEmpty() ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION,
                    null);
        }
        if (TopicNames.isInternal(topic.get().name()) && !internalTopicsAllowed) {
            // Only coordinators write their topics (and Kafka's admin tools, by their client id).
            return fail(result, Errors.INVALID_TOPIC_EXCEPTION, "Cannot append to internal topic "
                    + topic.get().name());
        }
        if (partition.leader() != cache.nodeId()) {
            return fail(result, Errors.NOT_LEADER_OR_FOLLOWER, null);
        }
        TopicPartition topicPartition = new TopicPartition(topic.get().name(), partition.partitionId());
        Optional<PartitionLog> log = logManager.getLog(topicPartition);
        if (log.isEmpty()) {
            return fail(result, Errors.NOT_LEADER_OR_FOLLOWER, null);
        }
        if (acks != -1 && acks != 0 && acks != 1) {
            // Kafka's replica manager refuses every partition of such a request, appending nothing.
            return fail(result, Errors.INVALID_REQUIRED_ACKS, null);
        }
        if (!(partitionData.records() instanceof BufferRecords records)) {
            return fail(result, Errors.CORRUPT_MESSAGE, "no records");
        }
        try {
            ByteBuffer batch = ProduceValidator.validate(records.buffer(), configs, clock.millis());
            AppendResult appended = log.get().appendAsLeader(batch, partition.leaderEpoch());
            if (!appended.duplicate()) {
                // One node: the in-sync replica set is the leader, so everything appended is committed.
                log.get().updateHighWatermark(log.get().logEndOffset());
                partitionChanged.accept(topicPartition);
            }
            return result.setBaseOffset(appended.firstOffset()).setLogAppendTimeMs(appended.logAppendTimeMs())
                    .setLogStartOffset(appended.logStartOffset());
        } catch (RecordValidationException e) {
            for (RecordValidationException.RecordError recordError : e.recordErrors()) {
                result.recordErrors().add(new ProduceResponseData.BatchIndexAndErrorMessage()
                        .setBatchIndex(recordError.batchIndex()).setBatchIndexErrorMessage(recordError.message()));
            }
            return fail(result, e.error(), e.getMessage());
        } catch (RecordBatchException e) {
            return fail(result, Errors.valueOf(e.kind().name()), e.getMessage());
        } catch (StorageException e) {
            return fail(result, Errors.KAFKA_STORAGE_ERROR, e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("Unexpected failure producing to {}", topicPartition, e);
            return fail(result, Errors.UNKNOWN_SERVER_ERROR, null);
        }
    }

    private static PartitionProduceResponse fail(PartitionProduceResponse result, Errors error, String message) {
        return result.setErrorCode(error.code()).setErrorMessage(message);
    }
}
