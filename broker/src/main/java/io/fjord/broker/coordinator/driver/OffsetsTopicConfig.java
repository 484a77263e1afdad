package io.fjord.broker.coordinator.driver;

import io.fjord.broker.config.BrokerConfig;
import io.fjord.protocol.records.CompressionType;

/**
 * How {@code __consumer_offsets} is created and written, by Kafka's broker config names. Immutable.
 *
 * @param partitionCount         {@code offsets.topic.num.partitions}: used when the topic is created; afterwards the
 *                               topic's real partition count decides which partition owns a group (as in Kafka)
 * @param replicationFactor      {@code offsets.topic.replication.factor}; capped at the registered brokers
 * @param segmentBytes           {@code offsets.topic.segment.bytes}, the topic's {@code segment.bytes}
 * @param compression            {@code offsets.topic.compression.codec}: how the coordinator compresses its batches
 *                               (the topic itself keeps {@code compression.type=producer}, as Kafka creates it)
 * @param loadBufferSizeBytes    {@code offsets.load.buffer.size}: the read size while loading a partition
 */
public record OffsetsTopicConfig(int partitionCount, short replicationFactor, int segmentBytes,
        CompressionType compression, int loadBufferSizeBytes) {

    public static OffsetsTopicConfig from(BrokerConfig config) {
        return new OffsetsTopicConfig(config.intValue("offsets.topic.num.partitions"),
                (short) config.intValue("offsets.topic.replication.factor"),
                config.intValue("offsets.topic.segment.bytes"),
                CompressionType.forId(config.intValue("offsets.topic.compression.codec")),
                config.intValue("offsets.load.buffer.size"));
    }
}
