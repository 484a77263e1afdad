package io.fjord.broker.verification;

import io.fjord.protocol.Errors;
import io.fjord.storage.TopicPartition;
import io.fjord.storage.VerificationGuard;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * KIP-890 for the group coordinator's transactional offset commits (Kafka's
 * {@code ReplicaManager.maybeSendPartitionToTransactionCoordinator} as its coordinator partition writer calls it):
 * before a TxnOffsetCommit's records join the producer's transaction in the group's {@code __consumer_offsets}
 * partition, the transaction coordinator adds that partition to the transaction (TxnOffsetCommit v5+, a producer on
 * transaction protocol v2 that sends no AddOffsetsToTxn; done whatever
 * {@code transaction.partition.verification.enable} says, as in Kafka) or, while verification is on, verifies that it
 * is in it (v4 and older, KIP-890 part 1). The
 * partition's guard ({@link VerificationGuard}) then goes with the append, so that a marker written in between voids
 * the write. Nothing blocks: the answer completes when the coordinator's does.
 *
 * <p>Thread-safe (its collaborators are).
 */
public final class TransactionalOffsetsVerification {
    /** The outcome: NONE and the guard the append must bring (null: not verified, not checked), or the error. */
    public record Verified(Errors error, VerificationGuard guard) {
        static final Verified UNVERIFIED = new Verified(Errors.NONE, null);
    }

    private final AddPartitionsToTxnManager manager;
    private final ProduceVerification.GuardSource guards;
    private final BooleanSupplier enabled;

    /** @param enabled {@code transaction.partition.verification.enable}, read at each request (it is dynamic) */
    public TransactionalOffsetsVerification(AddPartitionsToTxnManager manager, ProduceVerification.GuardSource guards,
                                            BooleanSupplier enabled) {
        this.manager = manager;
        this.guards = guards;
        this.enabled = enabled;
    }

    /**
     * Verifies (v4 and older) or adds (v5+) {@code offsetsPartition} in {@code transactionalId}'s transaction. The
     * error is the coordinator's as {@link AddPartitionsToTxnManager} reports it (COORDINATOR_NOT_AVAILABLE,
     * NETWORK_EXCEPTION, CONCURRENT_TRANSACTIONS, INVALID_PRODUCER_EPOCH, INVALID_TXN_STATE, TRANSACTION_ABORTABLE
     * for v4+, ...); the group coordinator maps it as it maps a failed write.
     */
    public CompletableFuture<Verified> verify(TopicPartition offsetsPartition, String transactionalId, long producerId,
                                              short producerEpoch, short txnOffsetCommitVersion) {
        VerificationOperation operation = VerificationOperation.forTxnOffsetCommitVersion(txnOffsetCommitVersion);
        boolean checked = enabled.getAsBoolean();
        if (transactionalId == null || !operation.supportsEpochBump() && !checked) {
            return CompletableFuture.completedFuture(Verified.UNVERIFIED);
        }
        VerificationGuard guard = guards.start(offsetsPartition, producerId, producerEpoch,
                operation.supportsEpochBump());
        // With verification off a v5+ commit still adds the partition, but its append is not checked (Kafka's log
        // checks the guard only while verification is on).
        VerificationGuard appendGuard = checked ? guard : null;
        if (guard == VerificationGuard.SENTINEL) {
            // The producer's transaction is ongoing in the partition already: the coordinator knows it.
            return CompletableFuture.completedFuture(new Verified(Errors.NONE, appendGuard));
        }
        return manager.verify(transactionalId, producerId, producerEpoch, List.of(offsetsPartition), operation)
                .thenApply(unverified -> {
                    Errors error = unverified.getOrDefault(offsetsPartition, Errors.NONE);
                    return error == Errors.NONE ? new Verified(Errors.NONE, appendGuard) : new Verified(error, null);
                });
    }
}
