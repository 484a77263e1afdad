package io.fjord.storage;

/**
 * The outcome of a read: the data and the log's offsets at the time of the read. Thread-safe; the slice must be
 * released by whoever consumes it.
 *
 * @param slice           batches from the one holding the start offset on; empty when nothing was readable
 * @param firstBatchBaseOffset base offset of the first batch in the slice, or -1 when empty
 * @param logStartOffset  the log start offset when read
 * @param logEndOffset    the log end offset when read
 * @param highWatermark   the high watermark when read
 * @param upperBoundOffset an offset above every offset of the slice (at most the read's bound): a read-committed
 *                         fetch returns the aborted transactions that start below it (Kafka's
 *                         {@code fetchUpperBoundOffset})
 */
public record LogReadResult(FileSlice slice, long firstBatchBaseOffset, long logStartOffset, long logEndOffset,
                            long highWatermark, long upperBoundOffset) {

    /** A result whose upper bound is the log end offset. */
    public LogReadResult(FileSlice slice, long firstBatchBaseOffset, long logStartOffset, long logEndOffset,
                         long highWatermark) {
        this(slice, firstBatchBaseOffset, logStartOffset, logEndOffset, highWatermark, logEndOffset);
    }
}
