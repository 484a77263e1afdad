package io.fjord.storage.internal.cleaner;

import io.fjord.protocol.records.RecordBatch;
import io.fjord.storage.AbortedTransaction;
import io.fjord.storage.TransactionMarker;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Follows the transactions of the batches a clean reads in offset order, Kafka's {@code CleanedTransactionMetadata}:
 * tells which data batches belong to an aborted transaction (their data goes) and which transaction markers may be
 * discarded. A marker is needed while batches of its transaction were read before it in the same pass: an ABORT
 * marker then keeps its aborted-transaction index entry (handed to the cleaned segment's index), a COMMIT marker stays.
 * Once a later pass reads no batch of the transaction, the marker is discardable (the caller then removes it after its
 * delete horizon).
 *
 * <p>The aborted transactions come from the {@code .txnindex} of the segments read ({@link #addAborted}, per segment,
 * duplicates allowed). Not thread-safe: one per group of segments (or per mapped segment) of one clean.
 */
final class TransactionTracker {
    /** Ongoing aborted transaction of a producer, and whether a batch of it was read in this pass. */
    private static final class OngoingAbort {
        private final AbortedTransaction aborted;
        private boolean batchRead;

        OngoingAbort(AbortedTransaction aborted) {
            this.aborted = aborted;
        }
    }

    private final PriorityQueue<AbortedTransaction> pendingAborted =
            new PriorityQueue<>(Comparator.comparingLong(AbortedTransaction::firstOffset));
    private final Map<Long, OngoingAbort> ongoingAborted = new HashMap<>();
    private final Set<Long> ongoingCommitted = new HashSet<>();
    private final Consumer<AbortedTransaction> retainedIndexEntries;
    private final Predicate<AbortedTransaction> dataMayRemain;

    /**
     * @param retainedIndexEntries receives, in marker order, the index entry of each ABORT marker that stays
     * @param dataMayRemain        whether an aborted transaction may still have data elsewhere in the log (in a
     *                             segment this clean left uncleaned); its marker and index entry then stay too
     */
    TransactionTracker(Consumer<AbortedTransaction> retainedIndexEntries,
                       Predicate<AbortedTransaction> dataMayRemain) {
        this.retainedIndexEntries = retainedIndexEntries;
        this.dataMayRemain = dataMayRemain;
    }

    /** A tracker that only tells aborted data apart (for mapping keys); it keeps no index entries. */
    static TransactionTracker forMapping() {
        return new TransactionTracker(entry -> { }, entry -> false);
    }

    /** Adds the aborted transactions overlapping the next segment to read. */
    void addAborted(Collection<AbortedTransaction> aborted) {
        pendingAborted.addAll(aborted);
    }

    /**
     * A data batch was read; returns true when it belongs to an aborted transaction, so its records may be discarded.
     */
    boolean onDataBatch(long producerId, boolean transactional, long lastOffset) {
        startAbortedUpTo(lastOffset);
        if (!transactional) {
            return false;
        }
        OngoingAbort abort = ongoingAborted.get(producerId);
        if (abort != null) {
            abort.batchRead = true;
            return true;
        }
        ongoingCommitted.add(producerId);
        return false;
    }

    /**
     * A control batch was read; returns true when it may be discarded: an empty one (already cleaned), or a marker
     * none of whose transaction's batches were read in this pass. A control batch of another kind stays.
     */
    boolean onControlBatch(RecordBatch batch) {
        startAbortedUpTo(batch.lastOffset());
        if (batch.recordCount() == 0) {
            return true;
        }
        Optional<TransactionMarker> marker = TransactionMarker.of(batch);
        if (marker.isEmpty()) {
            return false;
        }
        long producerId = batch.producerId();
        if (marker.get().commit()) {
            return !ongoingCommitted.remove(producerId);
        }
        OngoingAbort abort = ongoingAborted.remove(producerId);
        if (abort != null && (abort.batchRead || dataMayRemain.test(abort.aborted))) {
            retainedIndexEntries.accept(abort.aborted);
            return false;
        }
        return true;
    }

    /** Aborted transactions begin at their first offset: batches of their producer from there on are aborted. */
    private void startAbortedUpTo(long offset) {
        while (!pendingAborted.isEmpty() && pendingAborted.peek().firstOffset() <= offset) {
            AbortedTransaction aborted = pendingAborted.poll();
            ongoingAborted.putIfAbsent(aborted.producerId(), new OngoingAbort(aborted));
        }
    }
}
