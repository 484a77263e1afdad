package io.fjord.broker.coordinator.group.internal;

/**
 * Where a KIP-848 member is in reconciling towards its target assignment, with the byte Kafka records for it.
 * Immutable.
 */
public enum ConsumerMemberState {
    /** The member owns its target assignment at the target epoch. */
    STABLE(0),
    /** The member must revoke partitions first; it stays at its epoch until it acknowledges the revocation. */
    UNREVOKED_PARTITIONS(1),
    /** The member is at the target epoch but waits for partitions other members still own. */
    UNRELEASED_PARTITIONS(2),
    UNKNOWN(127);

    private final byte value;

    ConsumerMemberState(int value) {
        this.value = (byte) value;
    }

    public byte value() {
        return value;
    }

    public static ConsumerMemberState forValue(byte value) {
        for (ConsumerMemberState state : values()) {
            if (state.value == value) {
                return state;
            }
        }
        return UNKNOWN;
    }
}
