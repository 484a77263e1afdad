package io.fjord.storage.internal.producer;

import io.fjord.storage.AbortedTransaction;

/**
 * A transaction a marker just ended in a partition (Kafka's {@code CompletedTxn}). Immutable and thread-safe.
 *
 * @param firstOffset      offset of its first data batch
 * @param lastOffset       offset of its marker
 * @param aborted          whether the marker was ABORT
 * @param lastStableOffset the last stable offset once it ended: the first offset of the earliest transaction of
 *                         another producer still open, else {@code lastOffset + 1}
 */
public record CompletedTransaction(long producerId, long firstOffset, long lastOffset, boolean aborted,
                                   long lastStableOffset) {

    /** Its entry in the aborted-transaction index. */
    public AbortedTransaction toAborted() {
        return new AbortedTransaction(producerId, firstOffset, lastOffset, lastStableOffset);
    }
}
