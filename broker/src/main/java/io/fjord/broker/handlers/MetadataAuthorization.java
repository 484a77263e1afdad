package io.fjord.broker.handlers;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.network.RequestContext;
import io.fjord.broker.security.authorizer.AuthorizedOperations;
import io.fjord.broker.security.authorizer.RequestAuthorization;
import io.fjord.metadata.acl.AclOperation;
import io.fjord.metadata.acl.AclResourceType;
import io.fjord.metadata.controller.TopicNames;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.DescribeClusterRequestData;
import io.fjord.protocol.message.DescribeClusterResponseData;
import io.fjord.protocol.message.DescribeTopicPartitionsRequestData;
import io.fjord.protocol.message.DescribeTopicPartitionsResponseData;
import io.fjord.protocol.message.MetadataRequestData;
import io.fjord.protocol.message.MetadataResponseData;
import io.fjord.protocol.message.MetadataResponseData.MetadataResponseTopic;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * What a client may learn of topics and the cluster, as Kafka 4.4 decides it. Metadata: an all-topics request lists
 * only topics the principal may DESCRIBE; a named topic it may not is TOPIC_AUTHORIZATION_FAILED (nothing else said of
 * it), as is an unknown one the request would auto-create without CREATE on the cluster or the topic; a topic asked by
 * id that it may not describe is TOPIC_AUTHORIZATION_FAILED without its name. The authorized-operations fields are
 * filled when asked (every supported operation the principal may perform). DescribeTopicPartitions filters likewise
 * and always fills the topic's operations; DescribeCluster fills the cluster's when asked.
 *
 * <p>Stateless; thread-safe.
 */
final class MetadataAuthorization {
    private static final UUID ZERO_ID = new UUID(0, 0);

    private MetadataAuthorization() {
    }

    static ApiHandler wrap(ApiKey api, ApiHandler handler, RequestAuthorization authorization, MetadataCache cache) {
        return switch (api) {
            case METADATA -> (context, request) -> metadata(context, request, handler, authorization, cache.image());
            case DESCRIBE_CLUSTER -> (context, request) -> handler.handle(context, request).thenApply(response -> {
                if (((DescribeClusterRequestData) request.body()).includeClusterAuthorizedOperations()
                        && response instanceof DescribeClusterResponseData cluster) {
                    cluster.setClusterAuthorizedOperations(authorization.authorizedOperations(context,
                            AclResourceType.CLUSTER, AclResourceType.CLUSTER_NAME));
                }
                return response;
            });
            case DESCRIBE_TOPIC_PARTITIONS -> (context, request) -> handler.handle(context, request)
                    .thenApply(response -> describedTopics(context, request, response, authorization));
            default -> null;
        };
    }

    private static CompletionStage<ApiMessage> metadata(RequestContext context, DecodedRequest request,
            ApiHandler handler, RequestAuthorization authorization, MetadataImage image) {
        MetadataRequestData body = (MetadataRequestData) request.body();
        boolean allTopics = body.topics() == null || (request.apiVersion() == 0 && body.topics().isEmpty());
        boolean byName = !allTopics && body.topics().stream().allMatch(topic -> topic.name() != null
                && (topic.topicId() == null || ZERO_ID.equals(topic.topicId())));
        List<MetadataResponseTopic> denied = new ArrayList<>();
        if (byName) {
            Boolean createOnCluster = null;
            List<MetadataRequestData.MetadataRequestTopic> allowed = new ArrayList<>();
            for (MetadataRequestData.MetadataRequestTopic topic : body.topics()) {
                boolean permitted = authorization.authorize(context, AclOperation.DESCRIBE, AclResourceType.TOPIC,
                        topic.name());
                if (permitted && body.allowAutoTopicCreation() && image.topic(topic.name()).isEmpty()) {
                    if (createOnCluster == null) {
                        createOnCluster = authorization.authorizeQuietly(context, AclOperation.CREATE,
                                AclResourceType.CLUSTER, AclResourceType.CLUSTER_NAME);
                    }
                    permitted = createOnCluster || authorization.authorize(context, AclOperation.CREATE,
                            AclResourceType.TOPIC, topic.name());
                }
                if (permitted) {
                    allowed.add(topic);
                } else {
                    denied.add(new MetadataResponseTopic().setName(topic.name()).setTopicId(ZERO_ID)
                            .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                            .setIsInternal(TopicNames.isInternal(topic.name()))
                            .setTopicAuthorizedOperations(AuthorizedOperations.NOT_REQUESTED));
                }
            }
            body.setTopics(allowed);
        }
        boolean nothingAllowed = byName && body.topics().isEmpty();
        return handler.handle(context, request).thenApply(response -> {
            if (!(response instanceof MetadataResponseData metadata)) {
                return response;
            }
            if (nothingAllowed) {
                metadata.topics().clear(); // v0 reads an empty list as every topic
            }
            List<MetadataResponseTopic> answered = new ArrayList<>();
            for (MetadataResponseTopic topic : metadata.topics()) {
                if (allTopics) {
                    if (authorization.authorizeQuietly(context, AclOperation.DESCRIBE, AclResourceType.TOPIC,
                            topic.name())) {
                        answered.add(topic);
                    }
                } else if (!byName && topic.name() != null && !authorization.authorize(context,
                        AclOperation.DESCRIBE, AclResourceType.TOPIC, topic.name())) {
                    answered.add(new MetadataResponseTopic().setName(null).setTopicId(topic.topicId())
                            .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                            .setTopicAuthorizedOperations(AuthorizedOperations.NOT_REQUESTED));
                } else {
                    answered.add(topic);
                }
            }
            if (body.includeTopicAuthorizedOperations()) {
                for (MetadataResponseTopic topic : answered) {
                    if (topic.name() != null && topic.errorCode() != Errors.TOPIC_AUTHORIZATION_FAILED.code()) {
                        topic.setTopicAuthorizedOperations(authorization.authorizedOperations(context,
                                AclResourceType.TOPIC, topic.name()));
                    }
                }
            }
            answered.addAll(denied);
            metadata.setTopics(answered);
            if (body.includeClusterAuthorizedOperations() && request.apiVersion() >= 8
                    && request.apiVersion() <= 10) {
                metadata.setClusterAuthorizedOperations(authorization.authorizedOperations(context,
                        AclResourceType.CLUSTER, AclResourceType.CLUSTER_NAME));
            }
            return metadata;
        });
    }

    private static ApiMessage describedTopics(RequestContext context, DecodedRequest request, ApiMessage response,
            RequestAuthorization authorization) {
        if (!(response instanceof DescribeTopicPartitionsResponseData described)) {
            return response;
        }
        boolean named = !((DescribeTopicPartitionsRequestData) request.body()).topics().isEmpty();
        List<DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic> answered = new ArrayList<>();
        for (DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic topic : described.topics()) {
            boolean allowed = named
                    ? authorization.authorize(context, AclOperation.DESCRIBE, AclResourceType.TOPIC, topic.name())
                    : authorization.authorizeQuietly(context, AclOperation.DESCRIBE, AclResourceType.TOPIC,
                            topic.name());
            if (allowed) {
                answered.add(topic.setTopicAuthorizedOperations(authorization.authorizedOperations(context,
                        AclResourceType.TOPIC, topic.name())));
            } else if (named) {
                answered.add(new DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic()
                        .setName(topic.name()).setTopicId(ZERO_ID).setIsInternal(topic.isInternal())
                        .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                        .setTopicAuthorizedOperations(AuthorizedOperations.NOT_REQUESTED));
            }
        }
        return described.setTopics(answered);
    }
}
