package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.LogTruncationException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The unmodified kafka-clients 4.4.0 consumer validates its positions with OffsetForLeaderEpoch (KIP-320) against a
 * Fjord node: a position with a leader epoch (a committed offset, or a seek naming one) is checked before fetching.
 * A position the log holds resumes without a reset; one past the end of its epoch is reported as log truncation, which
 * only the OffsetForLeaderEpoch answer can reveal (without it the consumer would fetch and get OFFSET_OUT_OF_RANGE).
 * Bounds are liveness bounds.
 */
class OffsetForLeaderEpochIT {
    private static final String TOPIC = "validated";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);

    @TempDir
    Path data;

    private static KafkaConsumer<String, String> consumer(FjordTestNode node, String groupId, String reset) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
        if (groupId != null) {
            properties.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, reset);
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        properties.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 500);
        return new KafkaConsumer<>(properties, new StringDeserializer(), new StringDeserializer());
    }

    private static void produce(FjordTestNode node, int from, int count) throws Exception {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(properties, new StringSerializer(),
                new StringSerializer())) {
            for (int index = from; index < from + count; index++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, "key", "value-" + index)).get(20, TimeUnit.SECONDS);
            }
        }
    }

    private static List<ConsumerRecord<String, String>> pollUntil(KafkaConsumer<String, String> consumer,
            int count) {
        List<ConsumerRecord<String, String>> received = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (received.size() < count && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(500)).forEach(received::add);
        }
        return received;
    }

    @Test
    void aConsumerValidatesItsPositionsWithoutResetsAndDetectsTruncation() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, Map.of("group.initial.rebalance.delay.ms", "0"));
                Admin admin = node.admin()) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(20, TimeUnit.SECONDS);
            produce(node, 0, 10);

            int leaderEpoch;
            try (KafkaConsumer<String, String> first = consumer(node, "validators", "earliest")) {
                first.subscribe(List.of(TOPIC));
                List<ConsumerRecord<String, String>> received = pollUntil(first, 10);
                assertThat(received).extracting(ConsumerRecord::offset).containsExactlyElementsOf(
                        java.util.stream.LongStream.range(0, 10).boxed().toList());
                assertThat(received.get(9).leaderEpoch()).isPresent();
                leaderEpoch = received.get(9).leaderEpoch().get();
                first.commitSync();
                OffsetAndMetadata committed = first.committed(java.util.Set.of(PARTITION)).get(PARTITION);
                assertThat(committed.offset()).isEqualTo(10);
                assertThat(committed.leaderEpoch()).as("the commit carries the epoch to validate against")
                        .hasValue(leaderEpoch);
            }
            produce(node, 10, 5);

            // Resuming from the committed offset with epoch: validated, then read on; no reset policy needed.
            try (KafkaConsumer<String, String> second = consumer(node, "validators", "none")) {
                second.subscribe(List.of(TOPIC));
                List<ConsumerRecord<String, String>> received = pollUntil(second, 5);
                assertThat(received).extracting(ConsumerRecord::offset)
                        .containsExactly(10L, 11L, 12L, 13L, 14L);
            }

            // A position past where its epoch ends in the log: the consumer detects truncation from the answer.
            try (KafkaConsumer<String, String> third = consumer(node, null, "none")) {
                third.assign(List.of(PARTITION));
                third.seek(PARTITION, new OffsetAndMetadata(100, Optional.of(leaderEpoch), ""));
                Throwable thrown = null;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (thrown == null && System.nanoTime() < deadline) {
                    thrown = catchThrowable(() -> third.poll(Duration.ofMillis(500)));
                }
                assertThat(thrown).isInstanceOf(LogTruncationException.class);
                assertThat(((LogTruncationException) thrown).divergentOffsets().get(PARTITION))
                        .isEqualTo(new OffsetAndMetadata(15, Optional.of(leaderEpoch), ""));
            }
        }
    }
}
