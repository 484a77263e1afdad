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
import io.fjord.broker.replica.ReplicaManager;
import io.fjord.broker.verification.ProduceVerification;
import io.fjord.broker.verification.ProduceVerificationErrors.ProduceError;
import io.fjord.storage.AppendResult;
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

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DecodedRequest request) {
        ProduceRequestData body = (ProduceRequestData) request.body();
        MetadataImage image = cache.image();
        ProduceResponseData response = new ProduceResponseData();
        List<ReplicaManager.LeaderAppend> appends = new ArrayList<>();
        List<PartitionProduceResponse> appendResponses = new ArrayList<>();
        for (ProduceRequestData.TopicProduceData topicData : body.topicData()) {
            Optional<TopicImage> topic = topicData.name() != null && !topicData.name().isEmpty()
                    ? image.topic(topicData.name()) : image.topic(topicData.topicId());
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
