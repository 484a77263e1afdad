package io.fjord.broker.coordinator.runtime;

import io.fjord.broker.replica.Partition;
import io.fjord.broker.replica.ReplicaManager;
import io.fjord.broker.verification.AddPartitionsToTxnManager;
import io.fjord.broker.verification.TransactionalOffsetsVerification;
import io.fjord.protocol.Errors;
import io.fjord.storage.TopicPartition;
import io.fjord.storage.TransactionMarker;
import io.fjord.storage.VerificationGuard;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * The coordinator's writes through the {@link ReplicaManager}, as Kafka's {@code CoordinatorPartitionWriter} does them:
 * appended as leader with acks 1 in the shard's leader epoch (the replica manager wakes the followers' fetches), the
 * high watermark read from the {@link Partition} that owns the rule; transactional offset commits verified with
 * their transaction coordinator first (KIP-890, {@link TransactionalOffsetsVerification}). Stateless and thread-safe.
 */
public final class ReplicaManagerPartitionWriter implements CoordinatorPartitionWriter {
    private final ReplicaManager replicaManager;
    private final TransactionalOffsetsVerification verification;

    /** A writer that verifies no transactional write (the transaction coordinator's: it writes none). */
    public ReplicaManagerPartitionWriter(ReplicaManager replicaManager) {
        this(replicaManager, null);
    }

    /**
     * The group coordinator's writer: transactional offset commits verified (KIP-890) through {@code manager}, with
     * the guards of {@code replicaManager}'s logs, checked while {@code verificationEnabled} says so.
     */
    public static ReplicaManagerPartitionWriter verifying(ReplicaManager replicaManager,
            AddPartitionsToTxnManager manager, BooleanSupplier verificationEnabled) {
        return new ReplicaManagerPartitionWriter(replicaManager, new TransactionalOffsetsVerification(manager,
                replicaManager::startTransactionVerification, verificationEnabled));
    }

    /** @param verification KIP-890 for the group coordinator's transactional offset commits */
    public ReplicaManagerPartitionWriter(ReplicaManager replicaManager, TransactionalOffsetsVerification verification) {
        this.replicaManager = replicaManager;
        this.verification = verification;
    }

    @Override
    public long append(TopicPartition partition, int leaderEpoch, ByteBuffer batch) {
        return requireAppended(replicaManager.appendAsCoordinator(partition, leaderEpoch, batch));
    }

    @Override
    public long appendTransactional(TopicPartition partition, int leaderEpoch, ByteBuffer batch,
            VerificationGuard verification) {
        return requireAppended(replicaManager.appendAsCoordinator(partition, leaderEpoch, batch, verification));
    }

    @Override
    public CompletableFuture<TransactionVerification> startTransactionVerification(TopicPartition partition,
            String transactionalId, long producerId, short producerEpoch, short apiVersion) {
        if (verification == null) {
            return CompletableFuture.completedFuture(TransactionVerification.UNVERIFIED);
        }
        return verification.verify(partition, transactionalId, producerId, producerEpoch, apiVersion)
                .thenApply(verified -> new TransactionVerification(verified.error(), verified.guard()));
    }

    @Override
    public long appendEndTransactionMarker(TopicPartition partition, int leaderEpoch, long producerId,
            short producerEpoch, int coordinatorEpoch, boolean commit) {
        return requireAppended(replicaManager.appendTransactionMarkerAsCoordinator(partition, leaderEpoch, producerId,
                producerEpoch, new TransactionMarker(commit, coordinatorEpoch)));
    }

    private static long requireAppended(ReplicaManager.AppendOutcome outcome) {
        if (outcome.error() != Errors.NONE) {
            throw new WriteException(outcome.error(), outcome.errorMessage() != null ? outcome.errorMessage()
                    : outcome.error().name());
        }
        return outcome.result().lastOffset() + 1;
    }

    @Override
    public long highWatermark(TopicPartition partition, int leaderEpoch) {
        return replicaManager.partition(partition).map(hosted -> hosted.leaderHighWatermark(leaderEpoch)).orElse(-1L);
    }
}
