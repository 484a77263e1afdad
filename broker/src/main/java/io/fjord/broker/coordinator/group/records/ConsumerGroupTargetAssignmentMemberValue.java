package io.fjord.broker.coordinator.group.records;

import java.util.List;

/** A KIP-848 member's target assignment. Version 0, flexible. Immutable. */
public record ConsumerGroupTargetAssignmentMemberValue(List<TopicPartitions> topicPartitions) implements RecordValue {
    public ConsumerGroupTargetAssignmentMemberValue {
        topicPartitions = List.copyOf(topicPartitions);
    }

    @Override
    public short version() {
        return 0;
    }

    @Override
    public void writeFields(RecordWriter writer) {
        TopicPartitions.writeList(writer, topicPartitions);
        writer.noTaggedFields();
    }

    static ConsumerGroupTargetAssignmentMemberValue read(RecordReader reader) {
        List<TopicPartitions> topics = TopicPartitions.readList(reader);
        reader.taggedFields(RecordReader.NO_KNOWN_TAGS);
        return new ConsumerGroupTargetAssignmentMemberValue(topics);
    }
}
