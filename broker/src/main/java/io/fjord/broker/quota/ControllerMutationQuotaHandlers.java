package io.fjord.broker.quota;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.handlers.ApiHandler;
import io.fjord.broker.network.RequestContext;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.CreatePartitionsRequestData;
import io.fjord.protocol.message.CreatePartitionsResponseData;
import io.fjord.protocol.message.CreateTopicsRequestData;
import io.fjord.protocol.message.CreateTopicsResponseData;
import io.fjord.protocol.message.DeleteTopicsRequestData;
import io.fjord.protocol.message.DeleteTopicsResponseData;
import io.fjord.protocol.message.ThrottledResponse;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.IntSupplier;

/**
 * Enforces {@code controller_mutation_rate} (KIP-599) on CreateTopics, CreatePartitions and DeleteTopics at the broker
 * that receives them, before they go to the controller. Each topic's partitions count against the client's quota
 * ({@link ControllerMutationQuota}), in request order: the partitions a topic creates (its assignments, its
 * {@code num_partitions}, or {@code num.partitions} for -1), the partitions CreatePartitions adds, the partitions of a
 * deleted topic. Topics the controller will refuse anyway (one that exists already or does not exist, per this
 * broker's image; a name given twice) are not counted. A topic a strict quota refuses is answered
 * THROTTLING_QUOTA_EXCEEDED and not sent on; the response carries the quota's throttle time, and the connection is
 * muted for it, as Kafka's {@code sendResponseMaybeThrottleWithControllerQuota} does.
 *
 * <p>Kafka measures this quota on the active controller, to which brokers forward the request with the client's
 * principal and client id in an envelope; Fjord forwards without an envelope, so each broker measures what it
 * receives (a client spreading its requests over n brokers gets up to n times its rate).
 *
 * <p>Stateless; thread-safe (the quota manager is).
 */
public final class ControllerMutationQuotaHandlers {
    /** Kafka's {@code strictSinceVersion} per API. */
    static final short CREATE_TOPICS_STRICT_SINCE = 6;
    static final short CREATE_PARTITIONS_STRICT_SINCE = 3;
    static final short DELETE_TOPICS_STRICT_SINCE = 5;
    private static final String MESSAGE = Errors.THROTTLING_QUOTA_EXCEEDED.message();
    private static final UUID ZERO_ID = new UUID(0, 0);

    private final ControllerMutationQuotaManager quotas;
    private final MetadataCache cache;
    private final IntSupplier defaultPartitions;
    private final InstantSource clock;

    /** @param defaultPartitions {@code num.partitions}, the partitions of a topic created with -1 */
    public ControllerMutationQuotaHandlers(ControllerMutationQuotaManager quotas, MetadataCache cache,
            IntSupplier defaultPartitions, InstantSource clock) {
        this.quotas = quotas;
        this.cache = cache;
        this.defaultPartitions = defaultPartitions;
        this.clock = clock;
    }

    public ApiHandler createTopics(ApiHandler handler) {
        return (context, request) -> {
            ControllerMutationQuota quota = quota(context, request, CREATE_TOPICS_STRICT_SINCE);
            if (!quota.bounded()) {
                return handler.handle(context, request);
            }
            CreateTopicsRequestData body = (CreateTopicsRequestData) request.body();
            MetadataImage image = cache.image();
            Set<String> repeated = repeatedNames(body.topics().stream()
                    .map(CreateTopicsRequestData.CreatableTopic::name).toList());
            List<CreateTopicsRequestData.CreatableTopic> accepted = new ArrayList<>();
            CreateTopicsResponseData refused = new CreateTopicsResponseData();
            for (CreateTopicsRequestData.CreatableTopic topic : body.topics()) {
                int partitions = !topic.assignments().isEmpty() ? topic.assignments().size()
                        : topic.numPartitions() == -1 ? defaultPartitions.getAsInt() : topic.numPartitions();
                boolean counted = partitions > 0 && !repeated.contains(topic.name())
                        && image.topic(topic.name()).isEmpty();
                if (!counted || quota.tryRecord(partitions, clock.millis())) {
                    accepted.add(topic);
                } else {
                    refused.topics().add(new CreateTopicsResponseData.CreatableTopicResult().setName(topic.name())
                            .setErrorCode(Errors.THROTTLING_QUOTA_EXCEEDED.code()).setErrorMessage(MESSAGE)
                            .setNumPartitions(-1).setReplicationFactor((short) -1));
                }
            }
            if (refused.topics().isEmpty()) {
                return throttled(context, quota, handler.handle(context, request));
            }
            body.setTopics(accepted);
            return throttled(context, quota, sendOn(context, request, handler, accepted.isEmpty(), refused,
                    (response, answers) -> ((CreateTopicsResponseData) response).topics().addAll(answers.topics())));
        };
    }

