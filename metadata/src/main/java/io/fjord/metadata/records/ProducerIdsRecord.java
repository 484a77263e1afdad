package io.fjord.metadata.records;

/**
 * A block of producer ids was handed out: every id below {@code nextProducerId} is taken. Immutable.
 */
public record ProducerIdsRecord(int brokerId, long nextProducerId) implements MetadataRecord {
    public static final short TYPE_ID = 15;

    @Override
    public short typeId() {
        return TYPE_ID;
    }
}
