package io.fjord.broker.handlers;

import io.fjord.broker.network.RequestContext;
import io.fjord.broker.security.authorizer.RequestAuthorization;
import io.fjord.metadata.acl.AclOperation;
import io.fjord.metadata.acl.AclResourceType;
import io.fjord.metadata.controller.TopicNames;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.DeleteRecordsRequestData;
import io.fjord.protocol.message.DeleteRecordsResponseData;
import io.fjord.protocol.message.DescribeProducersRequestData;
import io.fjord.protocol.message.DescribeProducersResponseData;
import io.fjord.protocol.message.ListOffsetsRequestData;
import io.fjord.protocol.message.ListOffsetsResponseData;
import io.fjord.protocol.message.OffsetForLeaderEpochRequestData;
import io.fjord.protocol.message.OffsetForLeaderEpochResponseData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The checks of the APIs about a topic's partitions, as Kafka 4.4's: ListOffsets needs DESCRIBE on each topic;
 * OffsetForLeaderEpoch CLUSTER_ACTION on the cluster (a follower) or else DESCRIBE on each topic (a consumer checking
 * for truncation, KIP-320); DeleteRecords DELETE on each topic; DescribeProducers READ on each topic (an invalid name
 * is left to the handler's INVALID_TOPIC_EXCEPTION, which Kafka answers first). A denied topic's partitions get
 * TOPIC_AUTHORIZATION_FAILED and are not sent on; the others are answered by the handler.
 *
 * <p>Stateless; thread-safe.
 */
final class PartitionApiAuthorization {
    private static final long UNKNOWN_OFFSET = -1;

    private PartitionApiAuthorization() {
    }

    static ApiHandler wrap(ApiKey api, ApiHandler handler, RequestAuthorization authorization) {
        return switch (api) {
            case LIST_OFFSETS -> (context, request) -> listOffsets(context, request, handler, authorization);
            case OFFSET_FOR_LEADER_EPOCH -> (context, request) -> offsetForLeaderEpoch(context, request, handler,
                    authorization);
            case DELETE_RECORDS -> (context, request) -> deleteRecords(context, request, handler, authorization);
            case DESCRIBE_PRODUCERS -> (context, request) -> describeProducers(context, request, handler,
                    authorization);
            default -> null;
        };
    }

    /** Whether the principal may perform {@code operation} on each topic, each name asked once. */
    private static Predicate<String> allowed(RequestContext context, RequestAuthorization authorization,
            AclOperation operation) {
        Map<String, Boolean> decided = new HashMap<>();
        return name -> decided.computeIfAbsent(name,
                key -> authorization.authorize(context, operation, AclResourceType.TOPIC, key));
    }

    /**
     * Sends on the topics {@code allowed} keeps (all of them: the request as it is) and adds each denied topic's
     * answer to the handler's, in the request's place.
     */
    private static <T, A> CompletionStage<ApiMessage> filtered(RequestContext context, DecodedRequest request,
            ApiHandler handler, List<T> topics, Predicate<T> allowed, Function<List<T>, ?> send,
            Function<ApiMessage, List<A>> answers, Function<T, A> denied) {
        List<T> kept = new ArrayList<>();
        List<A> deniedAnswers = new ArrayList<>();
        for (T topic : topics) {
            if (allowed.test(topic)) {
                kept.add(topic);
            } else {
                deniedAnswers.add(denied.apply(topic));
            }
        }
        if (deniedAnswers.isEmpty()) {
            return handler.handle(context, request);
        }
        send.apply(kept);
        return handler.handle(context, request).thenApply(response -> {
            List<A> handled = answers.apply(response);
            if (handled != null) {
                handled.addAll(deniedAnswers);
            }
            return response;
        });
    }

    private static CompletionStage<ApiMessage> listOffsets(RequestContext context, DecodedRequest request,
            ApiHandler handler, RequestAuthorization authorization) {
        ListOffsetsRequestData body = (ListOffsetsRequestData) request.body();
        Predicate<String> describable = allowed(context, authorization, AclOperation.DESCRIBE);
        return filtered(context, request, handler, body.topics(), topic -> describable.test(topic.name()),
                body::setTopics,
                response -> response instanceof ListOffsetsResponseData listed ? listed.topics() : null,
                topic -> {
                    ListOffsetsResponseData.ListOffsetsTopicResponse answer =
                            new ListOffsetsResponseData.ListOffsetsTopicResponse().setName(topic.name());
                    topic.partitions().forEach(partition -> answer.partitions().add(
                            new ListOffsetsResponseData.ListOffsetsPartitionResponse()
                                    .setPartitionIndex(partition.partitionIndex())
                                    .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                                    .setTimestamp(-1).setOffset(UNKNOWN_OFFSET)));
                    return answer;
                });
    }

    private static CompletionStage<ApiMessage> offsetForLeaderEpoch(RequestContext context, DecodedRequest request,
            ApiHandler handler, RequestAuthorization authorization) {
        // A follower's check first, without logging its denial: a consumer is not expected to have it.
        if (authorization.authorizeQuietly(context, AclOperation.CLUSTER_ACTION, AclResourceType.CLUSTER,
                AclResourceType.CLUSTER_NAME)) {
            return handler.handle(context, request);
        }
        OffsetForLeaderEpochRequestData body = (OffsetForLeaderEpochRequestData) request.body();
        Predicate<String> describable = allowed(context, authorization, AclOperation.DESCRIBE);
        return filtered(context, request, handler, body.topics(), topic -> describable.test(topic.topic()),
                body::setTopics,
                response -> response instanceof OffsetForLeaderEpochResponseData found ? found.topics() : null,
                topic -> {
                    OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult answer =
                            new OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult().setTopic(topic.topic());
                    topic.partitions().forEach(partition -> answer.partitions().add(
                            new OffsetForLeaderEpochResponseData.EpochEndOffset().setPartition(partition.partition())
                                    .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                                    .setLeaderEpoch(-1).setEndOffset(UNKNOWN_OFFSET)));
                    return answer;
                });
    }

    private static CompletionStage<ApiMessage> deleteRecords(RequestContext context, DecodedRequest request,
            ApiHandler handler, RequestAuthorization authorization) {
        DeleteRecordsRequestData body = (DeleteRecordsRequestData) request.body();
        Predicate<String> deletable = allowed(context, authorization, AclOperation.DELETE);
        return filtered(context, request, handler, body.topics(), topic -> deletable.test(topic.name()),
                body::setTopics,
                response -> response instanceof DeleteRecordsResponseData deleted ? deleted.topics() : null,
                topic -> {
                    DeleteRecordsResponseData.DeleteRecordsTopicResult answer =
                            new DeleteRecordsResponseData.DeleteRecordsTopicResult().setName(topic.name());
                    topic.partitions().forEach(partition -> answer.partitions().add(
                            new DeleteRecordsResponseData.DeleteRecordsPartitionResult()
                                    .setPartitionIndex(partition.partitionIndex()).setLowWatermark(UNKNOWN_OFFSET)
                                    .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())));
                    return answer;
                });
    }

    private static CompletionStage<ApiMessage> describeProducers(RequestContext context, DecodedRequest request,
            ApiHandler handler, RequestAuthorization authorization) {
        DescribeProducersRequestData body = (DescribeProducersRequestData) request.body();
        Predicate<String> readable = allowed(context, authorization, AclOperation.READ);
        List<DescribeProducersRequestData.TopicRequest> asked = new ArrayList<>(body.topics());
        List<Boolean> denied = asked.stream().map(topic -> TopicNames.validate(topic.name()).isEmpty()
                && !readable.test(topic.name())).toList();
        if (!denied.contains(true)) {
            return handler.handle(context, request);
        }
        List<DescribeProducersRequestData.TopicRequest> kept = new ArrayList<>();
        for (int index = 0; index < asked.size(); index++) {
            if (!denied.get(index)) {
                kept.add(asked.get(index));
            }
        }
        body.setTopics(kept);
        // Kafka answers the topics in the request's order.
        return handler.handle(context, request).thenApply(response -> {
            if (!(response instanceof DescribeProducersResponseData described)) {
                return response;
            }
            Iterator<DescribeProducersResponseData.TopicResponse> fromHandler =
                    new ArrayList<>(described.topics()).iterator();
            described.topics().clear();
            for (int index = 0; index < asked.size(); index++) {
                if (denied.get(index)) {
                    described.topics().add(deniedProducers(asked.get(index)));
                } else if (fromHandler.hasNext()) {
                    described.topics().add(fromHandler.next());
                }
            }
            fromHandler.forEachRemaining(described.topics()::add);
            return response;
        });
    }

    private static DescribeProducersResponseData.TopicResponse deniedProducers(
            DescribeProducersRequestData.TopicRequest topic) {
        DescribeProducersResponseData.TopicResponse answer =
                new DescribeProducersResponseData.TopicResponse().setName(topic.name());
        topic.partitionIndexes().forEach(partition -> answer.partitions().add(
                new DescribeProducersResponseData.PartitionResponse().setPartitionIndex(partition)
                        .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                        .setErrorMessage(Errors.TOPIC_AUTHORIZATION_FAILED.message())));
        return answer;
    }
}
