package io.fjord.broker.handlers;

import io.fjord.broker.network.RequestContext;
import io.fjord.broker.security.authorizer.RequestAuthorization;
import io.fjord.metadata.acl.AclOperation;
import io.fjord.metadata.acl.AclResourceType;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.ConsumerGroupDescribeRequestData;
import io.fjord.protocol.message.ConsumerGroupDescribeResponseData;
import io.fjord.protocol.message.ConsumerGroupHeartbeatRequestData;
import io.fjord.protocol.message.DeleteGroupsRequestData;
import io.fjord.protocol.message.DeleteGroupsResponseData;
import io.fjord.protocol.message.DescribeGroupsRequestData;
import io.fjord.protocol.message.DescribeGroupsResponseData;
import io.fjord.protocol.message.HeartbeatRequestData;
import io.fjord.protocol.message.JoinGroupRequestData;
import io.fjord.protocol.message.LeaveGroupRequestData;
import io.fjord.protocol.message.ListGroupsResponseData;
import io.fjord.protocol.message.OffsetCommitRequestData;
import io.fjord.protocol.message.OffsetCommitResponseData;
import io.fjord.protocol.message.OffsetDeleteRequestData;
import io.fjord.protocol.message.OffsetDeleteResponseData;
import io.fjord.protocol.message.OffsetFetchRequestData;
import io.fjord.protocol.message.OffsetFetchResponseData;
import io.fjord.protocol.message.SyncGroupRequestData;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The group APIs' checks, as Kafka 4.4's: JoinGroup, SyncGroup, Heartbeat, LeaveGroup and ConsumerGroupHeartbeat need
 * READ on the group (ConsumerGroupHeartbeat also DESCRIBE on every subscribed topic, else TOPIC_AUTHORIZATION_FAILED);
 * OffsetCommit READ on the group and on each topic; OffsetFetch DESCRIBE on the group, and its answer keeps only topics
 * the principal may DESCRIBE (a named one it may not gets TOPIC_AUTHORIZATION_FAILED); DescribeGroups and
 * ConsumerGroupDescribe DESCRIBE on each group (with the groups' authorized operations when asked); DeleteGroups DELETE
 * on each group; OffsetDelete DELETE on the group and READ on each topic (else TOPIC_AUTHORIZATION_FAILED for its
 * partitions); ListGroups lists every group with DESCRIBE on the cluster, else the groups it may DESCRIBE. A denied
 * group is GROUP_AUTHORIZATION_FAILED in the API's shape ({@link GroupErrorResponses}).
 *
 * <p>Stateless; thread-safe.
 */
final class GroupApiAuthorization {
    private GroupApiAuthorization() {
    }

    static ApiHandler wrap(ApiKey api, ApiHandler handler, RequestAuthorization authorization) {
        return switch (api) {
            case JOIN_GROUP -> readGroup(handler, authorization, body -> ((JoinGroupRequestData) body).groupId(),
                    (request, error) -> GroupErrorResponses.joinGroup(error));
            case SYNC_GROUP -> readGroup(handler, authorization, body -> ((SyncGroupRequestData) body).groupId(),
                    (request, error) -> GroupErrorResponses.syncGroup(error));
            case HEARTBEAT -> readGroup(handler, authorization, body -> ((HeartbeatRequestData) body).groupId(),
                    (request, error) -> GroupErrorResponses.heartbeat(error));
            case LEAVE_GROUP -> readGroup(handler, authorization, body -> ((LeaveGroupRequestData) body).groupId(),
                    (request, error) -> GroupErrorResponses.leaveGroup(error));
            case CONSUMER_GROUP_HEARTBEAT -> (context, request) -> consumerGroupHeartbeat(context, request, handler,
                    authorization);
            case OFFSET_COMMIT -> (context, request) -> offsetCommit(context, request, handler, authorization);
            case OFFSET_FETCH -> (context, request) -> offsetFetch(context, request, handler, authorization);
            case DELETE_GROUPS -> (context, request) -> deleteGroups(context, request, handler, authorization);
            case OFFSET_DELETE -> (context, request) -> offsetDelete(context, request, handler, authorization);
            case DESCRIBE_GROUPS -> (context, request) -> describeGroups(context, request, handler, authorization);
            case CONSUMER_GROUP_DESCRIBE -> (context, request) -> consumerGroupDescribe(context, request, handler,
                    authorization);
            case LIST_GROUPS -> (context, request) -> handler.handle(context, request)
                    .thenApply(response -> listedGroups(context, response, authorization));
            default -> null;
        };
    }

    /** The error response of a request denied as a whole. */
    @FunctionalInterface
    private interface Denial {
        ApiMessage response(DecodedRequest request, Errors error);
    }

    private static ApiHandler readGroup(ApiHandler handler, RequestAuthorization authorization,
            Function<ApiMessage, String> groupId, Denial denial) {
        return (context, request) -> authorization.authorize(context, AclOperation.READ, AclResourceType.GROUP,
                groupId.apply(request.body())) ? handler.handle(context, request)
                : CompletableFuture.completedFuture(denial.response(request, Errors.GROUP_AUTHORIZATION_FAILED));
    }

    private static CompletionStage<ApiMessage> consumerGroupHeartbeat(RequestContext context, DecodedRequest request,
            ApiHandler handler, RequestAuthorization authorization) {
        ConsumerGroupHeartbeatRequestData body = (ConsumerGroupHeartbeatRequestData) request.body();
        if (!authorization.authorize(context, AclOperation.READ, AclResourceType.GROUP, body.groupId())) {
            return CompletableFuture.completedFuture(
                    GroupErrorResponses.consumerGroupHeartbeat(Errors.GROUP_AUTHORIZATION_FAILED));
        }
        if (body.subscribedTopicNames() != null && !authorization.denied(context, AclOperation.DESCRIBE,
                AclResourceType.TOPIC, body.subscribedTopicNames()).isEmpty()) {
            return CompletableFuture.completedFuture(
                    GroupErrorResponses.consumerGroupHeartbeat(Errors.TOPIC_AUTHORIZATION_FAILED));
        }
        return handler.handle(context, request);
    }

    private static CompletionStage<ApiMessage> offsetCommit(RequestContext context, DecodedRequest request,
            ApiHandler handler, RequestAuthorization authorization) {
        OffsetCommitRequestData body = (OffsetCommitRequestData) request.body();
        if (!authorization.authorize(context, AclOperation.READ, AclResourceType.GROUP, body.groupId())) {
            return CompletableFuture.completedFuture(
                    GroupErrorResponses.offsetCommit(body, Errors.GROUP_AUTHORIZATION_FAILED));
        }
        // A topic named only by id (v10+) is the handler's to resolve; Kafka checks it by its name there too.
        return PartlyAllowed.handle(context, request, handler, body.topics(),
                topic -> topic.name() == null || topic.name().isEmpty()
                        || authorization.authorize(context, AclOperation.READ, AclResourceType.TOPIC, topic.name()),
                body::setTopics, denied -> GroupErrorResponses.offsetCommit(new OffsetCommitRequestData()
                        .setTopics(denied), Errors.TOPIC_AUTHORIZATION_FAILED), OffsetCommitResponseData.class,
                (committed, denied) -> committed.topics().addAll(denied.topics()));
    }

    private static CompletionStage<ApiMessage> offsetFetch(RequestContext context, DecodedRequest request,
            ApiHandler handler, RequestAuthorization authorization) {
        OffsetFetchRequestData body = (OffsetFetchRequestData) request.body();
        short version = request.apiVersion();
        if (version < 8) {
            if (!authorization.authorize(context, AclOperation.DESCRIBE, AclResourceType.GROUP, body.groupId())) {
                return CompletableFuture.completedFuture(
                        GroupErrorResponses.offsetFetch(version, body, Errors.GROUP_AUTHORIZATION_FAILED));
            }
            boolean named = body.topics() != null;
            return handler.handle(context, request).thenApply(response -> {
                if (response instanceof OffsetFetchResponseData fetched) {
                    fetched.topics().removeIf(topic -> deniedTopic(context, authorization, topic.name(), named,
                            () -> topic.partitions().forEach(partition -> partition.setCommittedOffset(-1)
                                    .setMetadata("").setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()))));
                }
                return response;
            });
        }
        List<OffsetFetchRequestData.OffsetFetchRequestGroup> allowed = new ArrayList<>();
        List<OffsetFetchResponseData.OffsetFetchResponseGroup> denied = new ArrayList<>();
        for (OffsetFetchRequestData.OffsetFetchRequestGroup group : body.groups()) {
            if (authorization.authorize(context, AclOperation.DESCRIBE, AclResourceType.GROUP, group.groupId())) {
                allowed.add(group);
            } else {
                denied.add(new OffsetFetchResponseData.OffsetFetchResponseGroup().setGroupId(group.groupId())
                        .setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code()));
            }
        }
        body.setGroups(allowed);
        return handler.handle(context, request).thenApply(response -> {
            if (response instanceof OffsetFetchResponseData fetched) {
                for (OffsetFetchResponseData.OffsetFetchResponseGroup group : fetched.groups()) {
                    boolean named = allowed.stream().anyMatch(asked -> asked.groupId().equals(group.groupId())
                            && asked.topics() != null);
                    group.topics().removeIf(topic -> deniedTopic(context, authorization, topic.name(), named,
                            () -> topic.partitions().forEach(partition -> partition.setCommittedOffset(-1)
                                    .setMetadata("").setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()))));
                }
                fetched.groups().addAll(denied);
            }
            return response;
        });
    }

    /**
     * Whether an OffsetFetch answer's topic is to be dropped: one the principal may not DESCRIBE is dropped from an
     * all-topics answer, and marked denied ({@code markDenied}) in an answer to named topics.
     */
    private static boolean deniedTopic(RequestContext context, RequestAuthorization authorization, String topic,
            boolean named, Runnable markDenied) {
        if (topic == null || topic.isEmpty()) {
            return false;
        }
        if (named) {
            if (!authorization.authorize(context, AclOperation.DESCRIBE, AclResourceType.TOPIC, topic)) {
                markDenied.run();
            }
            return false;
        }
        return !authorization.authorizeQuietly(context, AclOperation.DESCRIBE, AclResourceType.TOPIC, topic);
    }

    private static CompletionStage<ApiMessage> offsetDelete(RequestContext context, DecodedRequest request,
            ApiHandler handler, RequestAuthorization authorization) {
        OffsetDeleteRequestData body = (OffsetDeleteRequestData) request.body();
        if (!authorization.authorize(context, AclOperation.DELETE, AclResourceType.GROUP, body.groupId())) {
            return CompletableFuture.completedFuture(
                    GroupErrorResponses.offsetDelete(Errors.GROUP_AUTHORIZATION_FAILED));
        }
        Set<String> denied = authorization.denied(context, AclOperation.READ, AclResourceType.TOPIC,
                body.topics().stream().map(OffsetDeleteRequestData.OffsetDeleteRequestTopic::name).toList());
        if (denied.isEmpty()) {
            return handler.handle(context, request);
        }
        List<OffsetDeleteResponseData.OffsetDeleteResponseTopic> deniedTopics = new ArrayList<>();
        List<OffsetDeleteRequestData.OffsetDeleteRequestTopic> allowed = new ArrayList<>();
        for (OffsetDeleteRequestData.OffsetDeleteRequestTopic topic : body.topics()) {
            if (!denied.contains(topic.name())) {
                allowed.add(topic);
                continue;
            }
            OffsetDeleteResponseData.OffsetDeleteResponseTopic answer =
                    new OffsetDeleteResponseData.OffsetDeleteResponseTopic().setName(topic.name());
            topic.partitions().forEach(partition -> answer.partitions().add(
                    new OffsetDeleteResponseData.OffsetDeleteResponsePartition()
                            .setPartitionIndex(partition.partitionIndex())
                            .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())));
            deniedTopics.add(answer);
        }
        // The group's own error (unknown, not empty) stands alone in the answer, as the handler's other refusals.
        body.setTopics(allowed);
        return handler.handle(context, request).thenApply(response -> {
            if (response instanceof OffsetDeleteResponseData deleted && deleted.errorCode() == Errors.NONE.code()) {
                deleted.topics().addAll(deniedTopics);
            }
            return response;
        });
    }

    private static CompletionStage<ApiMessage> deleteGroups(RequestContext context, DecodedRequest request,
            ApiHandler handler, RequestAuthorization authorization) {
        DeleteGroupsRequestData body = (DeleteGroupsRequestData) request.body();
        return PartlyAllowed.handle(context, request, handler, body.groupsNames(),
                group -> authorization.authorize(context, AclOperation.DELETE, AclResourceType.GROUP, group),
                body::setGroupsNames, denied -> GroupErrorResponses.deleteGroups(new DeleteGroupsRequestData()
                        .setGroupsNames(denied), Errors.GROUP_AUTHORIZATION_FAILED), DeleteGroupsResponseData.class,
                (deleted, denied) -> deleted.results().addAll(denied.results()));
    }

    private static CompletionStage<ApiMessage> describeGroups(RequestContext context, DecodedRequest request,
            ApiHandler handler, RequestAuthorization authorization) {
        DescribeGroupsRequestData body = (DescribeGroupsRequestData) request.body();
        return PartlyAllowed.handle(context, request, handler, body.groups(),
                group -> authorization.authorize(context, AclOperation.DESCRIBE, AclResourceType.GROUP, group),
                body::setGroups, denied -> GroupErrorResponses.describeGroups(new DescribeGroupsRequestData()
                        .setGroups(denied), Errors.GROUP_AUTHORIZATION_FAILED), DescribeGroupsResponseData.class,
                (described, denied) -> described.groups().addAll(denied.groups()))
                .thenApply(response -> {
                    if (body.includeAuthorizedOperations() && response instanceof DescribeGroupsResponseData described) {
                        described.groups().stream().filter(group -> group.errorCode() == Errors.NONE.code())
                                .forEach(group -> group.setAuthorizedOperations(authorization.authorizedOperations(
                                        context, AclResourceType.GROUP, group.groupId())));
                    }
                    return response;
                });
    }

    private static CompletionStage<ApiMessage> consumerGroupDescribe(RequestContext context, DecodedRequest request,
            ApiHandler handler, RequestAuthorization authorization) {
        ConsumerGroupDescribeRequestData body = (ConsumerGroupDescribeRequestData) request.body();
        return PartlyAllowed.handle(context, request, handler, body.groupIds(),
                group -> authorization.authorize(context, AclOperation.DESCRIBE, AclResourceType.GROUP, group),
                body::setGroupIds, denied -> GroupErrorResponses.consumerGroupDescribe(
                        new ConsumerGroupDescribeRequestData().setGroupIds(denied), Errors.GROUP_AUTHORIZATION_FAILED),
                ConsumerGroupDescribeResponseData.class,
                (described, denied) -> described.groups().addAll(denied.groups()))
                .thenApply(response -> {
                    if (body.includeAuthorizedOperations()
                            && response instanceof ConsumerGroupDescribeResponseData described) {
                        described.groups().stream().filter(group -> group.errorCode() == Errors.NONE.code())
                                .forEach(group -> group.setAuthorizedOperations(authorization.authorizedOperations(
                                        context, AclResourceType.GROUP, group.groupId())));
                    }
                    return response;
                });
    }

    private static ApiMessage listedGroups(RequestContext context, ApiMessage response,
            RequestAuthorization authorization) {
        if (response instanceof ListGroupsResponseData listed && !authorization.authorizeQuietly(context,
                AclOperation.DESCRIBE, AclResourceType.CLUSTER, AclResourceType.CLUSTER_NAME)) {
            listed.groups().removeIf(group -> !authorization.authorizeQuietly(context, AclOperation.DESCRIBE,
                    AclResourceType.GROUP, group.groupId()));
        }
        return response;
    }
}
