package io.fjord.broker.handlers;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.coordinator.driver.CommittedShardCall;
import io.fjord.broker.coordinator.driver.GroupCoordinatorDriver;
import io.fjord.broker.coordinator.driver.ShardCall;
import io.fjord.broker.coordinator.group.OffsetsPartitions;
import io.fjord.broker.network.RequestContext;
import io.fjord.metadata.image.TopicImage;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiMessage;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Sends group requests to the shard that owns the group: the {@code __consumer_offsets} partition of Kafka's hash
 * over the topic's partition count. Splits multi-group requests by partition. Thread-safe (reads the current image;
 * the driver is thread-safe).
 */
final class GroupRouting {
    private final MetadataCache cache;
    private final GroupCoordinatorDriver driver;

    GroupRouting(MetadataCache cache, GroupCoordinatorDriver driver) {
        this.cache = cache;
        this.driver = driver;
    }

    int partitionFor(String groupId) {
        int partitionCount = cache.image().topic(OffsetsPartitions.TOPIC).map(TopicImage::partitionCount).orElse(0);
        return driver.partitionFor(groupId == null ? "" : groupId, partitionCount);
    }

    CompletableFuture<ApiMessage> submit(RequestContext context, DecodedRequest request, String groupId,
            ShardCall call, Function<Errors, ApiMessage> errorResponse) {
        return submitToPartition(context, request, partitionFor(groupId), call, errorResponse);
    }

    CompletableFuture<ApiMessage> submitToPartition(RequestContext context, DecodedRequest request, int partition,
            ShardCall call, Function<Errors, ApiMessage> errorResponse) {
        return driver.submit(partition, request.apiVersion(), clientId(request), clientHost(context), call,
                errorResponse);
    }

    /** A TxnOffsetCommit: {@code call}'s records join the producer's transaction, once verified (KIP-890). */
    CompletableFuture<ApiMessage> submitTransactional(RequestContext context, DecodedRequest request, String groupId,
            String transactionalId, long producerId, short producerEpoch, ShardCall call,
            Function<Errors, ApiMessage> errorResponse) {
        return driver.submitTransactional(partitionFor(groupId), transactionalId, producerId, producerEpoch,
                request.apiVersion(), clientId(request), clientHost(context), call, errorResponse);
    }

    /** A read answered at once from the committed state of the group's shard (see {@link #readPartition}). */
    CompletableFuture<ApiMessage> read(RequestContext context, DecodedRequest request, String groupId,
            ShardCall call, Function<Errors, ApiMessage> errorResponse) {
        return readPartition(context, request, partitionFor(groupId), call, errorResponse);
    }

    /** {@code call} must only read: it runs on the partition's committed view, without waiting for pending writes. */
    CompletableFuture<ApiMessage> readPartition(RequestContext context, DecodedRequest request, int partition,
            ShardCall call, Function<Errors, ApiMessage> errorResponse) {
        return driver.read(partition, request.apiVersion(), clientId(request), clientHost(context), call,
                errorResponse);
    }

    /** As {@link #readPartition}, for a read that also looks at the live shard (DescribeGroups). */
    CompletableFuture<ApiMessage> readPartition(RequestContext context, DecodedRequest request, int partition,
            CommittedShardCall call, Function<Errors, ApiMessage> errorResponse) {
        return driver.read(partition, request.apiVersion(), clientId(request), clientHost(context), call,
                errorResponse);
    }

    /** A read of every shard led here (ListGroups), each answered at once from its committed view. */
    CompletableFuture<List<ApiMessage>> readFromAll(RequestContext context, DecodedRequest request,
            CommittedShardCall call, Function<Errors, ApiMessage> errorResponse) {
        return driver.readFromAll(request.apiVersion(), clientId(request), clientHost(context), call, errorResponse);
    }

    /** The groups by owning partition, each list in request order. */
    <T> Map<Integer, List<T>> byPartition(List<T> groups, Function<T, String> groupId) {
        Map<Integer, List<T>> split = new LinkedHashMap<>();
        for (T group : groups) {
            split.computeIfAbsent(partitionFor(groupId.apply(group)), partition -> new ArrayList<>()).add(group);
        }
        return split;
    }

    private static String clientId(DecodedRequest request) {
        return request.clientId() == null ? "" : request.clientId();
    }

    /** The client's address as Kafka shows it in DescribeGroups ("/127.0.0.1"). */
    static String clientHost(RequestContext context) {
        SocketAddress address = context.clientAddress();
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return "/" + inet.getAddress().getHostAddress();
        }
        return String.valueOf(address);
    }
}
