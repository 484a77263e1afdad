package io.fjord.broker.handlers;

import io.fjord.broker.network.RequestContext;
import io.fjord.broker.security.authorizer.RequestAuthorization;
import io.fjord.metadata.acl.AclOperation;
import io.fjord.metadata.acl.AclResourceType;
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
import java.util.concurrent.CompletionStage;

/**
 * The topic administration APIs' checks, as Kafka 4.4's controller makes them: CreateTopics needs CREATE on the
 * cluster or else on each topic, DeleteTopics DELETE on each topic (by name; a topic named by id is left to the
 * handler's UNKNOWN_TOPIC_ID unless named), CreatePartitions ALTER on each topic. A denied topic gets
 * TOPIC_AUTHORIZATION_FAILED and is not sent to the controller; the others are. Checked at the broker the client sent
 * them to (see {@link ClusterApiAuthorization} for why that is Kafka's check).
 *
 * <p>Stateless; thread-safe.
 */
final class TopicApiAuthorization {
    private static final String DENIED_MESSAGE = Errors.TOPIC_AUTHORIZATION_FAILED.message();

    private TopicApiAuthorization() {
    }

    static ApiHandler wrap(ApiKey api, ApiHandler handler, RequestAuthorization authorization) {
        return switch (api) {
            case CREATE_TOPICS -> (context, request) -> createTopics(context, request, handler, authorization);
            case DELETE_TOPICS -> (context, request) -> deleteTopics(context, request, handler, authorization);
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
            ApiHandler handler, RequestAuthorization authorization) {
        DeleteTopicsRequestData body = (DeleteTopicsRequestData) request.body();
        List<DeleteTopicsResponseData.DeletableTopicResult> denied = new ArrayList<>();
        List<String> allowedNames = new ArrayList<>();
        for (String name : body.topicNames()) {
            if (authorization.authorize(context, AclOperation.DELETE, AclResourceType.TOPIC, name)) {
                allowedNames.add(name);
            } else {
                denied.add(new DeleteTopicsResponseData.DeletableTopicResult().setName(name)
                        .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()).setErrorMessage(DENIED_MESSAGE));
            }
        }
        List<DeleteTopicsRequestData.DeleteTopicState> allowedStates = new ArrayList<>();
        for (DeleteTopicsRequestData.DeleteTopicState topic : body.topics()) {
            if (topic.name() == null || authorization.authorize(context, AclOperation.DELETE,
                    AclResourceType.TOPIC, topic.name())) {
                allowedStates.add(topic);
            } else {
                denied.add(new DeleteTopicsResponseData.DeletableTopicResult().setName(topic.name())
                        .setTopicId(topic.topicId()).setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                        .setErrorMessage(DENIED_MESSAGE));
            }
        }
        if (denied.isEmpty()) {
            return handler.handle(context, request);
        }
        body.setTopicNames(allowedNames).setTopics(allowedStates);
        return handler.handle(context, request).thenApply(response -> {
            if (response instanceof DeleteTopicsResponseData deleted) {
                if (request.apiVersion() < 5) {
                    denied.forEach(topic -> topic.setErrorMessage(null));
                }
                deleted.responses().addAll(denied);
            }
            return response;
        });
    }

    private static CompletionStage<ApiMessage> createPartitions(RequestContext context, DecodedRequest request,
            ApiHandler handler, RequestAuthorization authorization) {
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
