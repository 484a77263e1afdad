package io.fjord.broker.handlers;

import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.ConsumerGroupDescribeRequestData;
import io.fjord.protocol.message.ConsumerGroupDescribeResponseData;
import io.fjord.protocol.message.DeleteGroupsRequestData;
import io.fjord.protocol.message.DeleteGroupsResponseData;
import io.fjord.protocol.message.DescribeGroupsRequestData;
import io.fjord.protocol.message.DescribeGroupsResponseData;
import io.fjord.protocol.message.ListGroupsRequestData;
import io.fjord.protocol.message.ListGroupsResponseData;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * ListGroups, DescribeGroups, ConsumerGroupDescribe and DeleteGroups over every shard this node leads: ListGroups asks
 * each shard and concatenates (a shard still loading makes the whole answer COORDINATOR_LOAD_IN_PROGRESS, as in
 * Kafka); the describes and Delete split the named groups by shard and merge the answers in request order. ListGroups
 * and the describes are reads, answered at once from the committed state (Kafka reads them at the last committed
 * offset): a group whose records are not yet committed is not shown in its new state.
 * Thread-safe.
 */
public final class GroupAdminHandlers {
    private final GroupRouting routing;
    private final boolean consumerProtocolEnabled;

    /**
     * @param consumerProtocolEnabled whether {@code group.coordinator.rebalance.protocols} has {@code consumer}; if
     *        not, ConsumerGroupDescribe answers UNSUPPORTED_VERSION for every group, as Kafka does
     */
    GroupAdminHandlers(GroupRouting routing, boolean consumerProtocolEnabled) {
        this.routing = routing;
        this.consumerProtocolEnabled = consumerProtocolEnabled;
    }

    public ApiHandler listGroups() {
        return (context, request) -> {
            ListGroupsRequestData body = (ListGroupsRequestData) request.body();
            return routing.readFromAll(context, request,
                    (committed, live, shardContext, nowMs) -> committed.listGroups(shardContext, body, live, nowMs),
                    GroupErrorResponses::listGroups).thenApply(parts -> {
                        ListGroupsResponseData merged = new ListGroupsResponseData();
                        for (ApiMessage part : parts) {
                            ListGroupsResponseData listed = (ListGroupsResponseData) part;
                            if (listed.errorCode() == Errors.NOT_COORDINATOR.code()) {
                                continue; // resigned meanwhile: its groups are listed by the new coordinator
                            }
                            if (listed.errorCode() != Errors.NONE.code()) {
                                return GroupErrorResponses.listGroups(Errors.forCode(listed.errorCode()));
                            }
                            merged.groups().addAll(listed.groups());
                        }
                        return merged;
                    });
        };
    }

    public ApiHandler describeGroups() {
        return (context, request) -> {
            DescribeGroupsRequestData body = (DescribeGroupsRequestData) request.body();
            PartSender<DescribeGroupsRequestData> read = (partition, part, partError) -> routing.readPartition(
                    context, request, partition,
                    (committed, live, shardContext, nowMs) -> committed.describeGroups(shardContext, part, live, nowMs),
                    partError);
            return split(body.groups(),
                    groups -> new DescribeGroupsRequestData().setGroups(groups)
                            .setIncludeAuthorizedOperations(body.includeAuthorizedOperations()),
                    GroupErrorResponses::describeGroups, read).thenApply(parts -> new DescribeGroupsResponseData()
                            .setGroups(inRequestOrder(parts, part -> ((DescribeGroupsResponseData) part).groups(),
                                    DescribeGroupsResponseData.DescribedGroup::groupId, body.groups())));
        };
    }

    public ApiHandler consumerGroupDescribe() {
        return (context, request) -> {
            ConsumerGroupDescribeRequestData body = (ConsumerGroupDescribeRequestData) request.body();
            if (!consumerProtocolEnabled) {
                return CompletableFuture.completedFuture(
                        GroupErrorResponses.consumerGroupDescribe(body, Errors.UNSUPPORTED_VERSION));
            }
            PartSender<ConsumerGroupDescribeRequestData> read = (partition, part, partError) -> routing.readPartition(
                    context, request, partition,
                    (shard, shardContext, nowMs) -> shard.consumerGroupDescribe(shardContext, part, nowMs), partError);
            return split(body.groupIds(),
                    groups -> new ConsumerGroupDescribeRequestData().setGroupIds(groups)
                            .setIncludeAuthorizedOperations(body.includeAuthorizedOperations()),
                    GroupErrorResponses::consumerGroupDescribe, read).thenApply(parts ->
                            new ConsumerGroupDescribeResponseData().setGroups(inRequestOrder(parts,
                                    part -> ((ConsumerGroupDescribeResponseData) part).groups(),
                                    ConsumerGroupDescribeResponseData.DescribedGroup::groupId, body.groupIds())));
        };
    }

    public ApiHandler deleteGroups() {
        return (context, request) -> {
            DeleteGroupsRequestData body = (DeleteGroupsRequestData) request.body();
            PartSender<DeleteGroupsRequestData> write = (partition, part, partError) -> routing.submitToPartition(
                    context, request, partition,
                    (shard, shardContext, nowMs) -> shard.deleteGroups(shardContext, part, nowMs), partError);
            return split(body.groupsNames(),
                    groups -> new DeleteGroupsRequestData().setGroupsNames(groups),
                    GroupErrorResponses::deleteGroups, write).thenApply(parts -> new DeleteGroupsResponseData()
                            .setResults(inRequestOrder(parts, part -> ((DeleteGroupsResponseData) part).results(),
                                    DeleteGroupsResponseData.DeletableGroupResult::groupId, body.groupsNames())));
        };
    }

    /** The shards' per-group entries, concatenated and sorted by the position of their group in the request. */
    private static <G> List<G> inRequestOrder(List<ApiMessage> parts, Function<ApiMessage, List<G>> entries,
            Function<G, String> groupId, List<String> requested) {
        List<G> merged = new ArrayList<>();
        parts.forEach(part -> merged.addAll(entries.apply(part)));
        merged.sort(Comparator.comparingInt(entry -> requested.indexOf(groupId.apply(entry))));
        return merged;
    }

    /** Sends one shard's part of a multi-group request to the shard of {@code partition}. */
    @FunctionalInterface
    private interface PartSender<R> {
        CompletableFuture<ApiMessage> send(int partition, R part, Function<Errors, ApiMessage> partError);
    }

    /** One request per owning shard, each naming that shard's groups; completes with every shard's response. */
    private <R extends ApiMessage> CompletableFuture<List<ApiMessage>> split(List<String> groupIds,
            Function<List<String>, R> partRequest, BiFunction<R, Errors, ApiMessage> errorResponse,
            PartSender<R> sender) {
        List<CompletableFuture<ApiMessage>> parts = new ArrayList<>();
        for (Map.Entry<Integer, List<String>> entry : routing.byPartition(groupIds, groupId -> groupId).entrySet()) {
            R part = partRequest.apply(entry.getValue());
            parts.add(sender.send(entry.getKey(), part, error -> errorResponse.apply(part, error)));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
                .thenApply(done -> parts.stream().map(CompletableFuture::join).toList());
    }
}
