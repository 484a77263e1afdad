package io.fjord.broker.coordinator.driver;

import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.coordinator.group.OffsetsPartitions;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.protocol.message.CreateTopicsRequestData;
import io.fjord.protocol.records.CompressionType;

/**
 * How {@code __consumer_offsets} is created and written, by Kafka's broker config names. Immutable.
 *
 * @param partitionCount         {@code offsets.topic.num.partitions}: used when the topic is created; afterwards the
 *                               topic's real partition count decides which partition owns a group (as in Kafka)
 * @param replicationFactor      {@code offsets.topic.replication.factor}, as configured
 * @param segmentBytes           {@code offsets.topic.segment.bytes}, the topic's {@code segment.bytes}
 * @param compression            {@code offsets.topic.compression.codec}: how the coordinator compresses its batches
 *                               (the topic itself keeps {@code compression.type=producer}, as Kafka creates it)
 * @param loadBufferSizeBytes    {@code offsets.load.buffer.size}: the read size while loading a partition
 * @param commitTimeoutMs        {@code offsets.commit.timeout.ms}: how long a coordinator reply waits for the high
 *                               watermark to pass its records before it is answered COORDINATOR_NOT_AVAILABLE
 */
public record OffsetsTopicConfig(int partitionCount, short replicationFactor, int segmentBytes,
        CompressionType compression, int loadBufferSizeBytes, long commitTimeoutMs) {

    /** Kafka's default {@code offsets.commit.timeout.ms}. */
    public static final long COMMIT_TIMEOUT_MS_DEFAULT = 5_000;

    /**
     * The topic as Kafka creates it: {@code cleanup.policy=compact}, {@code segment.bytes} and
     * {@code compression.type=producer}, with the configured replication factor: while the controller cannot
     * honour it (too few brokers) the creation fails and FindCoordinator answers COORDINATOR_NOT_AVAILABLE, as
     * Kafka's does; the topic is never created with fewer replicas, which it would keep forever. (A single node's
     * zero-configuration default is 1, as Kafka's own single-node {@code server.properties} sets it.)
     */
    public CreateTopicsRequestData.CreatableTopic creatableTopic(MetadataImage image) {
        CreateTopicsRequestData.CreatableTopic topic = new CreateTopicsRequestData.CreatableTopic()
                .setName(OffsetsPartitions.TOPIC).setNumPartitions(partitionCount)
                .setReplicationFactor(replicationFactor);
        topic.configs().add(config("cleanup.policy", "compact"));
        topic.configs().add(config("segment.bytes", String.valueOf(segmentBytes)));
        topic.configs().add(config("compression.type", "producer"));
        return topic;
    }

    private static CreateTopicsRequestData.CreatableTopicConfig config(String name, String value) {
        return new CreateTopicsRequestData.CreatableTopicConfig().setName(name).setValue(value);
    }

    public static OffsetsTopicConfig from(BrokerConfig config) {
        return new OffsetsTopicConfig(config.intValue("offsets.topic.num.partitions"),
                (short) config.intValue("offsets.topic.replication.factor"),
                config.intValue("offsets.topic.segment.bytes"),
                CompressionType.forId(config.intValue("offsets.topic.compression.codec")),
                config.intValue("offsets.load.buffer.size"), config.intValue("offsets.commit.timeout.ms"));
    }
}
