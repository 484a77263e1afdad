package io.fjord.broker.coordinator.group.records;

/**
 * A KIP-848 group's target assignment epoch and, as tagged field 0 (KIP-1263), when the assignment was computed.
 * Version 0, flexible. Immutable.
 */
public record ConsumerGroupTargetAssignmentMetadataValue(int assignmentEpoch, long assignmentTimestampMs)
        implements RecordValue {
    @Override
    public short version() {
        return 0;
    }

    @Override
    public void writeFields(RecordWriter writer) {
        writer.int32(assignmentEpoch);
        writer.optionalTaggedInt64(0, assignmentTimestampMs);
    }

    static ConsumerGroupTargetAssignmentMetadataValue read(RecordReader reader) {
        int epoch = reader.int32();
        long timestamp = reader.taggedInt64(0);
        return new ConsumerGroupTargetAssignmentMetadataValue(epoch, timestamp);
    }
}
