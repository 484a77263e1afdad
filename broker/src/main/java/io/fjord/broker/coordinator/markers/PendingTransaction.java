package io.fjord.broker.coordinator.markers;

import io.fjord.broker.coordinator.transaction.TransactionMarkers;
import io.fjord.broker.coordinator.transaction.TransactionPartition;
import java.util.HashSet;
import java.util.Set;

/**
 * One transaction's markers while the channel sends them: the partitions not yet written, and whether the channel
 * gave up on them. Compared by identity (a transaction sent again is another one). Not thread-safe: owned by the
 * channel's thread, through {@link MarkerQueues}.
 */
final class PendingTransaction {
    private final TransactionMarkers markers;
    private final int transactionStatePartition;
    private final Set<TransactionPartition> unwritten;
    private boolean abandoned;

    PendingTransaction(TransactionMarkers markers, int transactionStatePartition) {
        this.markers = markers;
        this.transactionStatePartition = transactionStatePartition;
        this.unwritten = new HashSet<>(markers.partitions());
    }

    TransactionMarkers markers() {
        return markers;
    }

    int transactionStatePartition() {
        return transactionStatePartition;
    }

    /** Whether the partition was still waiting for its marker (and now no longer does). */
    boolean markWritten(TransactionPartition partition) {
        return unwritten.remove(partition);
    }

    int unwrittenCount() {
        return unwritten.size();
    }

    boolean isAbandoned() {
        return abandoned;
    }

    /** Gives up on every partition not yet written; returns how many there were. */
    int abandon() {
        abandoned = true;
        int count = unwritten.size();
        unwritten.clear();
        return count;
    }
}
