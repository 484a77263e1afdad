package io.fjord.broker.coordinator.group.internal;

/** The states of a KIP-848 group, derived from its epochs and members, with Kafka's names. Immutable. */
public enum ConsumerGroupState {
    EMPTY("Empty"),
    /** The group epoch is ahead of the target assignment epoch: a new target is due. */
    ASSIGNING("Assigning"),
    /** Some member is not yet at the target epoch, or waits for revocations or releases. */
    RECONCILING("Reconciling"),
    STABLE("Stable"),
    DEAD("Dead");

    private final String kafkaName;

    ConsumerGroupState(String kafkaName) {
        this.kafkaName = kafkaName;
    }

    public String kafkaName() {
        return kafkaName;
    }
}
