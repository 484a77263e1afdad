package io.fjord.metadata.records;

import java.util.UUID;

/** An ACL is deleted. Kafka's RemoveAccessControlEntryRecord (type 19). Immutable. */
public record RemoveAccessControlEntryRecord(UUID id) implements MetadataRecord {
    public static final short TYPE_ID = 19;

    @Override
    public short typeId() {
        return TYPE_ID;
    }
}
