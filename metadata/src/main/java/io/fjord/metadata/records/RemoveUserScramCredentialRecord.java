package io.fjord.metadata.records;

/** A user's SCRAM credential for one mechanism is deleted. Kafka's RemoveUserScramCredentialRecord (type 22). Immutable. */
public record RemoveUserScramCredentialRecord(String name, byte mechanism) implements MetadataRecord {
    public static final short TYPE_ID = 22;

    @Override
    public short typeId() {
        return TYPE_ID;
    }
}
