package io.fjord.metadata.records;

/**
 * The parts of a metadata image that no other record holds, written only into metadata snapshots (Fjord's own record:
 * Kafka's image keeps no such state). Replaying it raises the image's offset and its highest broker epoch to these
 * values, so it may appear anywhere among a snapshot's records. Immutable.
 *
 * @param imageOffset     the offset of the last metadata entry whose records the image holds, -1 for none
 * @param lastBrokerEpoch the highest broker epoch any registration got (it outlives unregistered brokers), -1 for none
 */
public record ImageStateRecord(long imageOffset, long lastBrokerEpoch) implements MetadataRecord {
    /** Fjord's own type id, far from Kafka's so that a Kafka type added later never collides. */
    public static final short TYPE_ID = 10_000;

    @Override
    public short typeId() {
        return TYPE_ID;
    }
}
