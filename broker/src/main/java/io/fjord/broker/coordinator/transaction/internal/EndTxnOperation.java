package io.fjord.broker.coordinator.transaction.internal;

import io.fjord.broker.coordinator.transaction.TransactionMetadata;
import io.fjord.broker.coordinator.transaction.TransactionState;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.EndTxnRequestData;
import io.fjord.protocol.message.EndTxnResponseData;

/**
 * EndTxn as Kafka's transaction coordinator answers it. Versions 0-4 end a transaction of transaction version 1:
 * the epoch must be the current one and an end repeated after its completion answers NONE. Version 5 is
 * transaction version 2 (KIP-890 part 2): every end bumps the epoch and returns the new producer id and epoch, so a
 * retry carries the epoch before the bump (or, across a producer id rotation, the previous producer id at the last
 * epoch); an abort is allowed with no transaction open (from Empty or a completed transaction).
 *
 * <p>Not thread-safe: owned by the shard's thread.
 */
public final class EndTxnOperation {
    private static final short TRANSACTION_VERSION_2 = 2;
    private final TransactionStore store;
    private final TransactionEnder ender;

    public EndTxnOperation(TransactionStore store, TransactionEnder ender) {
        this.store = store;
        this.ender = ender;
    }

    public void handle(EndTxnRequestData request, short apiVersion, TransactionEffects effects) {
        String transactionalId = request.transactionalId();
        EndTxnResponseData response = new EndTxnResponseData().setProducerId(TransactionMetadata.NO_PRODUCER_ID)
                .setProducerEpoch(TransactionMetadata.NO_PRODUCER_EPOCH);
        Errors error;
        if (transactionalId == null || transactionalId.isEmpty()) {
            error = Errors.INVALID_REQUEST;
        } else if (store.get(transactionalId) == null) {
            error = Errors.INVALID_PRODUCER_ID_MAPPING;
        } else if (apiVersion >= 5) {
            error = endVersion2(store.get(transactionalId), request, response, effects);
        } else {
            error = endVersion1(store.get(transactionalId), request, effects);
        }
        effects.respond(response.setErrorCode(ProducerErrors.forVersion(error, apiVersion, 2).code()));
    }

    private Errors endVersion1(TransactionMetadata metadata, EndTxnRequestData request, TransactionEffects effects) {
        boolean commit = request.committed();
        if (metadata.producerId() != request.producerId()) {
            return Errors.INVALID_PRODUCER_ID_MAPPING;
        }
        if (metadata.producerEpoch() != request.producerEpoch()) {
            return Errors.PRODUCER_FENCED;
        }
        return switch (metadata.state()) {
            case ONGOING -> prepared(ender.prepare(effects, metadata, commit, (short) 0, false));
            case COMPLETE_COMMIT -> commit ? Errors.NONE : Errors.INVALID_TXN_STATE;
            case COMPLETE_ABORT -> commit ? Errors.INVALID_TXN_STATE : Errors.NONE;
            case PREPARE_COMMIT -> commit ? Errors.CONCURRENT_TRANSACTIONS : Errors.INVALID_TXN_STATE;
            case PREPARE_ABORT -> commit ? Errors.INVALID_TXN_STATE : Errors.CONCURRENT_TRANSACTIONS;
            case EMPTY -> Errors.INVALID_TXN_STATE;
            case DEAD, PREPARE_EPOCH_FENCE -> throw new IllegalStateException(
                    "transactional id " + metadata.transactionalId() + " in state " + metadata.state());
        };
    }

