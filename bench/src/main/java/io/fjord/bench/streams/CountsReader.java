package io.fjord.bench.streams;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads the word count's output topic from the beginning to its end with read_committed, keeps each word's latest
 * count and adds them up: with exactly-once processing the sum is exactly the number of words written. Not
 * thread-safe; one call per instance.
 */
final class CountsReader {
    private final Properties config;
    private final String topic;

    CountsReader(Properties clientConfig, String topic) {
        this.config = new Properties();
        this.config.putAll(clientConfig);
        this.config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.topic = topic;
    }

    /** The sum of the words' latest counts; what it has read when {@code timeout} passes before the end. */
    long sumOfFinalCounts(Duration timeout) {
        Map<String, Long> counts = new HashMap<>();
        long deadlineNanos = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, Long> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new LongDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // read_committed end offsets are the last stable offsets: read to them, then again while they still
            // move (the last transaction's markers may land after the application closed).
            Map<TopicPartition, Long> endOffsets = consumer.endOffsets(partitions);
            while (System.nanoTime() < deadlineNanos) {
                Map<TopicPartition, Long> target = endOffsets;
                while (System.nanoTime() < deadlineNanos && partitions.stream()
                        .anyMatch(partition -> consumer.position(partition) < target.get(partition))) {
                    for (ConsumerRecord<String, Long> record : consumer.poll(Duration.ofMillis(200))) {
                        counts.put(record.key(), record.value());
                    }
                }
                endOffsets = consumer.endOffsets(partitions);
                if (endOffsets.equals(target)) {
                    break;
                }
            }
        }
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }
}
