package io.fjord.broker.coordinator.group.records;

/**
 * The key of a committed offset: group, topic, partition (type 1; type 0 has the same fields). Immutable.
 */
public record OffsetCommitKey(String groupId, String topic, int partition) implements RecordKey {
    @Override
    public RecordType type() {
        return RecordType.OFFSET_COMMIT;
    }

    @Override
    public void writeFields(RecordWriter writer) {
        writer.string(groupId);
        writer.string(topic);
        writer.int32(partition);
    }

    static OffsetCommitKey read(RecordReader reader) {
        return new OffsetCommitKey(reader.string(), reader.string(), reader.int32());
    }
}
