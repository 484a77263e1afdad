package io.fjord.storage;

/**
 * One entry of a segment's aborted-transaction index ({@code .txnindex}, Kafka's {@code AbortedTxn}): a transaction
 * whose ABORT marker lies in the segment. A read-committed fetch returns the producer id and first offset of every
 * aborted transaction overlapping the records it returns, so the consumer skips their data. Immutable and thread-safe.
 *
 * @param producerId       the transaction's producer
 * @param firstOffset      offset of the transaction's first data batch
 * @param lastOffset       offset of its ABORT marker
 * @param lastStableOffset the partition's last stable offset once the transaction ended: the first offset of the
 *                         earliest transaction of another producer still open then, else {@code lastOffset + 1}
 */
public record AbortedTransaction(long producerId, long firstOffset, long lastOffset, long lastStableOffset) {
}
