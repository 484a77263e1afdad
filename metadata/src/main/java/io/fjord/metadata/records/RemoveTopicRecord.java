package io.fjord.metadata.records;

import java.util.UUID;

/** The topic with this id is deleted, with all its partitions and configs. Immutable. */
public record RemoveTopicRecord(UUID topicId) implements MetadataRecord {
    public static final short TYPE_ID = 9;

    @Override
    public short typeId() {
        return TYPE_ID;
    }
}
