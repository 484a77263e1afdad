package io.fjord.broker.handlers;

import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ConsumerGroupHeartbeatRequestData;
import io.fjord.protocol.message.HeartbeatRequestData;
import io.fjord.protocol.message.JoinGroupRequestData;
import io.fjord.protocol.message.LeaveGroupRequestData;
import io.fjord.protocol.message.SyncGroupRequestData;
import java.util.concurrent.CompletableFuture;

/**
 * Group membership, each request routed to the shard owning the group: the classic protocol's JoinGroup, SyncGroup,
 * Heartbeat and LeaveGroup (a JoinGroup's or SyncGroup's future completes when the rebalance answers it) and KIP-848's
 * ConsumerGroupHeartbeat. Thread-safe.
 */
public final class GroupMembershipHandlers {
    private final GroupRouting routing;
    private final boolean consumerProtocolEnabled;

    /**
     * @param consumerProtocolEnabled whether {@code group.coordinator.rebalance.protocols} has {@code consumer}; if
     *        not, ConsumerGroupHeartbeat answers UNSUPPORTED_VERSION, as Kafka does (it still advertises the API)
     */
    GroupMembershipHandlers(GroupRouting routing, boolean consumerProtocolEnabled) {
        this.routing = routing;
        this.consumerProtocolEnabled = consumerProtocolEnabled;
    }

    public ApiHandler consumerGroupHeartbeat() {
        return (context, request) -> {
            ConsumerGroupHeartbeatRequestData body = (ConsumerGroupHeartbeatRequestData) request.body();
            if (!consumerProtocolEnabled) {
                return CompletableFuture.completedFuture(
                        GroupErrorResponses.consumerGroupHeartbeat(Errors.UNSUPPORTED_VERSION));
            }
            return routing.submit(context, request, body.groupId(),
                    (shard, shardContext, nowMs) -> shard.consumerGroupHeartbeat(shardContext, body, nowMs),
                    GroupErrorResponses::consumerGroupHeartbeat);
        };
    }

    public ApiHandler joinGroup() {
        return (context, request) -> {
            JoinGroupRequestData body = (JoinGroupRequestData) request.body();
            return routing.submit(context, request, body.groupId(),
                    (shard, shardContext, nowMs) -> shard.joinGroup(shardContext, body, nowMs),
                    GroupErrorResponses::joinGroup);
        };
    }

    public ApiHandler syncGroup() {
        return (context, request) -> {
            SyncGroupRequestData body = (SyncGroupRequestData) request.body();
            return routing.submit(context, request, body.groupId(),
                    (shard, shardContext, nowMs) -> shard.syncGroup(shardContext, body, nowMs),
                    GroupErrorResponses::syncGroup);
        };
    }

    public ApiHandler heartbeat() {
        return (context, request) -> {
            HeartbeatRequestData body = (HeartbeatRequestData) request.body();
            return routing.submit(context, request, body.groupId(),
                    (shard, shardContext, nowMs) -> shard.heartbeat(shardContext, body, nowMs),
                    GroupErrorResponses::heartbeat);
        };
    }

    public ApiHandler leaveGroup() {
        return (context, request) -> {
            LeaveGroupRequestData body = (LeaveGroupRequestData) request.body();
            return routing.submit(context, request, body.groupId(),
                    (shard, shardContext, nowMs) -> shard.leaveGroup(shardContext, body, nowMs),
                    GroupErrorResponses::leaveGroup);
        };
    }
}
