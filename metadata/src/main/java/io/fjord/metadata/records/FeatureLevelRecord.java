package io.fjord.metadata.records;

/** A feature is finalized at a level; level 0 removes it. Kafka's FeatureLevelRecord. Immutable. */
public record FeatureLevelRecord(String name, short featureLevel) implements MetadataRecord {
    public static final short TYPE_ID = 12;

    @Override
    public short typeId() {
        return TYPE_ID;
    }
}
