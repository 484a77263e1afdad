package io.fjord.broker.coordinator.runtime;

import java.util.ArrayDeque;
import java.util.List;

/**
 * A partition this node leads, as the {@link CoordinatorRuntime} tracks it: one object per load, so a load that
 * finishes for an object no longer in the runtime's map (the partition resigned or loads again) is discarded.
 *
 * <p>Not thread-safe: owned by the runtime's thread.
 *
 * @param <S> the shard type
 * @param <R> the coordinator's record type
 */
final class LedPartition<S extends CoordinatorShard<R>, R> {
    enum Status { LOADING, ACTIVE, FAILED }

    /** Work to run once the high watermark reaches {@code requiredOffset}. */
    record AfterCommit(long requiredOffset, List<Runnable> work) {
    }

    final int index;
    final int leaderEpoch;
    Status status = Status.LOADING;
    S shard;
    CommittedView<S, R> view;
    /** The offset after the last record the shard holds (loaded or written): what its next reply waits for. */
    long lastWrittenOffset;
    /** The high watermark of this leadership as the runtime last read it; -1 before the first read. */
    long committedOffset = -1;
    final DeferredReplies deferred = new DeferredReplies();
    /** {@link ShardResult#afterCommit} work by the offset it waits for; offsets do not decrease. */
    final ArrayDeque<AfterCommit> afterCommit = new ArrayDeque<>();

    LedPartition(int index, int leaderEpoch) {
        this.index = index;
        this.leaderEpoch = leaderEpoch;
    }
}
