package io.fjord.broker.coordinator.driver;

import io.fjord.broker.coordinator.group.CoordinatorResult;
import io.fjord.broker.coordinator.group.GroupCoordinatorShard;
import io.fjord.broker.coordinator.group.RequestContext;

/**
 * A read's call into the committed view of the shard that owns its groups, which may also look at the live shard
 * (never change it), e.g. {@code (committed, live, context, nowMs) -> committed.describeGroups(context, body, live,
 * nowMs)}. Runs on the driver's thread.
 */
@FunctionalInterface
public interface CommittedShardCall {
    CoordinatorResult apply(GroupCoordinatorShard committed, GroupCoordinatorShard live, RequestContext context,
            long nowMs);
}
