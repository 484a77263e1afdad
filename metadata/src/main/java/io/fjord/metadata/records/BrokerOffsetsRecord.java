package io.fjord.metadata.records;

/**
 * The metadata offsets of one broker registration that replay otherwise takes from the records' own offsets, written
 * only into metadata snapshots (Fjord's own record), right after the registration it completes. Applies only to the
 * registration with {@code brokerEpoch}. Immutable.
 *
 * @param registeredOffset         the offset of the registration's record
 * @param controlledShutdownOffset the offset at which the broker entered controlled shutdown, -1 when it is not in
 *                                 controlled shutdown
 */
public record BrokerOffsetsRecord(int brokerId, long brokerEpoch, long registeredOffset,
                                  long controlledShutdownOffset) implements MetadataRecord {
    /** Fjord's own type id, far from Kafka's so that a Kafka type added later never collides. */
    public static final short TYPE_ID = 10_001;

    @Override
    public short typeId() {
        return TYPE_ID;
    }
}
