package io.fjord.broker.coordinator.transaction;

import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The markers one ended transaction needs: a COMMIT or ABORT control batch with the producer id and epoch on every
 * partition of the transaction. The runtime groups them by partition leader into WriteTxnMarkers requests and, once
 * every partition answered, calls {@link TransactionCoordinatorShard#markersWritten}. Immutable.
 *
 * @param coordinatorEpoch the epoch of the {@code __transaction_state} partition this shard leads
 * @param transactionVersion the client's transaction version (WriteTxnMarkers v2's field)
 */
public record TransactionMarkers(String transactionalId, long producerId, short producerEpoch, boolean commit,
        SortedSet<TransactionPartition> partitions, int coordinatorEpoch, short transactionVersion) {
    public TransactionMarkers {
        partitions = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(partitions));
    }

    public List<TransactionPartition> partitionList() {
        return List.copyOf(partitions);
    }
}
