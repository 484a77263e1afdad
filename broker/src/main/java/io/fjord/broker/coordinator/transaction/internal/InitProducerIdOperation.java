package io.fjord.broker.coordinator.transaction.internal;

import io.fjord.broker.coordinator.transaction.ProducerIdSource;
import io.fjord.broker.coordinator.transaction.TransactionCoordinatorConfig;
import io.fjord.broker.coordinator.transaction.TransactionMetadata;
import io.fjord.broker.coordinator.transaction.TransactionState;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.InitProducerIdRequestData;
import io.fjord.protocol.message.InitProducerIdResponseData;
import java.util.Collections;

/**
 * InitProducerId with a transactional id, as Kafka's transaction coordinator answers it: a new id gets a fresh
 * producer id at epoch 0; a known one gets its epoch bumped, which fences the producer that had it; an exhausted
 * epoch moves the id to a new producer id; a KIP-360 request naming its producer id and epoch recovers that producer
 * (or is fenced when another producer took over); an ongoing transaction is aborted first at a bumped epoch and the
 * producer told CONCURRENT_TRANSACTIONS, so it retries once the abort completes.
 *
 * <p>Not thread-safe: owned by the shard's thread.
 */
public final class InitProducerIdOperation {
    private final TransactionCoordinatorConfig config;
    private final TransactionStore store;
    private final ProducerIdSource producerIds;
    private final TransactionEnder ender;

    public InitProducerIdOperation(TransactionCoordinatorConfig config, TransactionStore store,
            ProducerIdSource producerIds, TransactionEnder ender) {
        this.config = config;
        this.store = store;
        this.producerIds = producerIds;
        this.ender = ender;
    }

    public void handle(InitProducerIdRequestData request, short apiVersion, TransactionEffects effects) {
        Errors error = initialize(request, effects);
        if (error != Errors.NONE) {
            effects.respond(new InitProducerIdResponseData().setErrorCode(
                    ProducerErrors.forVersion(error, apiVersion, 4).code()).setProducerId(-1)
                    .setProducerEpoch(TransactionMetadata.NO_PRODUCER_EPOCH));
        }
    }

    private Errors initialize(InitProducerIdRequestData request, TransactionEffects effects) {
        String transactionalId = request.transactionalId();
        if (transactionalId == null || transactionalId.isEmpty()) {
            return Errors.INVALID_REQUEST;
        }
        int timeoutMs = request.transactionTimeoutMs();
        if (timeoutMs <= 0 || timeoutMs > config.transactionMaxTimeoutMs()) {
            return Errors.INVALID_TRANSACTION_TIMEOUT;
        }
        boolean hasExpectedId = request.producerId() != TransactionMetadata.NO_PRODUCER_ID;
        boolean hasExpectedEpoch = request.producerEpoch() != TransactionMetadata.NO_PRODUCER_EPOCH;
        if (hasExpectedId != hasExpectedEpoch) {
            return Errors.INVALID_REQUEST;
        }
        TransactionMetadata metadata = store.get(transactionalId);
        if (metadata == null) {
            long producerId = producerIds.nextProducerId();
            if (producerId == ProducerIdSource.NONE) {
                return Errors.COORDINATOR_LOAD_IN_PROGRESS;
            }
            // Kafka keeps such metadata in memory at epoch -1 until its first record; it is written below.
            metadata = new TransactionMetadata(transactionalId, producerId, TransactionMetadata.NO_PRODUCER_ID,
                    TransactionMetadata.NO_PRODUCER_ID, TransactionMetadata.NO_PRODUCER_EPOCH, (short) -1,
                    timeoutMs, TransactionState.EMPTY, Collections.emptySortedSet(), -1L, effects.nowMs(),
                    (short) 0);
        }
        if (hasExpectedId && !isValidProducerId(metadata, request.producerId(), request.producerEpoch())) {
            return Errors.PRODUCER_FENCED;
        }
        return switch (metadata.state()) {
            case PREPARE_COMMIT, PREPARE_ABORT -> Errors.CONCURRENT_TRANSACTIONS;
            case ONGOING -> fenceOngoing(metadata, effects);
            case EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT ->
                    bumpOrRotate(metadata, timeoutMs, hasExpectedId, request.producerEpoch(), effects);
            case DEAD, PREPARE_EPOCH_FENCE -> throw new IllegalStateException(
                    "transactional id " + transactionalId + " in state " + metadata.state() + ", never stored");
        };
    }

