package io.fjord.broker.coordinator.group.records;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The subscribed topics' metadata of a KIP-848 group as Kafka 4.0 recorded it (replaced by the metadata hash of
 * {@link ConsumerGroupMetadataValue} from 4.1; read so that older logs load). Version 0, flexible. Immutable.
 */
public record ConsumerGroupPartitionMetadataValue(List<TopicMetadata> topics) implements RecordValue {
    public ConsumerGroupPartitionMetadataValue {
        topics = List.copyOf(topics);
    }

    @Override
    public short version() {
        return 0;
    }

    @Override
    public void writeFields(RecordWriter writer) {
        writer.compactArrayLength(topics);
        for (TopicMetadata topic : topics) {
            writer.uuid(topic.topicId());
            writer.compactString(topic.topicName());
            writer.int32(topic.numPartitions());
            writer.compactArrayLength(topic.partitionRacks());
            for (PartitionRacks racks : topic.partitionRacks()) {
                writer.int32(racks.partition());
                writer.compactStringArray(racks.racks());
                writer.noTaggedFields();
            }
            writer.noTaggedFields();
        }
        writer.noTaggedFields();
    }

    static ConsumerGroupPartitionMetadataValue read(RecordReader reader) {
        int topicCount = nonNegative(reader.compactArrayLength());
        List<TopicMetadata> topics = new ArrayList<>(topicCount);
        for (int i = 0; i < topicCount; i++) {
            UUID topicId = reader.uuid();
            String topicName = reader.compactString();
            int numPartitions = reader.int32();
            int rackCount = nonNegative(reader.compactArrayLength());
            List<PartitionRacks> partitionRacks = new ArrayList<>(rackCount);
            for (int j = 0; j < rackCount; j++) {
                int partition = reader.int32();
                List<String> racks = reader.compactStringArray();
                reader.taggedFields(RecordReader.NO_KNOWN_TAGS);
                partitionRacks.add(new PartitionRacks(partition, racks == null ? List.of() : racks));
            }
            reader.taggedFields(RecordReader.NO_KNOWN_TAGS);
            topics.add(new TopicMetadata(topicId, topicName, numPartitions, partitionRacks));
        }
        reader.taggedFields(RecordReader.NO_KNOWN_TAGS);
        return new ConsumerGroupPartitionMetadataValue(topics);
    }

    private static int nonNegative(int count) {
        if (count < 0) {
            throw new CoordinatorRecordException("null array in ConsumerGroupPartitionMetadataValue");
        }
        return count;
    }

    /** One subscribed topic. Immutable. */
    public record TopicMetadata(UUID topicId, String topicName, int numPartitions, List<PartitionRacks> partitionRacks) {
        public TopicMetadata {
            partitionRacks = List.copyOf(partitionRacks);
        }
    }

    /** The racks of one partition's replicas (unused since Kafka 4.0). Immutable. */
    public record PartitionRacks(int partition, List<String> racks) {
        public PartitionRacks {
            racks = List.copyOf(racks);
        }
    }
}
