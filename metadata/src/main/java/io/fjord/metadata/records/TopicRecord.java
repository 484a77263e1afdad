package io.fjord.metadata.records;

import java.util.UUID;

/** A topic exists with this name and id. Immutable. */
public record TopicRecord(String name, UUID topicId) implements MetadataRecord {
    public static final short TYPE_ID = 2;

    @Override
    public short typeId() {
        return TYPE_ID;
    }
}
