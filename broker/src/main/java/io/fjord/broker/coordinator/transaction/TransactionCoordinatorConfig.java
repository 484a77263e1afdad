package io.fjord.broker.coordinator.transaction;

/**
 * The transaction coordinator's settings, Kafka's names and defaults. Immutable.
 *
 * @param transactionMaxTimeoutMs {@code transaction.max.timeout.ms}: the largest timeout a producer may ask for
 * @param transactionalIdExpirationMs {@code transactional.id.expiration.ms}: an id idle this long is removed
 * @param abortTimedOutTransactionsIntervalMs {@code transaction.abort.timed.out.transaction.cleanup.interval.ms}
 * @param removeExpiredTransactionalIdsIntervalMs
 *        {@code transaction.remove.expired.transaction.cleanup.interval.ms}
 * @param transactionVersionLevel the cluster's finalized {@code transaction.version} feature level: from 1 on, the
 *        log values are written in version 1 (flexible, with the KIP-890 fields), as Kafka does
 */
public record TransactionCoordinatorConfig(int transactionMaxTimeoutMs, long transactionalIdExpirationMs,
        long abortTimedOutTransactionsIntervalMs, long removeExpiredTransactionalIdsIntervalMs,
        short transactionVersionLevel) {
    public static final int DEFAULT_TRANSACTION_MAX_TIMEOUT_MS = 900_000;
    public static final long DEFAULT_TRANSACTIONAL_ID_EXPIRATION_MS = 604_800_000L;
    public static final long DEFAULT_ABORT_TIMED_OUT_TRANSACTIONS_INTERVAL_MS = 10_000L;
    public static final long DEFAULT_REMOVE_EXPIRED_TRANSACTIONAL_IDS_INTERVAL_MS = 3_600_000L;

    public TransactionCoordinatorConfig {
        if (transactionMaxTimeoutMs <= 0 || transactionalIdExpirationMs <= 0
                || abortTimedOutTransactionsIntervalMs <= 0 || removeExpiredTransactionalIdsIntervalMs <= 0) {
            throw new IllegalArgumentException("transaction coordinator timeouts and intervals must be positive");
        }
        if (transactionVersionLevel < 0) {
            throw new IllegalArgumentException("transaction.version level " + transactionVersionLevel);
        }
    }

    public static TransactionCoordinatorConfig defaults() {
        return new TransactionCoordinatorConfig(DEFAULT_TRANSACTION_MAX_TIMEOUT_MS,
                DEFAULT_TRANSACTIONAL_ID_EXPIRATION_MS, DEFAULT_ABORT_TIMED_OUT_TRANSACTIONS_INTERVAL_MS,
                DEFAULT_REMOVE_EXPIRED_TRANSACTIONAL_IDS_INTERVAL_MS, (short) 2);
    }

    /** The {@code TransactionLogValue} version written: 1 from {@code transaction.version} 1 on, else 0. */
    public short transactionLogValueVersion() {
        return transactionVersionLevel >= 1 ? (short) 1 : (short) 0;
    }
}
