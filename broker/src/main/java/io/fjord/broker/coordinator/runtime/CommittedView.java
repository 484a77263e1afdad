package io.fjord.broker.coordinator.runtime;

import java.util.ArrayDeque;

/**
 * The state of one led partition as of its last committed offset, for reads that must neither wait for pending
 * writes nor see them. It is a second shard of the same coordinator, never activated, that replays only committed
 * records: the live shard's records wait here, by the offset after their batch, until the high watermark reaches that
 * offset, and are then replayed in log order. Since durable state changes only by replaying records, the view equals
 * what a new leader would load from the committed log. (Kafka keeps one shard in timeline collections and reads
 * them at the committed offset; a second replica of the durable state costs memory and a second replay per record
 * but needs no change to the shards' data structures, and any coordinator gets it.)
 *
 * <p>Not thread-safe: owned by the runtime's thread, like the live shard.
 *
 * @param <S> the shard type
 * @param <R> the coordinator's record type
 */
final class CommittedView<S extends CoordinatorShard<R>, R> {
    private record Waiting<R>(long nextOffset, CoordinatorBatch<R> batch) {
    }

    private final S shard;
    private final ArrayDeque<Waiting<R>> uncommitted = new ArrayDeque<>();
    private long uncommittedRecords;
    /** The offset after the last batch replayed into the view. */
    private long appliedOffset;

    CommittedView(S shard) {
        this.shard = shard;
    }

    /** The shard reads run on. */
    S shard() {
        return shard;
    }

    /**
     * A batch written (or loaded) after the view's last one: replayed at once if {@code committedOffset} already
     * covers it and nothing earlier waits, else held until {@link #advanceTo} reaches it.
     */
    void append(CoordinatorBatch<R> batch, long nextOffset, long committedOffset) {
        if (uncommitted.isEmpty() && nextOffset <= committedOffset) {
            batch.replayInto(shard);
            appliedOffset = nextOffset;
            return;
        }
        if (batch.weight() > 0) {
            uncommitted.addLast(new Waiting<>(nextOffset, batch));
            uncommittedRecords += batch.weight();
        }
    }

    /** Replays, in order, the held batches the committed offset now covers. */
    void advanceTo(long committedOffset) {
        while (!uncommitted.isEmpty() && uncommitted.peekFirst().nextOffset() <= committedOffset) {
            Waiting<R> waiting = uncommitted.pollFirst();
            uncommittedRecords -= waiting.batch().weight();
            waiting.batch().replayInto(shard);
            appliedOffset = waiting.nextOffset();
        }
    }

    /** Records written but not yet committed: a bound on them bounds the view's memory. */
    long uncommittedRecords() {
        return uncommittedRecords;
    }

    long appliedOffset() {
        return appliedOffset;
    }
}
