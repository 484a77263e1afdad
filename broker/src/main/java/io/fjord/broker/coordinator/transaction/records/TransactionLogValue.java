package io.fjord.broker.coordinator.transaction.records;

import io.fjord.broker.coordinator.group.records.CoordinatorRecordException;
import io.fjord.broker.coordinator.group.records.RecordReader;
import io.fjord.broker.coordinator.group.records.RecordWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Kafka's {@code TransactionLogValue}, versions 0 and 1. Version 1 is flexible and carries the KIP-890 fields as
 * tagged fields: previous producer id (tag 0), next producer id (tag 1), the client's transaction version (tag 2)
 * and the next producer epoch (tag 3). Kafka writes version 1 when the cluster's {@code transaction.version} is 1 or
 * more, version 0 otherwise; Fjord does the same. Immutable.
 *
 * @param version the value version this value is written in (0 or 1)
 * @param transactionStatus Kafka's state id (0 Empty ... 7 PrepareEpochFence)
 * @param partitions null in the Empty state, as Kafka writes it
 */
public record TransactionLogValue(short version, long producerId, long previousProducerId, long nextProducerId,
        short producerEpoch, short nextProducerEpoch, int transactionTimeoutMs, byte transactionStatus,
        List<TransactionPartitions> partitions, long lastUpdateTimestampMs, long startTimestampMs,
        short clientTransactionVersion) {
    public static final short HIGHEST_VERSION = 1;
    private static final int TAG_PREVIOUS_PRODUCER_ID = 0;
    private static final int TAG_NEXT_PRODUCER_ID = 1;
    private static final int TAG_CLIENT_TRANSACTION_VERSION = 2;
    private static final int TAG_NEXT_PRODUCER_EPOCH = 3;

    public TransactionLogValue {
        if (version < 0 || version > HIGHEST_VERSION) {
            throw new IllegalArgumentException("unknown TransactionLogValue version " + version);
        }
        partitions = partitions == null ? null : List.copyOf(partitions);
    }

    void writeFields(RecordWriter writer) {
        boolean flexible = version >= 1;
        writer.int64(producerId);
        writer.int16(producerEpoch);
        writer.int32(transactionTimeoutMs);
        writer.int8(transactionStatus);
        writer.arrayLength(partitions, flexible);
        if (partitions != null) {
            for (TransactionPartitions topic : partitions) {
                writer.string(topic.topic(), flexible);
                writer.arrayLength(topic.partitionIds(), flexible);
                for (int partition : topic.partitionIds()) {
                    writer.int32(partition);
                }
                if (flexible) {
                    writer.noTaggedFields();
                }
            }
        }
        writer.int64(lastUpdateTimestampMs);
        writer.int64(startTimestampMs);
        if (flexible) {
            writeTaggedFields(writer);
        }
    }

    /** Tagged fields in ascending tag order, each left out at its default, as Kafka's generated code writes them. */
    private void writeTaggedFields(RecordWriter writer) {
        List<Integer> tags = new ArrayList<>(4);
        List<RecordWriter> fields = new ArrayList<>(4);
        if (previousProducerId != -1L) {
            RecordWriter field = new RecordWriter();
            field.int64(previousProducerId);
            tags.add(TAG_PREVIOUS_PRODUCER_ID);
            fields.add(field);
        }
        if (nextProducerId != -1L) {
            RecordWriter field = new RecordWriter();
            field.int64(nextProducerId);
            tags.add(TAG_NEXT_PRODUCER_ID);
            fields.add(field);
        }
        if (clientTransactionVersion != 0) {
            RecordWriter field = new RecordWriter();
            field.int16(clientTransactionVersion);
            tags.add(TAG_CLIENT_TRANSACTION_VERSION);
            fields.add(field);
        }
        if (nextProducerEpoch != -1) {
            RecordWriter field = new RecordWriter();
            field.int16(nextProducerEpoch);
            tags.add(TAG_NEXT_PRODUCER_EPOCH);
            fields.add(field);
        }
        writer.unsignedVarint(tags.size());
        for (int i = 0; i < tags.size(); i++) {
            writer.taggedField(tags.get(i), fields.get(i));
        }
    }

    static TransactionLogValue read(RecordReader reader, short version) {
        if (version < 0 || version > HIGHEST_VERSION) {
            throw new UnknownTransactionRecordException("unknown TransactionLogValue version " + version);
        }
        boolean flexible = version >= 1;
        long producerId = reader.int64();
        short producerEpoch = reader.int16();
        int transactionTimeoutMs = reader.int32();
        byte transactionStatus = reader.int8();
        List<TransactionPartitions> partitions = readPartitions(reader, flexible);
        long lastUpdateTimestampMs = reader.int64();
        long startTimestampMs = reader.int64();
        long[] longTags = {-1L, -1L};
        short[] shortTags = {0, -1};
        if (flexible) {
            reader.taggedFields((tag, field) -> {
                switch (tag) {
                    case TAG_PREVIOUS_PRODUCER_ID -> longTags[0] = field.int64();
                    case TAG_NEXT_PRODUCER_ID -> longTags[1] = field.int64();
                    case TAG_CLIENT_TRANSACTION_VERSION -> shortTags[0] = field.int16();
                    case TAG_NEXT_PRODUCER_EPOCH -> shortTags[1] = field.int16();
                    default -> {
                        return false;
                    }
                }
                return true;
            });
        }
        return new TransactionLogValue(version, producerId, longTags[0], longTags[1], producerEpoch, shortTags[1],
                transactionTimeoutMs, transactionStatus, partitions, lastUpdateTimestampMs, startTimestampMs,
                shortTags[0]);
    }

    private static List<TransactionPartitions> readPartitions(RecordReader reader, boolean flexible) {
        int topicCount = reader.arrayLength(flexible);
        if (topicCount < 0) {
            return null;
        }
        List<TransactionPartitions> partitions = new ArrayList<>(topicCount);
        for (int i = 0; i < topicCount; i++) {
            String topic = reader.string(flexible);
            if (topic == null) {
                throw new CoordinatorRecordException("null topic in a TransactionLogValue");
            }
            int partitionCount = reader.arrayLength(flexible);
            if (partitionCount < 0) {
                throw new CoordinatorRecordException("null partition list in a TransactionLogValue");
            }
            List<Integer> ids = new ArrayList<>(partitionCount);
            for (int j = 0; j < partitionCount; j++) {
                ids.add(reader.int32());
            }
            if (flexible) {
                reader.taggedFields(RecordReader.NO_KNOWN_TAGS);
            }
            partitions.add(new TransactionPartitions(topic, ids));
        }
        return partitions;
    }
}
