package io.fjord.broker.coordinator.group.records;

import java.util.List;

/**
 * The topics a KIP-848 group's subscription regular expression resolved to, at which metadata version and when.
 * Version 0, flexible. Immutable.
 */
public record ConsumerGroupRegularExpressionValue(List<String> topics, long metadataVersion, long timestampMs)
        implements RecordValue {
    public ConsumerGroupRegularExpressionValue {
        topics = List.copyOf(topics);
    }

    @Override
    public short version() {
        return 0;
    }

    @Override
    public void writeFields(RecordWriter writer) {
        writer.compactStringArray(topics);
        writer.int64(metadataVersion);
        writer.int64(timestampMs);
        writer.noTaggedFields();
    }

    static ConsumerGroupRegularExpressionValue read(RecordReader reader) {
        List<String> topics = reader.compactStringArray();
        if (topics == null) {
            throw new CoordinatorRecordException("null topics");
        }
        long version = reader.int64();
        long timestampMs = reader.int64();
        reader.taggedFields(RecordReader.NO_KNOWN_TAGS);
        return new ConsumerGroupRegularExpressionValue(topics, version, timestampMs);
    }
}
