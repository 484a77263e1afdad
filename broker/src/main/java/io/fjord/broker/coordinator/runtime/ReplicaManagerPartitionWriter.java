package io.fjord.broker.coordinator.runtime;

import io.fjord.broker.replica.Partition;
import io.fjord.broker.replica.ReplicaManager;
import io.fjord.protocol.Errors;
import io.fjord.storage.TopicPartition;
import io.fjord.storage.TransactionMarker;
import java.nio.ByteBuffer;

/**
 * The coordinator's writes through the {@link ReplicaManager}, as Kafka's {@code CoordinatorPartitionWriter} does them:
 * appended as leader with acks 1 in the shard's leader epoch (the replica manager wakes the followers' fetches), the
 * high watermark read from the {@link Partition} that owns the rule. Stateless and thread-safe.
 */
public final class ReplicaManagerPartitionWriter implements CoordinatorPartitionWriter {
    private final ReplicaManager replicaManager;

    public ReplicaManagerPartitionWriter(ReplicaManager replicaManager) {
        this.replicaManager = replicaManager;
    }

    @Override
    public long append(TopicPartition partition, int leaderEpoch, ByteBuffer batch) {
        return requireAppended(replicaManager.appendAsCoordinator(partition, leaderEpoch, batch));
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
