package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a producer wrote stays readable by a consumer after the node restarts (clean stop, same data). */
class RestartIT {
    @TempDir
    Path data;

    @Test
    void recordsProducedBeforeARestartAreConsumedAfterIt() throws Exception {
        List<String> sent = new ArrayList<>();
        try (FjordTestNode node = FjordTestNode.start(data, Map.of("num.partitions", "1"))) {
            Properties properties = new Properties();
            properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(properties, new StringSerializer(),
                    new StringSerializer())) {
                for (int index = 0; index < 500; index++) {
                    sent.add("record-" + index);
                    producer.send(new ProducerRecord<>("persisted", "key-" + index, "record-" + index));
                }
                producer.flush();
            }
        }
        try (FjordTestNode node = FjordTestNode.start(data, Map.of())) {
            Properties properties = new Properties();
            properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
            properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(properties, new StringDeserializer(),
                    new StringDeserializer())) {
                TopicPartition partition = new TopicPartition("persisted", 0);
                consumer.assign(List.of(partition));
                assertThat(consumer.endOffsets(List.of(partition)).get(partition)).isEqualTo(500L);
                consumer.seekToBeginning(List.of(partition));
                List<String> received = new ArrayList<>();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (received.size() < sent.size() && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                        received.add(record.value());
                    }
                }
                assertThat(received).containsExactlyElementsOf(sent);
            }
        }
    }
}
