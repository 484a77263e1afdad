package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An acks=0 producer (idempotence off) that flushes and closes loses nothing: Kafka handles every complete request it
 * read before the client closed the connection, and so must Fjord, whatever its back-pressure when the close
 * arrives. The node is made slow to drain on purpose (one request thread, a tiny request queue and request memory),
 * so the producer's last requests are still queued or waiting for memory when its connection closes.
 */
class AcksZeroCloseIT {
    private static final int RECORDS = 5_000;
    private static final int ROUNDS = 5;

    @TempDir
    Path data;

    private static KafkaProducer<String, String> producer(FjordTestNode node) {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
        properties.put(ProducerConfig.ACKS_CONFIG, "0");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        properties.put(ProducerConfig.BATCH_SIZE_CONFIG, 1024); // many small requests
        properties.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return new KafkaProducer<>(properties, new StringSerializer(), new StringSerializer());
    }

    private static KafkaConsumer<String, String> consumer(FjordTestNode node) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(properties, new StringDeserializer(), new StringDeserializer());
    }

    @Test
    void everyRecordOfAnAcksZeroProducerThatFlushesAndClosesIsStored() throws Exception {
        Map<String, String> slowToDrain = Map.of(
                "num.io.threads", "1",
                "queued.max.requests", "1",
                "queued.max.request.bytes", "4096");
        try (FjordTestNode node = FjordTestNode.start(data, slowToDrain); Admin admin = node.admin()) {
            for (int round = 0; round < ROUNDS; round++) {
                String topic = "acks-zero-" + round;
                admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(20, TimeUnit.SECONDS);
                try (KafkaProducer<String, String> producer = producer(node)) {
                    for (int index = 0; index < RECORDS; index++) {
                        producer.send(new ProducerRecord<>(topic, index % 2, null, "value-" + index));
                    }
                    producer.flush();
                }
                assertThat(countRecords(node, topic, RECORDS)).as("records stored in round %d", round)
                        .isEqualTo(RECORDS);
            }
        }
    }

    /**
     * Reads the topic from the beginning until {@code expected} records arrived or nothing new came for a while
     * (the last requests may still be in the node's queue when the producer returns); a few more are read if there.
     */
    private static int countRecords(FjordTestNode node, String topic, int expected) {
        List<TopicPartition> partitions = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
        try (KafkaConsumer<String, String> consumer = consumer(node)) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            int count = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (count < expected && System.nanoTime() < deadline) {
                count += consumer.poll(Duration.ofMillis(500)).count();
            }
            count += consumer.poll(Duration.ofMillis(500)).count(); // anything beyond the expected count
            return count;
        }
    }
}
