package io.fjord.broker.coordinator.runtime;

/**
 * A read on a partition's committed view that may also look at the live shard, e.g. {@code (committed, live,
 * requestId, nowMs) -> committed.listGroups(..., live, nowMs)}: Kafka reads which groups exist at the last committed
 * offset but a classic group's rebalance state, which no record holds, from the live object. It must change neither
 * shard and answer {@code requestId} in its result. Runs on the runtime's thread.
 *
 * @param <S> the shard type
 * @param <R> the coordinator's record type
 */
@FunctionalInterface
public interface CommittedRead<S, R> {
    ShardResult<R> apply(S committed, S live, long requestId, long nowMs);
}
