package io.fjord.broker.coordinator.group.records;

import java.util.List;

/**
 * A KIP-848 member's epochs, reconciliation state and the partitions it owns and must revoke. Version 0, flexible.
 * Immutable.
 */
public record ConsumerGroupCurrentMemberAssignmentValue(int memberEpoch, int previousMemberEpoch, byte state,
        List<TopicPartitions> assignedPartitions, List<TopicPartitions> partitionsPendingRevocation)
        implements RecordValue {
    public ConsumerGroupCurrentMemberAssignmentValue {
        assignedPartitions = List.copyOf(assignedPartitions);
        partitionsPendingRevocation = List.copyOf(partitionsPendingRevocation);
    }

    @Override
    public short version() {
        return 0;
    }

    @Override
    public void writeFields(RecordWriter writer) {
        writer.int32(memberEpoch);
        writer.int32(previousMemberEpoch);
        writer.int8(state);
        TopicPartitions.writeList(writer, assignedPartitions);
        TopicPartitions.writeList(writer, partitionsPendingRevocation);
        writer.noTaggedFields();
    }

    static ConsumerGroupCurrentMemberAssignmentValue read(RecordReader reader) {
        int memberEpoch = reader.int32();
        int previousMemberEpoch = reader.int32();
        byte state = reader.int8();
        List<TopicPartitions> assigned = TopicPartitions.readList(reader);
        List<TopicPartitions> pending = TopicPartitions.readList(reader);
        reader.taggedFields(RecordReader.NO_KNOWN_TAGS);
        return new ConsumerGroupCurrentMemberAssignmentValue(memberEpoch, previousMemberEpoch, state, assigned,
                pending);
    }
}
