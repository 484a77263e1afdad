package io.fjord.broker.coordinator.runtime;

/**
 * One call into a shard, e.g. {@code (shard, requestId, nowMs) -> shard.offsetCommit(context(requestId), body,
 * nowMs)}: a write runs on the live shard, a read on the committed view. The reply for {@code requestId} is in the
 * result (or in a later one, for requests a shard holds, such as a JoinGroup). Runs on the runtime's thread.
 *
 * @param <S> the shard type
 * @param <R> the coordinator's record type
 */
@FunctionalInterface
public interface ShardOperation<S, R> {
    ShardResult<R> apply(S shard, long requestId, long nowMs);
}
