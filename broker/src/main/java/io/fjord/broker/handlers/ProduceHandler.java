package io.fjord.broker.handlers;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.config.TopicConfigs;
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
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatchException;
import io.fjord.protocol.records.RecordBatches;
import io.fjord.broker.replica.ReplicaManager;
import io.fjord.broker.verification.ProduceVerification;
import io.fjord.broker.verification.ProduceVerificationErrors.ProduceError;
import io.fjord.storage.AppendResult;
import io.fjord.storage.LogConfig;
import io.fjord.storage.TopicPartition;
import java.nio.ByteBuffer;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Produce: validates each partition's batch and appends the valid ones through the {@link ReplicaManager}, which
 * answers as the request's acks ask: acks=1 after the leader's append, acks=all (-1) once the high watermark passes
 * the batch (so the response may come later), acks=0 not at all. Each partition answers with its base offset (or, for
 * an idempotent retry, the original one) or its error. Internal topics refuse client writes with
 * INVALID_TOPIC_EXCEPTION, as Kafka does (except for the client id {@code __admin_client}). Transactional batches go
 * through {@link ProduceVerification} first (KIP-890): the partitions it could not verify answer its error, the others
 * are appended with their guards once the coordinator answered, on the request handler threads (no thread waits for
 * the coordinator). Thread-safe.
 */
public final class ProduceHandler implements ApiHandler {
    /**
     * The most record bytes a produce may carry and still run on the network thread: a CRC check of 1 MiB takes well
     * under a millisecond; a larger request is checked on a request handler.
     */
    static final int NETWORK_THREAD_RECORD_BYTES_MAX = 1024 * 1024;
    /** The client id with which Kafka lets a producer write internal topics. */
    private static final String ADMIN_CLIENT_ID = "__admin_client";
    private final MetadataCache cache;
    private final ReplicaManager replicaManager;
    private final Function<Map<String, String>, Map<String, String>> effectiveTopicConfigs;
    private final InstantSource clock;
    private final ProduceVerification verification;
    private final Executor appendExecutor;

    /** Without transaction verification (Kafka's {@code transaction.partition.verification.enable=false}). */
    public ProduceHandler(MetadataCache cache, ReplicaManager replicaManager,
                          Function<Map<String, String>, Map<String, String>> effectiveTopicConfigs,
                          InstantSource clock) {
        this(cache, replicaManager, effectiveTopicConfigs, clock, null, Runnable::run);
    }

    /**
     * @param effectiveTopicConfigs a topic's overrides to its effective configs (broker defaults filled in)
     * @param verification          KIP-890 verification of transactional batches; null: none
     * @param appendExecutor        where appends run once a verification answered (the request handler threads)
     */
    public ProduceHandler(MetadataCache cache, ReplicaManager replicaManager,
                          Function<Map<String, String>, Map<String, String>> effectiveTopicConfigs,
                          InstantSource clock, ProduceVerification verification, Executor appendExecutor) {
        this.cache = cache;
        this.replicaManager = replicaManager;
        this.effectiveTopicConfigs = effectiveTopicConfigs;
        this.clock = clock;
        this.verification = verification;
        this.appendExecutor = appendExecutor;
    }

