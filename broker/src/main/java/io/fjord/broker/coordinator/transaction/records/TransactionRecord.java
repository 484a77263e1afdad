package io.fjord.broker.coordinator.transaction.records;

/**
 * One record of {@code __transaction_state}: the transactional id (Kafka's {@code TransactionLogKey}) and its
 * state ({@code TransactionLogValue}), or a null value (a tombstone) when the id expired. Immutable.
 */
public record TransactionRecord(String transactionalId, TransactionLogValue value) {
    public static TransactionRecord tombstone(String transactionalId) {
        return new TransactionRecord(transactionalId, null);
    }

    public boolean isTombstone() {
        return value == null;
    }
}
