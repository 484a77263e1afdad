package io.fjord.broker.coordinator.runtime;

/**
 * Work the runtime runs on a loaded shard without a request, such as handing it new cluster metadata; its records are
 * appended and its replies released like a request's. Runs on the runtime's thread.
 *
 * @param <S> the shard type
 * @param <R> the coordinator's record type
 */
@FunctionalInterface
public interface ShardEvent<S, R> {
    ShardResult<R> apply(S shard, long nowMs);
}
