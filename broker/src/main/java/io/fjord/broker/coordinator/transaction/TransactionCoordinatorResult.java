package io.fjord.broker.coordinator.transaction;

import io.fjord.broker.coordinator.transaction.records.TransactionRecord;
import io.fjord.protocol.message.ApiMessage;
import java.util.List;

/**
 * What one call into {@link TransactionCoordinatorShard} produced: the records to append to its
 * {@code __transaction_state} partition, in order (already applied to the shard; if the append fails the runtime
 * drops the shard and reloads it from the log), the response to send once those records are committed (at once when
 * there are none; null for timer and marker calls), and the markers to send once the records are committed.
 * Immutable.
 */
public record TransactionCoordinatorResult(List<TransactionRecord> records, ApiMessage response,
        List<TransactionMarkers> markers) {
    public static final TransactionCoordinatorResult EMPTY = new TransactionCoordinatorResult(List.of(), null,
            List.of());

    public TransactionCoordinatorResult {
        records = List.copyOf(records);
        markers = List.copyOf(markers);
    }
}
