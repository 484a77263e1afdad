package io.fjord.broker.coordinator.transaction.records;

import io.fjord.broker.coordinator.group.records.CoordinatorRecordException;

/**
 * A {@code __transaction_state} record of a key type or value version Fjord does not read (newer than Kafka 4.4's,
 * e.g. left by an aborted upgrade). A loader skips it, as Kafka's transaction state manager does. Immutable.
 */
public final class UnknownTransactionRecordException extends CoordinatorRecordException {
    private static final long serialVersionUID = 1L;

    public UnknownTransactionRecordException(String message) {
        super(message);
    }
}
