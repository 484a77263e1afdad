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
 */
public record AppendResult(long firstOffset, long lastOffset, long maxTimestamp, long offsetOfMaxTimestamp,
                           long logAppendTimeMs, long logStartOffset, int batchCount, int sizeBytes) {
}
