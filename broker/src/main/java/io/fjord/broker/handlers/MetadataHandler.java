package io.fjord.broker.handlers;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.network.RequestContext;
import io.fjord.metadata.controller.TopicNames;
import io.fjord.metadata.image.BrokerImage;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.metadata.records.RegisterBrokerRecord.BrokerEndpoint;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.CreateTopicsRequestData;
import io.fjord.protocol.message.MetadataRequestData;
import io.fjord.protocol.message.MetadataResponseData;
import io.fjord.protocol.message.MetadataResponseData.MetadataResponsePartition;
import io.fjord.protocol.message.MetadataResponseData.MetadataResponseTopic;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Metadata: brokers on the request's listener, the cluster id, the controller, and the requested topics (all of them
 * for a null list, or for an empty one at version 0, as Kafka) with partitions, leaders, replicas and in-sync replicas.
 * From v12 a request naming topic ids is answered by id (names ignored, as Kafka does).
 * Unknown topics are created when the client allows it and {@code auto.create.topics.enable} is on (answering
 * LEADER_NOT_AVAILABLE meanwhile, as Kafka does), otherwise answered with UNKNOWN_TOPIC_OR_PARTITION. An internal
 * topic is created only where a coordinator defines it ({@code __consumer_offsets}, with its own settings, as Kafka's
 * auto-creation does). Thread-safe.
 */
public final class MetadataHandler implements ApiHandler {
    private static final int AUTHORIZED_OPERATIONS_OMITTED = Integer.MIN_VALUE;
    private static final UUID ZERO_ID = new UUID(0, 0);

    private final MetadataCache cache;
    private final boolean autoCreateTopics;
    private final Function<CreateTopicsRequestData, CompletionStage<?>> createTopics;
    private final Function<String, Optional<CreateTopicsRequestData.CreatableTopic>> internalTopics;

    public MetadataHandler(MetadataCache cache, boolean autoCreateTopics,
                           Function<CreateTopicsRequestData, CompletionStage<?>> createTopics) {
        this(cache, autoCreateTopics, createTopics, name -> Optional.empty());
    }

    /**
     * @param internalTopics how an internal topic is created, by name; empty for those no coordinator defines
     */
    public MetadataHandler(MetadataCache cache, boolean autoCreateTopics,
                           Function<CreateTopicsRequestData, CompletionStage<?>> createTopics,
                           Function<String, Optional<CreateTopicsRequestData.CreatableTopic>> internalTopics) {
        this.cache = cache;
        this.autoCreateTopics = autoCreateTopics;
        this.createTopics = createTopics;
        this.internalTopics = internalTopics;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DecodedRequest request) {
        MetadataRequestData body = (MetadataRequestData) request.body();
        if (request.apiVersion() < 12 && body.topics() != null && body.topics().stream()
                .anyMatch(topic -> topic.name() == null || hasTopicId(topic))) {
            return CompletableFuture.completedFuture(invalidRequest(body));
        }
        MetadataImage image = cache.image();
        MetadataResponseData response = new MetadataResponseData().setClusterId(cache.clusterId())
                .setControllerId(cache.nodeId()).setClusterAuthorizedOperations(AUTHORIZED_OPERATIONS_OMITTED);
        for (BrokerImage broker : image.brokers().values()) {
            Optional<BrokerEndpoint> endpoint = Endpoints.on(broker, context.listenerName());
            if (broker.fenced() || endpoint.isEmpty()) {
                continue;
            }
            response.brokers().add(new MetadataResponseData.MetadataResponseBroker().setNodeId(broker.brokerId())
                    .setHost(endpoint.get().host()).setPort(endpoint.get().port()).setRack(broker.rack()));
        }
        // Version 0 has no null list: there an empty list asks for every topic.
        if (body.topics() == null || (request.apiVersion() == 0 && body.topics().isEmpty())) {
            image.topicsByName().values().stream().sorted((left, right) -> left.name().compareTo(right.name()))
                    .forEach(topic -> response.topics().add(describe(topic)));
            return CompletableFuture.completedFuture(response);
        }
        if (request.apiVersion() >= 12 && body.topics().stream().anyMatch(MetadataHandler::hasTopicId)) {
            describeByTopicId(body, image, response);
            return CompletableFuture.completedFuture(response);
        }
        List<String> toCreate = new ArrayList<>();
        for (MetadataRequestData.MetadataRequestTopic requested : body.topics()) {
            Optional<TopicImage> topic = requested.name() != null ? image.topic(requested.name())
                    : image.topic(requested.topicId());
            if (topic.isPresent()) {
                response.topics().add(describe(topic.get()));
                continue;
            }
            MetadataResponseTopic missing = new MetadataResponseTopic().setName(requested.name())
                    .setTopicId(requested.topicId() == null ? new UUID(0, 0) : requested.topicId())
                    .setTopicAuthorizedOperations(AUTHORIZED_OPERATIONS_OMITTED);
            if (requested.name() == null) {
                missing.setErrorCode(Errors.UNKNOWN_TOPIC_ID.code());
            } else if (TopicNames.validate(requested.name()).isPresent()) {
                missing.setErrorCode(Errors.INVALID_TOPIC_EXCEPTION.code());
            } else if (autoCreateTopics && body.allowAutoTopicCreation()
                    && (!TopicNames.isInternal(requested.name())
                            || internalTopics.apply(requested.name()).isPresent())) {
                missing.setErrorCode(Errors.LEADER_NOT_AVAILABLE.code());
                toCreate.add(requested.name());
            } else {
                missing.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
            }
            response.topics().add(missing);
        }
        if (toCreate.isEmpty()) {
            return CompletableFuture.completedFuture(response);
        }
        CreateTopicsRequestData creation = new CreateTopicsRequestData();
        for (String name : toCreate) {
            creation.topics().add(internalTopics.apply(name).orElseGet(() -> new CreateTopicsRequestData
                    .CreatableTopic().setName(name).setNumPartitions(-1).setReplicationFactor((short) -1)));
        }
        // Answer once the creation is durable, still with LEADER_NOT_AVAILABLE: the client asks again.
        return createTopics.apply(creation).handle((ignored, error) -> response);
    }