    public ApiHandler createPartitions(ApiHandler handler) {
        return (context, request) -> {
            ControllerMutationQuota quota = quota(context, request, CREATE_PARTITIONS_STRICT_SINCE);
            if (!quota.bounded()) {
                return handler.handle(context, request);
            }
            CreatePartitionsRequestData body = (CreatePartitionsRequestData) request.body();
            MetadataImage image = cache.image();
            Set<String> repeated = repeatedNames(body.topics().stream()
                    .map(CreatePartitionsRequestData.CreatePartitionsTopic::name).toList());
            List<CreatePartitionsRequestData.CreatePartitionsTopic> accepted = new ArrayList<>();
            CreatePartitionsResponseData refused = new CreatePartitionsResponseData();
            for (CreatePartitionsRequestData.CreatePartitionsTopic topic : body.topics()) {
                int added = image.topic(topic.name()).map(existing -> topic.count() - existing.partitionCount())
                        .orElse(0);
                boolean counted = added > 0 && !repeated.contains(topic.name());
                if (!counted || quota.tryRecord(added, clock.millis())) {
                    accepted.add(topic);
                } else {
                    refused.results().add(new CreatePartitionsResponseData.CreatePartitionsTopicResult()
                            .setName(topic.name()).setErrorCode(Errors.THROTTLING_QUOTA_EXCEEDED.code())
                            .setErrorMessage(MESSAGE));
                }
            }
            if (refused.results().isEmpty()) {
                return throttled(context, quota, handler.handle(context, request));
            }
            body.setTopics(accepted);
            return throttled(context, quota, sendOn(context, request, handler, accepted.isEmpty(), refused,
                    (response, answers) -> ((CreatePartitionsResponseData) response).results()
                            .addAll(answers.results())));
        };
    }

    public ApiHandler deleteTopics(ApiHandler handler) {
        return (context, request) -> {
            ControllerMutationQuota quota = quota(context, request, DELETE_TOPICS_STRICT_SINCE);
            if (!quota.bounded()) {
                return handler.handle(context, request);
            }
            DeleteTopicsRequestData body = (DeleteTopicsRequestData) request.body();
            MetadataImage image = cache.image();
            DeleteTopicsResponseData refused = new DeleteTopicsResponseData();
            List<String> acceptedNames = new ArrayList<>();
            for (String name : body.topicNames()) {
                Optional<TopicImage> topic = image.topic(name);
                if (accept(quota, topic)) {
                    acceptedNames.add(name);
                } else {
                    refused.responses().add(refusal(name, topic.get().topicId()));
                }
            }
            List<DeleteTopicsRequestData.DeleteTopicState> acceptedStates = new ArrayList<>();
            for (DeleteTopicsRequestData.DeleteTopicState state : body.topics()) {
                boolean byId = state.topicId() != null && !ZERO_ID.equals(state.topicId());
                Optional<TopicImage> topic = state.name() != null && !byId ? image.topic(state.name())
                        : state.name() == null && byId ? image.topic(state.topicId()) : Optional.empty();
                if (accept(quota, topic)) {
                    acceptedStates.add(state);
                } else {
                    refused.responses().add(refusal(state.name(), topic.get().topicId()));
                }
            }
            if (refused.responses().isEmpty()) {
                return throttled(context, quota, handler.handle(context, request));
            }
            body.setTopicNames(acceptedNames).setTopics(acceptedStates);
            return throttled(context, quota, sendOn(context, request, handler,
                    acceptedNames.isEmpty() && acceptedStates.isEmpty(), refused,
                    (response, answers) -> ((DeleteTopicsResponseData) response).responses()
                            .addAll(answers.responses())));
        };
    }

    private boolean accept(ControllerMutationQuota quota, Optional<TopicImage> topic) {
        // An unknown topic is the controller's to answer; it deletes nothing.
        return topic.isEmpty() || quota.tryRecord(topic.get().partitionCount(), clock.millis());
    }

    private static DeleteTopicsResponseData.DeletableTopicResult refusal(String name, UUID topicId) {
        return new DeleteTopicsResponseData.DeletableTopicResult().setName(name).setTopicId(topicId)
                .setErrorCode(Errors.THROTTLING_QUOTA_EXCEEDED.code()).setErrorMessage(MESSAGE);
    }

    private ControllerMutationQuota quota(RequestContext context, DecodedRequest request, short strictSince) {
        return quotas.newQuotaFor(context.principal().name(), request.clientId(), request.apiVersion(), strictSince,
                clock.millis());
    }

    /** Names given more than once: the controller refuses all of them (INVALID_REQUEST), so none counts. */
    private static Set<String> repeatedNames(List<String> names) {
        Set<String> seen = new HashSet<>();
        Set<String> repeated = new HashSet<>();
        for (String name : names) {
            if (!seen.add(name)) {
                repeated.add(name);
            }
        }
        return repeated;
    }

    /** Merges refused topics' answers into the controller's response. */
    @FunctionalInterface
    private interface Merge<R extends ApiMessage> {
        void add(ApiMessage response, R refused);
    }

    /** The accepted topics go on to the controller (none left: answered here), the refused ones merged in. */
    private static <R extends ApiMessage> CompletionStage<ApiMessage> sendOn(RequestContext context,
            DecodedRequest request, ApiHandler handler, boolean nothingAccepted, R refused, Merge<R> merge) {
        if (nothingAccepted) {
            return CompletableFuture.completedFuture(refused);
        }
        return handler.handle(context, request).thenApply(response -> {
            if (response != null && response.getClass() == refused.getClass()) {
                merge.add(response, refused);
            }
            return response;
        });
    }

    /** The response with the quota's throttle time, the connection muted for it. */
    private CompletionStage<ApiMessage> throttled(RequestContext context, ControllerMutationQuota quota,
            CompletionStage<ApiMessage> answer) {
        return answer.thenApply(response -> {
            int throttleTimeMs = quota.throttleTimeMs(clock.millis());
            if (throttleTimeMs > 0) {
                if (response instanceof ThrottledResponse throttledResponse) {
                    throttledResponse.setThrottleTimeMs(Math.max(throttledResponse.throttleTimeMs(),
                            throttleTimeMs));
                }
                context.throttle().muteFor(throttleTimeMs);
            }
            return response;
        });
    }
}
