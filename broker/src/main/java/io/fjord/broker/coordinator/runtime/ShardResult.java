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

    /**
     * Work to run on the runtime's thread once these records (and those written before) are committed, at the point
     * the replies are released (the transaction coordinator sends its markers only after the Prepare record commits).
     * Unlike replies it never times out; it is dropped if the partition is unloaded first, so it must be work a new
     * leader redoes from the records. Must not block.
     */
    default List<Runnable> afterCommit() {
        return List.of();
    }
}
