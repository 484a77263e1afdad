package io.fjord.storage;

/**
 * The answer of a leader-epoch lookup ({@link PartitionLog#endOffsetForEpoch(int)}, Kafka's OffsetForLeaderEpoch): the
 * largest epoch at most the requested one that the log knows, and the offset where it ends (the start offset of the
 * next epoch, or the log end offset for the latest epoch). Immutable and thread-safe.
 *
 * @param epoch     a leader epoch of the log, or the requested epoch when it lies below every epoch the log still has
 * @param endOffset exclusive end of that epoch in the log
 */
public record EpochEndOffset(int epoch, long endOffset) {
}
