package io.fjord.broker.coordinator.runtime;

import io.fjord.protocol.Errors;
import io.fjord.storage.TopicPartition;
import io.fjord.storage.VerificationGuard;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * Where the coordinator runtime writes a shard's records and learns that they are committed (Kafka's
 * coordinator {@code PartitionWriter}): an append as leader in the leader epoch the shard was loaded in, answered
 * once the batch is in the leader's log, and the high watermark while that leadership lasts. High-watermark moves
 * are announced separately ({@link CoordinatorRuntime#onPartitionChanged}). Implementations are thread-safe; the
 * runtime calls them on its own thread.
 */
public interface CoordinatorPartitionWriter {

    /** Why an append was refused: the partition's error (NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH, ...). */
    final class WriteException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final Errors error;

        public WriteException(Errors error, String message) {
            super(message);
            this.error = error;
        }

        public Errors error() {
            return error;
        }
    }

    /**
     * Appends one batch as leader of {@code partition} in {@code leaderEpoch}, without waiting for replication.
     *
     * @return the offset after the batch's last record: the batch is committed once the high watermark reaches it
     * @throws WriteException when the partition refuses the batch
     */
    long append(TopicPartition partition, int leaderEpoch, ByteBuffer batch);

    /**
     * What a transactional write's KIP-890 verification gave: NONE and the guard its append must bring (null: nothing
     * was verified, the append is not checked), or the error that refuses the write, in the terms of Kafka's
     * {@code AddPartitionsToTxnManager} (before the coordinator's mapping to client errors).
     */
    record TransactionVerification(Errors error, VerificationGuard guard) {
        /** Nothing to verify: the write proceeds unchecked. */
        public static final TransactionVerification UNVERIFIED = new TransactionVerification(Errors.NONE, null);
    }

    /**
     * Starts the KIP-890 verification of {@code producerId}'s transactional write to {@code partition} (Kafka's
     * {@code PartitionWriter.maybeStartTransactionVerification}): for a TxnOffsetCommit of version
     * {@code apiVersion} 5 or later the transaction coordinator adds the partition to the transaction, for older
     * versions it only verifies that it is in it (when verification is on). Completes, on any thread, never
     * exceptionally. This default verifies nothing.
     */
    default CompletableFuture<TransactionVerification> startTransactionVerification(TopicPartition partition,
            String transactionalId, long producerId, short producerEpoch, short apiVersion) {
        return CompletableFuture.completedFuture(TransactionVerification.UNVERIFIED);
    }

    /**
     * As {@link #append}, for a producer's transactional batch: with {@code verification} not null the partition
     * refuses it (INVALID_TXN_STATE) unless the producer's transaction is ongoing there or the guard is still the
     * producer's live one, so a marker written since the verification started voids it.
     */
    long appendTransactional(TopicPartition partition, int leaderEpoch, ByteBuffer batch,
            VerificationGuard verification);

    /**
     * Appends a transaction marker ending {@code producerId}'s transaction in {@code partition} (a group coordinator
     * completing transactional offset commits), as leader in {@code leaderEpoch}, without waiting for replication.
     *
     * @return the offset after the marker: it is committed once the high watermark reaches it
     * @throws WriteException when the partition refuses it: as for {@link #append}, and INVALID_PRODUCER_EPOCH (an
     *         older producer epoch) or TRANSACTION_COORDINATOR_FENCED (an older coordinator epoch), as Kafka's log
     *         checks a marker
     */
    long appendEndTransactionMarker(TopicPartition partition, int leaderEpoch, long producerId, short producerEpoch,
            int coordinatorEpoch, boolean commit);

    /**
     * The partition's high watermark while this node leads it in {@code leaderEpoch}; -1 otherwise (a follower's high
     * watermark says nothing about the records this leadership wrote).
     */
    long highWatermark(TopicPartition partition, int leaderEpoch);
}
