package io.fjord.broker.coordinator.runtime;

import io.fjord.protocol.Errors;
import io.fjord.storage.TopicPartition;
import java.nio.ByteBuffer;

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
