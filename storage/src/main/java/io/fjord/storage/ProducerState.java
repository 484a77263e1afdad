package io.fjord.storage;

import java.util.List;
import java.util.Optional;

/**
 * What a partition remembers of one idempotent (or transactional) producer: its epoch, its last batches (for
 * deduplication of retries) and its open transaction. Kafka's {@code ProducerStateEntry}. Immutable and thread-safe.
 *
 * @param producerId                    the producer id
 * @param producerEpoch                 the latest epoch seen
 * @param batches                       the last batches of that epoch, oldest first, at most {@link #BATCHES_RETAINED}
 * @param lastTimestampMs               max timestamp of the producer's last batch; drives expiration
 * @param coordinatorEpoch              epoch of the transaction coordinator that wrote the last marker, or -1
 * @param currentTransactionFirstOffset first offset of the open transaction, or -1 when none is open
 */
public record ProducerState(long producerId, short producerEpoch, List<Batch> batches, long lastTimestampMs,
                            int coordinatorEpoch, long currentTransactionFirstOffset) {
    /** Kafka keeps the last five batches of a producer, as many as a producer may have in flight. */
    public static final int BATCHES_RETAINED = 5;
    public static final int NO_COORDINATOR_EPOCH = -1;
    public static final long NO_TRANSACTION = -1L;
    public static final int NO_SEQUENCE = -1;

    /**
     * One appended batch of the producer.
     *
     * @param timestampMs the batch's max timestamp (the append time on LogAppendTime topics)
     */
    public record Batch(int firstSequence, int lastSequence, long firstOffset, long lastOffset, long timestampMs) {
    }

    public ProducerState {
        batches = List.copyOf(batches);
        if (batches.size() > BATCHES_RETAINED) {
            throw new IllegalArgumentException(batches.size() + " batches exceed " + BATCHES_RETAINED);
        }
    }

    /** Last sequence of the last batch, or {@link #NO_SEQUENCE} when no batch of the current epoch is known. */
    public int lastSequence() {
        return batches.isEmpty() ? NO_SEQUENCE : batches.get(batches.size() - 1).lastSequence();
    }

    /** Last offset of the last batch, or -1. */
    public long lastOffset() {
        return batches.isEmpty() ? -1 : batches.get(batches.size() - 1).lastOffset();
    }

    /** The retained batch of {@code epoch} with exactly these first and last sequences: a retry of it. */
    public Optional<Batch> findDuplicate(short epoch, int firstSequence, int lastSequence) {
        if (epoch != producerEpoch) {
            return Optional.empty();
        }
        for (Batch batch : batches) {
            if (batch.firstSequence() == firstSequence && batch.lastSequence() == lastSequence) {
                return Optional.of(batch);
            }
        }
        return Optional.empty();
    }
}
