package io.fjord.broker.coordinator.group.internal;

/**
 * The states of a classic-protocol group, with the names Kafka reports in DescribeGroups and ListGroups. Immutable.
 */
public enum ClassicGroupState {
    /** No members; offsets may remain. */
    EMPTY("Empty"),
    /** Members must rejoin; JoinGroup requests wait. */
    PREPARING_REBALANCE("PreparingRebalance"),
    /** Join phase done; waiting for the leader's assignment in SyncGroup. */
    COMPLETING_REBALANCE("CompletingRebalance"),
    /** Assignment persisted and handed out. */
    STABLE("Stable"),
    /** Deleted or being removed. */
    DEAD("Dead");

    private final String kafkaName;

    ClassicGroupState(String kafkaName) {
        this.kafkaName = kafkaName;
    }

    public String kafkaName() {
        return kafkaName;
    }
}
