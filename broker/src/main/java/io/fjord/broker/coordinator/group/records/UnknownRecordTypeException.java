package io.fjord.broker.coordinator.group.records;

/**
 * A record whose key type Fjord does not read (share and streams group records, or types newer than Fjord). A loader
 * skips such records, as Kafka skips types it does not know. Immutable.
 */
public final class UnknownRecordTypeException extends CoordinatorRecordException {
    private static final long serialVersionUID = 1L;
    private final short type;

    public UnknownRecordTypeException(short type) {
        super("unknown __consumer_offsets record type " + type);
        this.type = type;
    }

    public short type() {
        return type;
    }
}