    /**
     * Whether this Produce may run on the network thread that read it ({@link io.fjord.broker.BrokerDispatcher}):
     * when nothing in it can hold that thread long. It has no transactional id (a transactional produce may wait for
     * the coordinator's verification), at most {@link #NETWORK_THREAD_RECORD_BYTES_MAX} record bytes, only
     * uncompressed v2 batches (a CRC check, no decompression), and every topic in it keeps them as they are
     * ({@code compression.type} producer or uncompressed: no re-compression) and does not fsync on append
     * ({@code flush.messages} unset). Rare events still happen there and can hold the thread briefly: a segment
     * roll, or an append waiting for the partition's lock while a leadership change writes its epoch checkpoint (as
     * a follower's fetch, already served there, can). Anything the check cannot read says no, and the handlers answer
     * it as usual.
     */
    public boolean appendsOnNetworkThread(DecodedRequest request) {
        if (!(request.body() instanceof ProduceRequestData body) || body.transactionalId() != null) {
            return false;
        }
        MetadataImage image = cache.image();
        long recordBytes = 0;
        for (ProduceRequestData.TopicProduceData topicData : body.topicData()) {
            Optional<TopicImage> topic = topicOf(image, topicData);
            if (topic.isEmpty() || !keepsBatchesAsTheyAre(
                    effectiveTopicConfigs.apply(image.topicConfig(topic.get().name())))) {
                return false;
            }
            for (ProduceRequestData.PartitionProduceData partitionData : topicData.partitionData()) {
                if (!(partitionData.records() instanceof BufferRecords records)) {
                    return false;
                }
                recordBytes += records.buffer().remaining();
                if (recordBytes > NETWORK_THREAD_RECORD_BYTES_MAX || !uncompressedV2(records.buffer())) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The topic a request names, by name or (Produce v13+) by id. */
    private static Optional<TopicImage> topicOf(MetadataImage image, ProduceRequestData.TopicProduceData topicData) {
        return topicData.name() != null && !topicData.name().isEmpty() ? image.topic(topicData.name())
                : image.topic(topicData.topicId());
    }

    private static boolean keepsBatchesAsTheyAre(Map<String, String> configs) {
        String compression = configs.getOrDefault(TopicConfigs.COMPRESSION_TYPE, "producer");
        String flushMessages = configs.get(LogConfig.FLUSH_MESSAGES);
        return (compression.equals("producer") || compression.equals("uncompressed"))
                && (flushMessages == null || neverFlushes(flushMessages));
    }

    private static boolean neverFlushes(String flushMessages) {
        try {
            return Long.parseLong(flushMessages.trim()) == Long.MAX_VALUE;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean uncompressedV2(ByteBuffer buffer) {
        int batches = 0;
        for (RecordBatch batch : RecordBatches.of(buffer)) {
            if (batch.magic() != RecordBatch.MAGIC_V2 || batch.compressionType() != CompressionType.NONE) {
                return false;
            }
            batches++;
        }
        return batches > 0;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DecodedRequest request) {
        ProduceRequestData body = (ProduceRequestData) request.body();
        MetadataImage image = cache.image();
        ProduceResponseData response = new ProduceResponseData();
        List<ReplicaManager.LeaderAppend> appends = new ArrayList<>();
        List<PartitionProduceResponse> appendResponses = new ArrayList<>();
        for (ProduceRequestData.TopicProduceData topicData : body.topicData()) {
            Optional<TopicImage> topic = topicOf(image, topicData);
            TopicProduceResponse topicResponse = new TopicProduceResponse().setName(topicData.name())
                    .setTopicId(topicData.topicId() == null ? new UUID(0, 0) : topicData.topicId());
            response.responses().add(topicResponse);
            Map<String, String> configs = topic.map(found -> effectiveTopicConfigs.apply(image.topicConfig(found.name())))
                    .orElse(Map.of());
            for (ProduceRequestData.PartitionProduceData partitionData : topicData.partitionData()) {
                PartitionProduceResponse result = new PartitionProduceResponse().setIndex(partitionData.index())
                        .setBaseOffset(-1).setLogAppendTimeMs(-1).setLogStartOffset(-1);
                topicResponse.partitionResponses().add(result);
                ByteBuffer batch = validate(result, image, topic, partitionData, configs,
                        topicData.name() == null || topicData.name().isEmpty(),
                        ADMIN_CLIENT_ID.equals(request.clientId()), body.acks());
                if (batch != null) {
                    appends.add(new ReplicaManager.LeaderAppend(new TopicPartition(topic.get().name(),
                            partitionData.index()), batch));
                    appendResponses.add(result);
                }
            }
        }
        CompletableFuture<ProduceVerification.Prepared> prepared = verification == null || appends.isEmpty()
                ? CompletableFuture.completedFuture(ProduceVerification.unverified(appends))
                : verification.prepare(body.transactionalId(), request.apiVersion(), appends);
        // Appends run on this thread when nothing was verified remotely, else on the request handler threads.
        CompletableFuture<ApiMessage> answered = prepared.isDone()
                ? prepared.thenCompose(ready -> appendPrepared(body, response, appendResponses, ready))
                : prepared.thenComposeAsync(ready -> appendPrepared(body, response, appendResponses, ready),
                        appendExecutor);
        return answered;
    }

    private CompletableFuture<ApiMessage> appendPrepared(ProduceRequestData body, ProduceResponseData response,
                                                         List<PartitionProduceResponse> appendResponses,
                                                         ProduceVerification.Prepared prepared) {
        if (prepared.requestError() != Errors.NONE) {
            // Kafka answers such a request whole with the error: every partition carries it.
            response.responses().forEach(topic -> topic.partitionResponses().forEach(partition -> partition
                    .setErrorCode(prepared.requestError().code()).setErrorMessage(null).setBaseOffset(-1)
                    .recordErrors().clear()));
            return CompletableFuture.completedFuture(body.acks() == 0 ? null : response);
        }
        List<ReplicaManager.LeaderAppend> appends = new ArrayList<>();
        List<PartitionProduceResponse> appended = new ArrayList<>();
        for (int i = 0; i < prepared.appends().size(); i++) {
            ProduceError error = prepared.errors().get(i);
            if (error != null) {
                fail(appendResponses.get(i), error.error(), error.message());
            } else {
                appends.add(prepared.appends().get(i));
                appended.add(appendResponses.get(i));
            }
        }
        CompletableFuture<List<ReplicaManager.AppendOutcome>> outcomes = appends.isEmpty()
                ? CompletableFuture.completedFuture(List.of())
                : replicaManager.appendRecords(body.acks(), body.timeoutMs(), appends);
        return outcomes.thenApply(results -> {
            for (int i = 0; i < results.size(); i++) {
                answer(appended.get(i), results.get(i));
            }
            return body.acks() == 0 ? null : response;
        });
    }

    /** Checks one partition's batch; returns it validated, or null after setting the partition's error. */
    private ByteBuffer validate(PartitionProduceResponse result, MetadataImage image, Optional<TopicImage> topic,
                                ProduceRequestData.PartitionProduceData partitionData,
                                Map<String, String> configs, boolean byTopicId,
                                boolean internalTopicsAllowed, short acks) {
        PartitionImage partition = topic.map(found -> found.partitions().get(partitionData.index())).orElse(null);
        if (partition == null) {
            return fail(result, byTopicId && topic.isEmpty() ? Errors.UNKNOWN_TOPIC_ID
                    : Errors.UNKNOWN_TOPIC_OR_PARTITION, null);
        }
        if (TopicNames.isInternal(topic.get().name()) && !internalTopicsAllowed) {
            // Only coordinators write their topics (and Kafka's admin tools, by their client id).
            return fail(result, Errors.INVALID_TOPIC_EXCEPTION, "Cannot append to internal topic "
                    + topic.get().name());
        }
        if (partition.leader() != cache.nodeId()) {
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
            return ProduceValidator.validate(records.buffer(), configs, clock.millis());
        } catch (RecordValidationException e) {
            for (RecordValidationException.RecordError recordError : e.recordErrors()) {
                result.recordErrors().add(new ProduceResponseData.BatchIndexAndErrorMessage()
                        .setBatchIndex(recordError.batchIndex()).setBatchIndexErrorMessage(recordError.message()));
            }
            return fail(result, e.error(), e.getMessage());
        } catch (RecordBatchException e) {
            return fail(result, Errors.valueOf(e.kind().name()), e.getMessage());
        }
    }

    private static void answer(PartitionProduceResponse result, ReplicaManager.AppendOutcome outcome) {
        if (outcome.error() != Errors.NONE) {
            result.setErrorCode(outcome.error().code()).setErrorMessage(outcome.errorMessage());
            return;
        }
        AppendResult appended = outcome.result();
        result.setBaseOffset(appended.firstOffset()).setLogAppendTimeMs(appended.logAppendTimeMs())
                .setLogStartOffset(appended.logStartOffset());
    }

    private static ByteBuffer fail(PartitionProduceResponse result, Errors error, String message) {
        result.setErrorCode(error.code()).setErrorMessage(message);
        return null;
    }
}
