package io.fjord.broker.coordinator.runtime;

import io.fjord.storage.PartitionLog;

/**
 * Reads a coordinator partition's log into a new leader's shard, batch by batch, from the log start to the end it had
 * when the load began. The {@link LogCoordinatorLoader} reads any coordinator's records through its
 * {@link CoordinatorSerde}. Implementations are thread-safe; a load runs on the runtime's loader thread.
 *
 * @param <R> the coordinator's record type
 */
public interface CoordinatorLoader<R> {

    /** Receives each batch (plain, transactional, or a transaction marker), in log order, with the offset after it. */
    @FunctionalInterface
    interface Sink<R> {
        void batch(CoordinatorBatch<R> batch, long nextOffset);
    }

    /**
     * What a load read: the number of records, and the offset it read up to (the shard holds every record before
     * it, committed or not).
     */
    record Loaded(long records, long endOffset) {
    }

    Loaded load(PartitionLog log, int bufferSizeBytes, Sink<R> sink);
}