    /**
     * Kafka's check of a KIP-360 request: the id was just created, or the producer id is the current one (its epoch
     * is checked by the bump), or the previous one at an exhausted epoch (a retry of a rotation whose answer was
     * lost).
     */
    private static boolean isValidProducerId(TransactionMetadata metadata, long producerId, short epoch) {
        return metadata.producerEpoch() == TransactionMetadata.NO_PRODUCER_EPOCH
                || producerId == metadata.producerId()
                || producerId == metadata.previousProducerId() && TransactionMetadata.isEpochExhausted(epoch);
    }

    /**
     * Aborts the ongoing transaction at a bumped epoch; the producer retries after it completes. Without a producer
     * id for an exhausted epoch's rotation nothing is written and the producer retries, as Kafka answers.
     */
    private Errors fenceOngoing(TransactionMetadata metadata, TransactionEffects effects) {
        return ender.fence(effects, metadata) == null ? TransactionEnder.noProducerIdError()
                : Errors.CONCURRENT_TRANSACTIONS;
    }

    private Errors bumpOrRotate(TransactionMetadata metadata, int timeoutMs, boolean hasExpected,
            short expectedEpoch, TransactionEffects effects) {
        String transactionalId = metadata.transactionalId();
        TransactionMetadata next;
        short lastEpoch;
        if (metadata.isEpochExhausted() && (!hasExpected || expectedEpoch == metadata.producerEpoch())) {
            long producerId = producerIds.nextProducerId();
            if (producerId == ProducerIdSource.NONE) {
                return Errors.COORDINATOR_LOAD_IN_PROGRESS;
            }
            next = metadata.withProducer(producerId, metadata.producerId(), TransactionMetadata.NO_PRODUCER_ID,
                    (short) 0);
            lastEpoch = hasExpected ? metadata.producerEpoch() : TransactionMetadata.NO_PRODUCER_EPOCH;
        } else if (metadata.isEpochExhausted()) {
            // Kafka's epoch bump refuses an exhausted epoch with an IllegalStateException, which its handler turns
            // into the generic error: a producer naming another epoch there gets UNKNOWN_SERVER_ERROR.
            return Errors.UNKNOWN_SERVER_ERROR;
        } else if (!hasExpected) {
            next = metadata.withEpoch((short) (metadata.producerEpoch() + 1));
            lastEpoch = TransactionMetadata.NO_PRODUCER_EPOCH;
        } else if (metadata.producerEpoch() == TransactionMetadata.NO_PRODUCER_EPOCH
                || expectedEpoch == metadata.producerEpoch()) {
            // The producer continues after an error and nobody else took over: bump, remember its epoch.
            next = metadata.withEpoch((short) (metadata.producerEpoch() + 1));
            lastEpoch = metadata.producerEpoch();
        } else if (expectedEpoch == store.lastProducerEpoch(transactionalId)) {
            // A retry of a bump whose answer was lost: the same epoch again.
            next = metadata;
            lastEpoch = expectedEpoch;
        } else {
            return Errors.PRODUCER_FENCED;
        }
        next = next.withTimeoutMs(timeoutMs)
                .withTransaction(Collections.emptySortedSet(), -1L, metadata.clientTransactionVersion())
                .withState(TransactionState.EMPTY, effects.nowMs());
        effects.write(next);
        store.setLastProducerEpoch(transactionalId, lastEpoch);
        effects.respond(new InitProducerIdResponseData().setProducerId(next.producerId())
                .setProducerEpoch(next.producerEpoch()));
        return Errors.NONE;
    }
}
