package io.fjord.broker.coordinator.runtime;

import java.util.List;

/**
 * What one call into a {@link CoordinatorShard} produced: records to append to its partition, in order, already
 * applied to the shard, and replies to release once those records are committed. A reply may answer a request of an
 * earlier call. Implementations are immutable.
 *
 * @param <R> the coordinator's record type
 */
public interface ShardResult<R> {
    List<R> records();

    List<? extends ShardReply> replies();
}
