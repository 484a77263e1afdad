package io.fjord.broker.coordinator.transaction.internal;

import io.fjord.broker.coordinator.transaction.ProducerIdSource;
import io.fjord.broker.coordinator.transaction.TransactionMarkers;
import io.fjord.broker.coordinator.transaction.TransactionMetadata;
import io.fjord.broker.coordinator.transaction.TransactionState;
import io.fjord.protocol.Errors;

/**
 * The two-phase end of a transaction, shared by EndTxn, the fencing InitProducerId and the timeout abort: the
 * PrepareCommit/PrepareAbort record and the markers to send, then, once the markers are written, the
 * CompleteCommit/CompleteAbort record. In transaction version 2 every end bumps the epoch (KIP-890 part 2); an end
 * at an exhausted epoch takes the next producer id, which the Complete record moves the id to (epoch 0).
 *
 * <p>Not thread-safe: owned by the shard's thread.
 */
public final class TransactionEnder {
    private final TransactionStore store;
    private final ProducerIdSource producerIds;
    private final int coordinatorEpoch;

    public TransactionEnder(TransactionStore store, ProducerIdSource producerIds, int coordinatorEpoch) {
        this.store = store;
        this.producerIds = producerIds;
        this.coordinatorEpoch = coordinatorEpoch;
    }

    /**
     * Writes the Prepare record of {@code metadata}'s transaction (and the Complete one at once when it has no
     * partition, as Kafka completes a transaction without markers) and names its markers.
     *
     * @param clientTransactionVersion the version the end uses: 2 bumps the epoch
     * @param fence an end forced by the coordinator (a new producer or the timeout): the epoch is bumped once,
     *        in any version, fencing the current producer
     * @param noPartitionAdded a TV2 abort of a transaction with no partition (from Empty or a completed one): the
     *        start time is now
     * @return the new metadata, or null when no producer id was available for the rotation (the caller answers
     *         COORDINATOR_LOAD_IN_PROGRESS; nothing was written)
     */
    public TransactionMetadata prepare(TransactionEffects effects, TransactionMetadata metadata, boolean commit,
            short clientTransactionVersion, boolean fence, boolean noPartitionAdded) {
        boolean bump = fence || clientTransactionVersion >= 2;
        long nextProducerId = TransactionMetadata.NO_PRODUCER_ID;
        if (clientTransactionVersion >= 2 && !fence && metadata.isEpochExhausted()) {
            nextProducerId = producerIds.nextProducerId();
            if (nextProducerId == ProducerIdSource.NONE) {
                return null;
            }
        }
        short epoch = bump && metadata.producerEpoch() < Short.MAX_VALUE
                ? (short) (metadata.producerEpoch() + 1) : metadata.producerEpoch();
        long startMs = noPartitionAdded ? effects.nowMs() : metadata.startTimestampMs();
        TransactionMetadata prepared = metadata
                .withProducer(metadata.producerId(), metadata.previousProducerId(), nextProducerId, epoch)
                .withTransaction(metadata.partitions(), startMs, clientTransactionVersion)
                .withState(commit ? TransactionState.PREPARE_COMMIT : TransactionState.PREPARE_ABORT,
                        effects.nowMs());
        effects.write(prepared);
        if (fence) {
            store.setLastProducerEpoch(metadata.transactionalId(), TransactionMetadata.NO_PRODUCER_EPOCH);
        } else if (bump) {
            store.setLastProducerEpoch(metadata.transactionalId(), metadata.producerEpoch());
        }
        if (prepared.partitions().isEmpty()) {
            return complete(effects, prepared);
        }
        effects.markers(markersOf(prepared));
        return prepared;
    }

    /** Writes the Complete record of a prepared transaction whose markers are all written. */
    public TransactionMetadata complete(TransactionEffects effects, TransactionMetadata prepared) {
        TransactionMetadata completed = prepared;
        if (prepared.nextProducerId() != TransactionMetadata.NO_PRODUCER_ID) {
            completed = prepared.withProducer(prepared.nextProducerId(), prepared.producerId(),
                    TransactionMetadata.NO_PRODUCER_ID, (short) 0);
        }
        completed = completed.withTransaction(java.util.Collections.emptySortedSet(), prepared.startTimestampMs(),
                prepared.clientTransactionVersion()).withState(prepared.state() == TransactionState.PREPARE_COMMIT
                        ? TransactionState.COMPLETE_COMMIT : TransactionState.COMPLETE_ABORT, effects.nowMs());
        effects.write(completed);
        return completed;
    }

    /** The markers a prepared transaction needs (again after a load, or a failed send). */
    public TransactionMarkers markersOf(TransactionMetadata prepared) {
        return new TransactionMarkers(prepared.transactionalId(), prepared.producerId(), prepared.producerEpoch(),
                prepared.state() == TransactionState.PREPARE_COMMIT, prepared.partitions(), coordinatorEpoch,
                prepared.clientTransactionVersion());
    }

    /** The error of a failed prepare. */
    public static Errors noProducerIdError() {
        return Errors.COORDINATOR_LOAD_IN_PROGRESS;
    }
}
