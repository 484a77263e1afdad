package io.fjord.broker.coordinator.runtime;

import java.util.ArrayDeque;
import java.util.List;

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
    private record Batch<R>(long nextOffset, List<R> records) {
    }

    private final S shard;
    private final ArrayDeque<Batch<R>> uncommitted = new ArrayDeque<>();
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
    void append(List<R> records, long nextOffset, long committedOffset) {
        if (uncommitted.isEmpty() && nextOffset <= committedOffset) {
            records.forEach(shard::replay);
            appliedOffset = nextOffset;
            return;
        }
        if (!records.isEmpty()) {
            uncommitted.addLast(new Batch<>(nextOffset, List.copyOf(records)));
            uncommittedRecords += records.size();
        }
    }

    /** Replays, in order, the held batches the committed offset now covers. */
    void advanceTo(long committedOffset) {
        while (!uncommitted.isEmpty() && uncommitted.peekFirst().nextOffset() <= committedOffset) {
            Batch<R> batch = uncommitted.pollFirst();
            uncommittedRecords -= batch.records().size();
            batch.records().forEach(shard::replay);
            appliedOffset = batch.nextOffset();
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
