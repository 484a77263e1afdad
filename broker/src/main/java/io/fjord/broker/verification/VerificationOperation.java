package io.fjord.broker.verification;

/**
 * What a verification may ask of the transaction coordinator and how its errors reach the producer, by Produce
 * version (Kafka's {@code TransactionSupportedOperation}): up to v10 a producer knows only the older errors
 * (TRANSACTION_ABORTABLE becomes INVALID_TXN_STATE), v11 knows TRANSACTION_ABORTABLE, and from v12 on (a producer on
 * transaction protocol v2, KIP-890 part 2) the leader adds the partition to the transaction itself rather than only
 * verifying it, and lets the producer see CONCURRENT_TRANSACTIONS. TxnOffsetCommit the same at v3, v4 and v5
 * ({@link #forTxnOffsetCommitVersion}). Immutable; thread-safe.
 */
public enum VerificationOperation {
    DEFAULT_ERROR,
    GENERIC_ERROR_SUPPORTED,
    ADD_PARTITION;

    /** The first Produce version whose producers add partitions through the produce path (transaction v2). */
    public static final short ADD_PARTITION_PRODUCE_VERSION = 12;

    public static VerificationOperation forProduceVersion(short version) {
        if (version >= ADD_PARTITION_PRODUCE_VERSION) {
            return ADD_PARTITION;
        }
        return version == ADD_PARTITION_PRODUCE_VERSION - 1 ? GENERIC_ERROR_SUPPORTED : DEFAULT_ERROR;
    }

    /** The first TxnOffsetCommit version whose group coordinator adds the offsets partition (transaction v2). */
    public static final short ADD_PARTITION_TXN_OFFSET_COMMIT_VERSION = 5;

    /** Kafka's {@code txnOffsetCommitRequestVersionToTransactionSupportedOperation}. */
    public static VerificationOperation forTxnOffsetCommitVersion(short version) {
        if (version >= ADD_PARTITION_TXN_OFFSET_COMMIT_VERSION) {
            return ADD_PARTITION;
        }
        return version == ADD_PARTITION_TXN_OFFSET_COMMIT_VERSION - 1 ? GENERIC_ERROR_SUPPORTED : DEFAULT_ERROR;
    }

    /** Whether the coordinator adds the partition (and the producer's epoch may be bumped per transaction). */
    public boolean supportsEpochBump() {
        return this == ADD_PARTITION;
    }
}
