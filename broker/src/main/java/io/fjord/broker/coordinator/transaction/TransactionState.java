package io.fjord.broker.coordinator.transaction;

/**
 * Kafka's transaction states with their ids in {@code TransactionLogValue} and their names in DescribeTransactions
 * and ListTransactions. {@link #PREPARE_EPOCH_FENCE} is a step inside Kafka's coordinator that never reaches the log
 * (the fence is written as PrepareAbort at the bumped epoch); Fjord takes the same step inside one call.
 * {@link #DEAD} is written as a tombstone. Immutable.
 */
public enum TransactionState {
    EMPTY((byte) 0, "Empty", true),
    ONGOING((byte) 1, "Ongoing", false),
    PREPARE_COMMIT((byte) 2, "PrepareCommit", false),
    PREPARE_ABORT((byte) 3, "PrepareAbort", false),
    COMPLETE_COMMIT((byte) 4, "CompleteCommit", true),
    COMPLETE_ABORT((byte) 5, "CompleteAbort", true),
    DEAD((byte) 6, "Dead", false),
    PREPARE_EPOCH_FENCE((byte) 7, "PrepareEpochFence", false);

    private final byte id;
    private final String stateName;
    private final boolean expirationAllowed;

    TransactionState(byte id, String stateName, boolean expirationAllowed) {
        this.id = id;
        this.stateName = stateName;
        this.expirationAllowed = expirationAllowed;
    }

    public byte id() {
        return id;
    }

    /** The name clients see (DescribeTransactions, ListTransactions filters). */
    public String stateName() {
        return stateName;
    }

    /** Whether an idle transactional id in this state may expire ({@code transactional.id.expiration.ms}). */
    public boolean isExpirationAllowed() {
        return expirationAllowed;
    }

    /** Whether the coordinator waits for markers in this state. */
    public boolean isPreparing() {
        return this == PREPARE_COMMIT || this == PREPARE_ABORT;
    }

    public boolean isComplete() {
        return this == COMPLETE_COMMIT || this == COMPLETE_ABORT;
    }

    /** The state of an id, or null for an unknown one. */
    public static TransactionState forId(byte id) {
        for (TransactionState state : values()) {
            if (state.id == id) {
                return state;
            }
        }
        return null;
    }

    /** The state of a client-visible name, or null for an unknown one. */
    public static TransactionState forName(String name) {
        for (TransactionState state : values()) {
            if (state.stateName.equals(name)) {
                return state;
            }
        }
        return null;
    }
}
