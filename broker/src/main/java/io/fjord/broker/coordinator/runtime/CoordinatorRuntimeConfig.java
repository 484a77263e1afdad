package io.fjord.broker.coordinator.runtime;

import io.fjord.protocol.records.CompressionType;

/**
 * How one coordinator's runtime runs. Immutable.
 *
 * @param name                     the coordinator's name in logs ("group coordinator")
 * @param threadName               the name of the thread that owns the shards; the loader thread adds "-loader"
 * @param topic                    the internal topic whose partitions the shards are ({@code __consumer_offsets})
 * @param compression              how the runtime compresses the shards' batches
 * @param loadBufferSizeBytes      the read size while loading a partition
 * @param commitTimeoutMs          how long a reply waits for the high watermark to pass its records before it is
 *                                 answered with the mapping of REQUEST_TIMED_OUT (COORDINATOR_NOT_AVAILABLE)
 * @param uncommittedRecordsMax    written records a partition may hold uncommitted (waiting for the high watermark
 *                                 before the committed view applies them); beyond it requests that write are answered
 *                                 COORDINATOR_NOT_AVAILABLE without running, so a stalled ISR cannot fill the memory
 */
public record CoordinatorRuntimeConfig(String name, String threadName, String topic, CompressionType compression,
        int loadBufferSizeBytes, long commitTimeoutMs, long uncommittedRecordsMax) {

    /** The default bound on a partition's uncommitted records. */
    public static final long UNCOMMITTED_RECORDS_MAX_DEFAULT = 500_000;

    public CoordinatorRuntimeConfig {
        if (loadBufferSizeBytes <= 0 || commitTimeoutMs <= 0 || uncommittedRecordsMax <= 0) {
            throw new IllegalArgumentException("sizes and timeouts must be positive");
        }
    }
}
