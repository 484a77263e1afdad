package io.fjord.broker.coordinator.driver;

import io.fjord.broker.coordinator.group.CoordinatorResult;
import io.fjord.broker.coordinator.group.GroupCoordinatorShard;
import io.fjord.broker.coordinator.group.RequestContext;

/**
 * One request's call into the shard that owns its group, e.g. {@code (shard, context, nowMs) ->
 * shard.joinGroup(context, body, nowMs)}; a new shard method is routed by passing another such call. Runs on the
 * driver's thread.
 */
@FunctionalInterface
public interface ShardCall {
    CoordinatorResult apply(GroupCoordinatorShard shard, RequestContext context, long nowMs);
}