    private Errors endVersion2(TransactionMetadata metadata, EndTxnRequestData request, EndTxnResponseData response,
            TransactionEffects effects) {
        boolean commit = request.committed();
        long producerId = request.producerId();
        short epoch = request.producerEpoch();
        boolean retryOnOverflow = metadata.previousProducerId() == producerId
                && epoch == Short.MAX_VALUE - 1 && metadata.producerEpoch() == 0;
        boolean retryOnEpochBump = metadata.producerEpoch() == epoch + 1;
        boolean validEpoch = switch (metadata.state()) {
            case ONGOING, EMPTY, DEAD, PREPARE_EPOCH_FENCE -> epoch == metadata.producerEpoch();
            case PREPARE_COMMIT, PREPARE_ABORT -> retryOnEpochBump;
            case COMPLETE_COMMIT, COMPLETE_ABORT ->
                    retryOnEpochBump || retryOnOverflow || epoch == metadata.producerEpoch();
        };
        if (metadata.producerId() != producerId && !retryOnOverflow) {
            return Errors.INVALID_PRODUCER_ID_MAPPING;
        }
        if (metadata.state() == TransactionState.PREPARE_COMMIT || metadata.state() == TransactionState.PREPARE_ABORT) {
            // The previous end's markers are still being written (Kafka's pending CompleteCommit/CompleteAbort,
            // checked before the epoch since KAFKA-18464): a producer aborting right after a commit, at the epoch that
            // commit returned, waits rather than being fenced.
            return Errors.CONCURRENT_TRANSACTIONS;
        }
        if (!validEpoch) {
            return Errors.PRODUCER_FENCED;
        }
        boolean retry = retryOnEpochBump || retryOnOverflow;
        return switch (metadata.state()) {
            case ONGOING -> end(metadata, commit, false, response, effects);
            case COMPLETE_COMMIT -> {
                if (commit) {
                    yield retry ? answerRetry(metadata, response) : Errors.INVALID_TXN_STATE;
                }
                yield retry ? Errors.INVALID_TXN_STATE : end(metadata, false, true, response, effects);
            }
            case COMPLETE_ABORT -> {
                if (commit) {
                    yield Errors.INVALID_TXN_STATE;
                }
                yield retry ? answerRetry(metadata, response) : end(metadata, false, true, response, effects);
            }
            case EMPTY -> commit ? Errors.INVALID_TXN_STATE : end(metadata, false, true, response, effects);
            case PREPARE_COMMIT -> commit ? Errors.CONCURRENT_TRANSACTIONS : Errors.INVALID_TXN_STATE;
            case PREPARE_ABORT -> commit ? Errors.INVALID_TXN_STATE : Errors.CONCURRENT_TRANSACTIONS;
            case DEAD, PREPARE_EPOCH_FENCE -> throw new IllegalStateException(
                    "transactional id " + metadata.transactionalId() + " in state " + metadata.state());
        };
    }

    /** A retried end that already completed: the producer id and epoch it moved the producer to. */
    private static Errors answerRetry(TransactionMetadata metadata, EndTxnResponseData response) {
        response.setProducerId(metadata.producerId()).setProducerEpoch(metadata.producerEpoch());
        return Errors.NONE;
    }

    /**
     * Ends the transaction with an epoch bump; the producer continues with the producer id and epoch the end moved
     * it to (the next id at epoch 0 after an exhausted epoch).
     *
     * @param noPartitionAdded an abort with no transaction open
     */
    private Errors end(TransactionMetadata metadata, boolean commit, boolean noPartitionAdded,
            EndTxnResponseData response, TransactionEffects effects) {
        TransactionMetadata ended = ender.prepare(effects, metadata, commit, TRANSACTION_VERSION_2,
                noPartitionAdded);
        if (ended == null) {
            return TransactionEnder.noProducerIdError();
        }
        if (ended.state().isPreparing() && ended.nextProducerId() != TransactionMetadata.NO_PRODUCER_ID) {
            response.setProducerId(ended.nextProducerId()).setProducerEpoch((short) 0);
        } else {
            response.setProducerId(ended.producerId()).setProducerEpoch(ended.producerEpoch());
        }
        return Errors.NONE;
    }

    private static Errors prepared(TransactionMetadata prepared) {
        return prepared == null ? TransactionEnder.noProducerIdError() : Errors.NONE;
    }
}