    /**
     * Kafka's answer to topic ids or null names before v12 (whose responses have neither): every topic named (a null
     * name as "") with INVALID_REQUEST, nothing else.
     */
    private static MetadataResponseData invalidRequest(MetadataRequestData body) {
        MetadataResponseData response = new MetadataResponseData();
        for (MetadataRequestData.MetadataRequestTopic requested : body.topics()) {
            response.topics().add(new MetadataResponseTopic()
                    .setName(requested.name() == null ? "" : requested.name())
                    .setTopicId(requested.topicId() == null ? ZERO_ID : requested.topicId())
                    .setErrorCode(Errors.INVALID_REQUEST.code()));
        }
        return response;
    }

    private static boolean hasTopicId(MetadataRequestData.MetadataRequestTopic requested) {
        return requested.topicId() != null && !ZERO_ID.equals(requested.topicId());
    }

    /**
     * A request naming topic ids (v12+; the consumer of a regex subscription asks so for its assigned topics) is
     * answered by id, as Kafka does: names are ignored (clients leave them empty), entries without an id skipped,
     * each id once, an unknown id UNKNOWN_TOPIC_ID, nothing created.
     */
    private static void describeByTopicId(MetadataRequestData body, MetadataImage image,
            MetadataResponseData response) {
        Set<UUID> seen = new HashSet<>();
        for (MetadataRequestData.MetadataRequestTopic requested : body.topics()) {
            if (!hasTopicId(requested) || !seen.add(requested.topicId())) {
                continue;
            }
            Optional<TopicImage> topic = image.topic(requested.topicId());
            response.topics().add(topic.map(MetadataHandler::describe).orElseGet(() -> new MetadataResponseTopic()
                    .setName(null).setTopicId(requested.topicId()).setErrorCode(Errors.UNKNOWN_TOPIC_ID.code())
                    .setTopicAuthorizedOperations(AUTHORIZED_OPERATIONS_OMITTED)));
        }
    }

    private static MetadataResponseTopic describe(TopicImage topic) {
        MetadataResponseTopic result = new MetadataResponseTopic().setName(topic.name()).setTopicId(topic.topicId())
                .setIsInternal(TopicNames.isInternal(topic.name()))
                .setTopicAuthorizedOperations(AUTHORIZED_OPERATIONS_OMITTED);
        for (PartitionImage partition : topic.partitions().values()) {
            result.partitions().add(new MetadataResponsePartition().setPartitionIndex(partition.partitionId())
                    .setLeaderId(partition.leader()).setLeaderEpoch(partition.leaderEpoch())
                    .setReplicaNodes(new ArrayList<>(partition.replicas()))
                    .setIsrNodes(new ArrayList<>(partition.isr()))
                    .setErrorCode(partition.leader() < 0 ? Errors.LEADER_NOT_AVAILABLE.code() : Errors.NONE.code()));
        }
        return result;
    }
}
