package io.fjord.broker.coordinator.group.records;

/**
 * A key holding only the group id: {@link RecordType#GROUP_METADATA}, {@link RecordType#CONSUMER_GROUP_METADATA},
 * {@link RecordType#CONSUMER_GROUP_PARTITION_METADATA} and {@link RecordType#CONSUMER_GROUP_TARGET_ASSIGNMENT_METADATA}.
 * Immutable.
 */
public record GroupKey(RecordType type, String groupId) implements RecordKey {
    public static GroupKey groupMetadata(String groupId) {
        return new GroupKey(RecordType.GROUP_METADATA, groupId);
    }

    @Override
    public void writeFields(RecordWriter writer) {
        writer.string(groupId);
    }
}
