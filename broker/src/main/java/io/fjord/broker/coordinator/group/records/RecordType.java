package io.fjord.broker.coordinator.group.records;

/**
 * The record types of {@code __consumer_offsets}: the int16 at the start of every key (Kafka calls it the key
 * version for the classic types and the record's api key for the KIP-848 ones). Immutable.
 */
public enum RecordType {
    /** Offsets written before Kafka 0.10's key version 1; same key fields as {@link #OFFSET_COMMIT}. */
    LEGACY_OFFSET_COMMIT(0),
    OFFSET_COMMIT(1),
    GROUP_METADATA(2),
    CONSUMER_GROUP_METADATA(3),
    CONSUMER_GROUP_PARTITION_METADATA(4),
    CONSUMER_GROUP_MEMBER_METADATA(5),
    CONSUMER_GROUP_TARGET_ASSIGNMENT_METADATA(6),
    CONSUMER_GROUP_TARGET_ASSIGNMENT_MEMBER(7),
    CONSUMER_GROUP_CURRENT_MEMBER_ASSIGNMENT(8),
    CONSUMER_GROUP_REGULAR_EXPRESSION(16);

    private final short id;

    RecordType(int id) {
        this.id = (short) id;
    }

    public short id() {
        return id;
    }

    /** The type with this id, or null for one Fjord does not read. */
    public static RecordType forId(short id) {
        for (RecordType type : values()) {
            if (type.id == id) {
                return type;
            }
        }
        return null;
    }
}
