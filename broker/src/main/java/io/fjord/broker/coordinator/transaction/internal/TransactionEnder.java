package io.fjord.broker.coordinator.transaction.internal;

import io.fjord.broker.coordinator.transaction.ProducerIdSource;
import io.fjord.broker.coordinator.transaction.TransactionMarkers;
import io.fjord.broker.coordinator.transaction.TransactionMetadata;
import io.fjord.broker.coordinator.transaction.TransactionPartition;
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
    private static final short TRANSACTION_VERSION_1 = 0;
    private static final short TRANSACTION_VERSION_2 = 2;
    private final TransactionStore store;
    private final ProducerIdSource producerIds;
    private final int coordinatorEpoch;
    private final short transactionVersionLevel;

    /** @param transactionVersionLevel the cluster's finalized {@code transaction.version}, used by fences */
    public TransactionEnder(TransactionStore store, ProducerIdSource producerIds, int coordinatorEpoch,
            short transactionVersionLevel) {
        this.store = store;
        this.producerIds = producerIds;
        this.coordinatorEpoch = coordinatorEpoch;
        this.transactionVersionLevel = transactionVersionLevel;
    }

    /**
     * Writes the Prepare record of the client's end of {@code metadata}'s transaction (and the Complete one at once
     * when it has no partition, as Kafka completes a transaction without markers) and names its markers.
     *
     * @param clientTransactionVersion the version the end uses: 2 bumps the epoch
     * @param noPartitionAdded a TV2 abort of a transaction with no partition (from Empty or a completed one): the
     *        start time is now
     * @return the new metadata, or null when no producer id was available for the rotation (the caller answers
     *         COORDINATOR_LOAD_IN_PROGRESS; nothing was written)
     */
    public TransactionMetadata prepare(TransactionEffects effects, TransactionMetadata metadata, boolean commit,
            short clientTransactionVersion, boolean noPartitionAdded) {
        if (clientTransactionVersion >= TRANSACTION_VERSION_2) {
            return prepareVersion2(effects, metadata, commit, noPartitionAdded);
        }
        // TV1 keeps the epoch and Kafka's last epoch as they are.
        return write(effects, metadata.withTransaction(metadata.partitions(),
                metadata.startTimestampMs(), clientTransactionVersion), commit,
                store.lastProducerEpoch(metadata.transactionalId()));
    }

    /**
     * Aborts {@code metadata}'s ongoing transaction on the coordinator's own account (a new producer's InitProducerId,
     * or the transaction timeout), fencing its producer, as Kafka 4.4 does: the end takes the cluster's
     * {@code transaction.version}, not the one the transaction used. In TV2 it is the TV2 abort with its single bump
     * (KAFKA-19367 took the fence's own bump out), which remembers the fenced epoch as the last one, as any TV2 end
     * does, and rotates an exhausted producer id (KAFKA-20090); so until another InitProducerId bumps the epoch again
     * the fenced producer may still take the new epoch back (a KIP-360 InitProducerId or a TV2 EndTxn abort retry),
     * which is how a TV2 producer whose transaction timed out carries on. In TV1 the epoch is bumped (not past
     * {@code Short.MAX_VALUE}) and the last epoch forgotten, so the fenced producer can never come back.
     *
     * @return as {@link #prepare}
     */
    public TransactionMetadata fence(TransactionEffects effects, TransactionMetadata metadata) {
        if (transactionVersionLevel >= TRANSACTION_VERSION_2) {
            return prepareVersion2(effects, metadata, false, false);
        }
        short epoch = metadata.producerEpoch() < Short.MAX_VALUE
                ? (short) (metadata.producerEpoch() + 1) : metadata.producerEpoch();
        return write(effects, metadata.withEpoch(epoch).withTransaction(metadata.partitions(),
                metadata.startTimestampMs(), TRANSACTION_VERSION_1), false, TransactionMetadata.NO_PRODUCER_EPOCH);
    }

    /** Kafka's TV2 end: the epoch bumped, the old one remembered, an exhausted producer id's successor named. */
    private TransactionMetadata prepareVersion2(TransactionEffects effects, TransactionMetadata metadata,
            boolean commit, boolean noPartitionAdded) {
        long nextProducerId = TransactionMetadata.NO_PRODUCER_ID;
        if (metadata.isEpochExhausted()) {
            nextProducerId = producerIds.nextProducerId();
            if (nextProducerId == ProducerIdSource.NONE) {
                return null;
            }
        }
        short epoch = metadata.producerEpoch() < Short.MAX_VALUE
                ? (short) (metadata.producerEpoch() + 1) : metadata.producerEpoch();
        long startMs = noPartitionAdded ? effects.nowMs() : metadata.startTimestampMs();
        TransactionMetadata bumped = metadata
                .withProducer(metadata.producerId(), metadata.previousProducerId(), nextProducerId, epoch)
                .withTransaction(metadata.partitions(), startMs, TRANSACTION_VERSION_2);
        return write(effects, bumped, commit, metadata.producerEpoch());
    }

    private TransactionMetadata write(TransactionEffects effects, TransactionMetadata ending, boolean commit,
            short lastProducerEpoch) {
        TransactionMetadata prepared = ending.withState(
                commit ? TransactionState.PREPARE_COMMIT : TransactionState.PREPARE_ABORT, effects.nowMs());
        effects.write(prepared);
        store.setLastProducerEpoch(prepared.transactionalId(), lastProducerEpoch);
        if (prepared.partitions().isEmpty()) {
            return complete(effects, prepared);
        }
        effects.markers(markersOf(prepared));
        return prepared;
    }

    /**
     * One partition's marker of a preparing transaction is written: Kafka takes the partition out of the
     * transaction (in memory), and writes the Complete record once none is left. A report for a partition the
     * transaction does not have is ignored.
     */
    public void markerWritten(TransactionEffects effects, TransactionMetadata prepared,
            TransactionPartition partition) {
        if (!prepared.partitions().contains(partition)) {
            return;
        }
        store.markPartition(prepared.transactionalId(), partition);
        if (store.markedPartitions(prepared.transactionalId()).containsAll(prepared.partitions())) {
            complete(effects, prepared);
        }
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
