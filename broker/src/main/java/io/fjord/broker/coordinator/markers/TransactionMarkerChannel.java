package io.fjord.broker.coordinator.markers;

import io.fjord.broker.coordinator.transaction.TransactionMarkers;
import io.fjord.broker.coordinator.transaction.TransactionPartition;
import io.fjord.protocol.Errors;

/**
 * Where the transaction coordinator hands the markers of a transaction it ended (its PrepareCommit/PrepareAbort
 * record committed): the channel writes a COMMIT or ABORT control batch on every partition of the transaction by
 * sending WriteTxnMarkers to each partition's current leader, retrying what Kafka's marker channel retries, and
 * reports each partition's outcome to the {@link Outcomes} it was started with. The coordinator completes the
 * transaction (CompleteCommit/CompleteAbort) once every partition is reported written.
 *
 * <p>Implementations are thread-safe: {@link #send} may be called from any thread and never blocks on the network;
 * outcomes may be reported on any thread.
 */
public interface TransactionMarkerChannel {

    /** What the channel reports back to the transaction coordinator. Implementations are thread-safe. */
    interface Outcomes {
        /**
         * The marker of this partition is written and replicated as WriteTxnMarkers requires, or the partition needs
         * none (its topic no longer exists, as Kafka treats a deleted topic).
         */
        void markerWritten(TransactionMarkers markers, TransactionPartition partition);

        /**
         * The channel stopped sending these markers for good: the coordinator epoch they carry is stale (a leader
         * answered TRANSACTION_COORDINATOR_FENCED or INVALID_PRODUCER_EPOCH, or this node no longer leads their
         * {@code __transaction_state} partition). The coordinator that now leads the partition sends them again
         * when it loads the transaction in a preparing state. With COORDINATOR_NOT_AVAILABLE the channel was full
         * (it bounds the partitions it holds) and took none of them: the coordinator sends them again after a
         * back-off, while it still leads their partition and the transaction waits for them.
         */
        void markersAbandoned(TransactionMarkers markers, Errors error);
    }

    /** Starts writing these markers; outcomes arrive later, through the {@link Outcomes}. */
    void send(TransactionMarkers markers);

    /**
     * This node stopped leading the {@code __transaction_state} partition at this coordinator epoch (it resigned, or
     * leads it again at a later epoch): the markers of that epoch or older are abandoned, and later sends of them
     * refused.
     */
    void removeCoordinatorEpoch(int transactionStatePartition, int coordinatorEpoch);
}
