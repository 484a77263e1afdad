package io.fjord.broker.handlers;

import io.fjord.protocol.message.HeartbeatRequestData;
import io.fjord.protocol.message.JoinGroupRequestData;
import io.fjord.protocol.message.LeaveGroupRequestData;
import io.fjord.protocol.message.SyncGroupRequestData;

/**
 * The classic group protocol: JoinGroup, SyncGroup, Heartbeat and LeaveGroup, each routed to the shard owning the
 * group. A JoinGroup's (or SyncGroup's) future completes when the rebalance answers it. Thread-safe.
 */
public final class GroupMembershipHandlers {
    private final GroupRouting routing;

    GroupMembershipHandlers(GroupRouting routing) {
        this.routing = routing;
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
