package io.fjord.broker.handlers;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.network.RequestContext;
import io.fjord.broker.security.authorizer.RequestAuthorization;
import io.fjord.metadata.acl.AclOperation;
import io.fjord.metadata.acl.AclResourceType;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.CreatePartitionsRequestData;
import io.fjord.protocol.message.CreatePartitionsResponseData;
import io.fjord.protocol.message.CreateTopicsRequestData;
import io.fjord.protocol.message.CreateTopicsResponseData;
import io.fjord.protocol.message.DeleteTopicsRequestData;
import io.fjord.protocol.message.DeleteTopicsResponseData;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The topic administration APIs' checks, as Kafka 4.4's controller makes them: CreateTopics needs CREATE on the
 * cluster or else on each topic, DeleteTopics DELETE on the cluster or else on each topic (with DESCRIBE deciding
 * what a denied principal learns: see {@link #deleteByName} and {@link #deleteById}), CreatePartitions ALTER on the
 * cluster or else on each topic. A denied topic gets TOPIC_AUTHORIZATION_FAILED and is not sent to the controller;
 * the others are. Checked at the broker the client sent them to (see {@link ClusterApiAuthorization} for why that is
 * Kafka's check).
 *
 * <p>Stateless; thread-safe.
 */
final class TopicApiAuthorization {
    private static final String DENIED_MESSAGE = Errors.TOPIC_AUTHORIZATION_FAILED.message();
    private static final UUID ZERO_ID = new UUID(0, 0);

    private TopicApiAuthorization() {
    }

    static ApiHandler wrap(ApiKey api, ApiHandler handler, RequestAuthorization authorization, MetadataCache cache) {
        return switch (api) {
            case CREATE_TOPICS -> (context, request) -> createTopics(context, request, handler, authorization);
            case DELETE_TOPICS -> (context, request) -> deleteTopics(context, request, handler, authorization,
                    cache.image());
            case CREATE_PARTITIONS -> (context, request) -> createPartitions(context, request, handler,
                    authorization);
            default -> null;
        };
    }

    private static CompletionStage<ApiMessage> createTopics(RequestContext context, DecodedRequest request,
            ApiHandler handler, RequestAuthorization authorization) {
        CreateTopicsRequestData body = (CreateTopicsRequestData) request.body();
        if (authorization.authorizeQuietly(context, AclOperation.CREATE, AclResourceType.CLUSTER,
                AclResourceType.CLUSTER_NAME)) {
            return handler.handle(context, request);
        }
        List<CreateTopicsRequestData.CreatableTopic> allowed = new ArrayList<>();
        List<CreateTopicsResponseData.CreatableTopicResult> denied = new ArrayList<>();
        for (CreateTopicsRequestData.CreatableTopic topic : body.topics()) {
            if (authorization.authorize(context, AclOperation.CREATE, AclResourceType.TOPIC, topic.name())) {
                allowed.add(topic);
            } else {
                denied.add(new CreateTopicsResponseData.CreatableTopicResult().setName(topic.name())
                        .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()).setErrorMessage(DENIED_MESSAGE)
                        .setNumPartitions(-1).setReplicationFactor((short) -1));
            }
        }
        if (denied.isEmpty()) {
            return handler.handle(context, request);
        }
        body.setTopics(allowed);
        return handler.handle(context, request).thenApply(response -> {
            if (response instanceof CreateTopicsResponseData created) {
                if (request.apiVersion() < 1) {
                    denied.forEach(topic -> topic.setErrorMessage(null));
                }
                created.topics().addAll(denied);
            }
            return response;
        });
    }

    private static CompletionStage<ApiMessage> deleteTopics(RequestContext context, DecodedRequest request,
            ApiHandler handler, RequestAuthorization authorization, MetadataImage image) {
        if (authorization.authorizeQuietly(context, AclOperation.DELETE, AclResourceType.CLUSTER,
                AclResourceType.CLUSTER_NAME)) {
            return handler.handle(context, request);
        }
        DeleteTopicsRequestData body = (DeleteTopicsRequestData) request.body();
        List<DeleteTopicsResponseData.DeletableTopicResult> refused = new ArrayList<>();
        List<String> allowedNames = new ArrayList<>();
        for (String name : body.topicNames()) {
            DeleteTopicsResponseData.DeletableTopicResult answer = deleteByName(context, authorization, image, name);
            if (answer == null) {
                allowedNames.add(name);
            } else {
                refused.add(answer);
            }
        }
        List<DeleteTopicsRequestData.DeleteTopicState> allowedStates = new ArrayList<>();
        for (DeleteTopicsRequestData.DeleteTopicState topic : body.topics()) {
            boolean byId = topic.topicId() != null && !ZERO_ID.equals(topic.topicId());
            // A name and an id together, or neither, is the handler's INVALID_REQUEST, as Kafka answers before
            // any check.
            DeleteTopicsResponseData.DeletableTopicResult answer = topic.name() != null && !byId
                    ? deleteByName(context, authorization, image, topic.name())
                    : topic.name() == null && byId ? deleteById(context, authorization, image, topic.topicId())
                    : null;
            if (answer == null) {
                allowedStates.add(topic);
            } else {
                refused.add(answer);
            }
        }
        if (refused.isEmpty()) {
            return handler.handle(context, request);
        }
        if (request.apiVersion() < 5) {
            refused.forEach(topic -> topic.setErrorMessage(null));
        }
        body.setTopicNames(allowedNames).setTopics(allowedStates);
        CompletionStage<ApiMessage> handled = allowedNames.isEmpty() && allowedStates.isEmpty()
                ? CompletableFuture.completedFuture(new DeleteTopicsResponseData())
                : handler.handle(context, request);
        return handled.thenApply(response -> {
            if (response instanceof DeleteTopicsResponseData deleted) {
                deleted.responses().addAll(refused);
            }
            return response;
        });
    }

    /**
     * Kafka's answer to deleting a topic by name, null to send it on: without DESCRIBE TOPIC_AUTHORIZATION_FAILED
     * whether it exists or not, with DESCRIBE an unknown topic UNKNOWN_TOPIC_OR_PARTITION, a known one without DELETE
     * TOPIC_AUTHORIZATION_FAILED. Existence is this node's image: a topic it does not know yet is not sent on, so
     * the controller never deletes a topic unchecked.
     */
    private static DeleteTopicsResponseData.DeletableTopicResult deleteByName(RequestContext context,
            RequestAuthorization authorization, MetadataImage image, String name) {
        Errors error;
        if (!authorization.authorize(context, AclOperation.DESCRIBE, AclResourceType.TOPIC, name)) {
            error = Errors.TOPIC_AUTHORIZATION_FAILED;
        } else if (image.topic(name).isEmpty()) {
            error = Errors.UNKNOWN_TOPIC_OR_PARTITION;
        } else if (!authorization.authorize(context, AclOperation.DELETE, AclResourceType.TOPIC, name)) {
            error = Errors.TOPIC_AUTHORIZATION_FAILED;
        } else {
            return null;
        }
        return new DeleteTopicsResponseData.DeletableTopicResult().setName(name).setTopicId(ZERO_ID)
                .setErrorCode(error.code()).setErrorMessage(error.message());
    }

    /**
     * Kafka's answer to deleting a topic by id, null to send it on: an unknown id UNKNOWN_TOPIC_ID, a known one
     * without DELETE TOPIC_AUTHORIZATION_FAILED, named only when the principal may DESCRIBE it.
     */
    private static DeleteTopicsResponseData.DeletableTopicResult deleteById(RequestContext context,
            RequestAuthorization authorization, MetadataImage image, UUID topicId) {
        String name = image.topic(topicId).map(TopicImage::name).orElse(null);
        if (name == null) {
            return new DeleteTopicsResponseData.DeletableTopicResult().setName(null).setTopicId(topicId)
                    .setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()).setErrorMessage(Errors.UNKNOWN_TOPIC_ID.message());
        }
        if (authorization.authorize(context, AclOperation.DELETE, AclResourceType.TOPIC, name)) {
            return null;
        }
        boolean describable = authorization.authorizeQuietly(context, AclOperation.DESCRIBE, AclResourceType.TOPIC,
                name);
        return new DeleteTopicsResponseData.DeletableTopicResult().setName(describable ? name : null)
                .setTopicId(topicId).setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                .setErrorMessage(DENIED_MESSAGE);
    }

    private static CompletionStage<ApiMessage> createPartitions(RequestContext context, DecodedRequest request,
            ApiHandler handler, RequestAuthorization authorization) {
        if (authorization.authorizeQuietly(context, AclOperation.ALTER, AclResourceType.CLUSTER,
                AclResourceType.CLUSTER_NAME)) {
            return handler.handle(context, request);
        }
        CreatePartitionsRequestData body = (CreatePartitionsRequestData) request.body();
        List<CreatePartitionsRequestData.CreatePartitionsTopic> allowed = new ArrayList<>();
        List<CreatePartitionsResponseData.CreatePartitionsTopicResult> denied = new ArrayList<>();
        for (CreatePartitionsRequestData.CreatePartitionsTopic topic : body.topics()) {
            if (authorization.authorize(context, AclOperation.ALTER, AclResourceType.TOPIC, topic.name())) {
                allowed.add(topic);
            } else {
                denied.add(new CreatePartitionsResponseData.CreatePartitionsTopicResult().setName(topic.name())
                        .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()).setErrorMessage(DENIED_MESSAGE));
            }
        }
        if (denied.isEmpty()) {
            return handler.handle(context, request);
        }
        body.setTopics(allowed);
        return handler.handle(context, request).thenApply(response -> {
            if (response instanceof CreatePartitionsResponseData created) {
                created.results().addAll(denied);
            }
            return response;
        });
    }
}
