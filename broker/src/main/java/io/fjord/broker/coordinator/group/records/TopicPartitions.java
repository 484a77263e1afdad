package io.fjord.broker.coordinator.group.records;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Partitions of one topic in a KIP-848 assignment record, with, in current assignments, the epoch at which each
 * partition was assigned (tagged field 0; null when absent). Immutable.
 */
public record TopicPartitions(UUID topicId, List<Integer> partitions, List<Integer> assignmentEpochs) {
    public TopicPartitions {
        partitions = List.copyOf(partitions);
        assignmentEpochs = assignmentEpochs == null ? null : List.copyOf(assignmentEpochs);
    }

    void writeFields(RecordWriter writer) {
        writer.uuid(topicId);
        writer.compactInt32Array(partitions);
        RecordWriter epochs = null;
        if (assignmentEpochs != null) {
            epochs = new RecordWriter();
            epochs.compactInt32Array(assignmentEpochs);
        }
        writer.optionalTaggedField(0, epochs);
    }

    static TopicPartitions read(RecordReader reader) {
        UUID topicId = reader.uuid();
        List<Integer> partitions = reader.compactInt32Array();
        List<List<Integer>> epochs = new ArrayList<>(1);
        epochs.add(null);
        reader.taggedFields((tag, fieldReader) -> {
            if (tag != 0) {
                return false;
            }
            epochs.set(0, fieldReader.compactInt32Array());
            return true;
        });
        if (partitions == null) {
            throw new CoordinatorRecordException("null partitions");
        }
        return new TopicPartitions(topicId, partitions, epochs.get(0));
    }

    static void writeList(RecordWriter writer, List<TopicPartitions> list) {
        writer.compactArrayLength(list);
        for (TopicPartitions topic : list) {
            topic.writeFields(writer);
        }
    }

    static List<TopicPartitions> readList(RecordReader reader) {
        int count = reader.compactArrayLength();
        if (count < 0) {
            throw new CoordinatorRecordException("null topic partitions list");
        }
        List<TopicPartitions> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            list.add(read(reader));
        }
        return list;
    }
}
