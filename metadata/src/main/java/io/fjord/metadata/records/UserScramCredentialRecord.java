package io.fjord.metadata.records;

import io.fjord.metadata.scram.ScramCredential;

/**
 * A user's SCRAM credential for one mechanism is set (created or replaced). Kafka's UserScramCredentialRecord
 * (type 11). Immutable.
 *
 * @param mechanism Kafka's SCRAM mechanism type ({@code ScramMechanism.type()})
 */
public record UserScramCredentialRecord(String name, byte mechanism, ScramCredential credential)
        implements MetadataRecord {
    public static final short TYPE_ID = 11;

    @Override
    public short typeId() {
        return TYPE_ID;
    }
}
