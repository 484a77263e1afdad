package io.fjord.storage;

/**
 * What an append wrote. Immutable and thread-safe.
 *
 * @param firstOffset          offset of the first record appended
 * @param lastOffset           offset of the last record appended
 * @param maxTimestamp         largest timestamp among the batches (the append time for LogAppendTime topics)
 * @param offsetOfMaxTimestamp last offset of the batch holding the largest timestamp
 * @param logAppendTimeMs      the time stamped into batches for LogAppendTime topics, else -1
 * @param logStartOffset       the log start offset after the append
 * @param batchCount           number of batches appended
 * @param sizeBytes            bytes appended
 * @param duplicate            whether the append was a producer's retry of a batch already in the log: nothing was
 *                             written, and the offsets are those of the original batch (Kafka answers such a retry
 *                             with NONE and the original base offset)
 */
public record AppendResult(long firstOffset, long lastOffset, long maxTimestamp, long offsetOfMaxTimestamp,
                           long logAppendTimeMs, long logStartOffset, int batchCount, int sizeBytes,
                           boolean duplicate) {

    /**
     * The result of a retry of {@code original}: its offsets, and its timestamp as the log append time, as Kafka
     * answers a duplicate.
     */
    public static AppendResult duplicateOf(ProducerState.Batch original, long logStartOffset) {
        return new AppendResult(original.firstOffset(), original.lastOffset(), original.timestampMs(),
                original.lastOffset(), original.timestampMs(),
                logStartOffset, 0, 0, true);
    }
}
