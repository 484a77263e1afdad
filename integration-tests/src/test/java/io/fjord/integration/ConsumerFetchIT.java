package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.Record;
import io.fjord.server.FjordNode;
import io.fjord.storage.PartitionLog;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The unmodified kafka-clients 4.4.0 consumer (assign mode) reads from a Fjord node: Fetch with sessions and long
 * polls, and ListOffsets through beginningOffsets, endOffsets and offsetsForTimes. Until Produce exists, records are
 * appended to the node's log directly.
 */
class ConsumerFetchIT {
    private static final long BASE_TIMESTAMP = 1_700_000_000_000L;

    @TempDir
    Path data;

    private static KafkaConsumer<String, String> consumer(FjordTestNode node) {
        return consumer(node, Map.of());
    }

    private static KafkaConsumer<String, String> consumer(FjordTestNode node, Map<String, Object> extra) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        properties.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        properties.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        properties.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 1_000);
        properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1_000);
        properties.putAll(extra);
        return new KafkaConsumer<>(properties);
    }

    /** Appends one batch as the produce path will, and tells waiting fetches. */
    private static void append(FjordNode node, String topic, int partition, long timestamp, String... values) {
        io.fjord.storage.TopicPartition topicPartition = new io.fjord.storage.TopicPartition(topic, partition);
        PartitionLog log = await().atMost(Duration.ofSeconds(20))
                .until(() -> node.logManager().getLog(topicPartition).orElse(null), found -> found != null);
        List<Record> records = new ArrayList<>();
        for (int index = 0; index < values.length; index++) {
            records.add(new Record(index, timestamp + index, utf8("key-" + values[index]), utf8(values[index]),
                    List.of()));
        }
        log.appendAsLeader(RecordCodec.encode(BatchSpec.plain(0, CompressionType.NONE), records),
                node.metadataCache().image().topic(topic).orElseThrow().partitions().get(partition).leaderEpoch());
        log.updateHighWatermark(log.logEndOffset());
        node.fetchHandler().onPartitionChanged(topicPartition);
    }

    private static ByteBuffer utf8(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    private static List<ConsumerRecord<String, String>> pollUntil(KafkaConsumer<String, String> consumer,
            int count) {
        List<ConsumerRecord<String, String>> received = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (received.size() < count && System.nanoTime() < deadline) {
            ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
            records.forEach(received::add);
        }
        return received;
    }

    @Test
    void anAssignedConsumerReadsRecordsAndListsOffsets() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, Map.of()); Admin admin = node.admin()) {
            admin.createTopics(List.of(new NewTopic("events", 2, (short) 1))).all().get(20, TimeUnit.SECONDS);
            append(node.node(), "events", 0, BASE_TIMESTAMP, "a", "b", "c");
            append(node.node(), "events", 0, BASE_TIMESTAMP + 1_000, "d", "e");
            append(node.node(), "events", 1, BASE_TIMESTAMP + 2_000, "x");

            TopicPartition first = new TopicPartition("events", 0);
            TopicPartition second = new TopicPartition("events", 1);
            try (KafkaConsumer<String, String> consumer = consumer(node)) {
                consumer.assign(List.of(first, second));
                consumer.seekToBeginning(List.of(first, second));
                List<ConsumerRecord<String, String>> received = pollUntil(consumer, 6);
                assertThat(received).filteredOn(record -> record.partition() == 0)
                        .extracting(ConsumerRecord::offset, ConsumerRecord::key, ConsumerRecord::value)
                        .containsExactly(
                                org.assertj.core.groups.Tuple.tuple(0L, "key-a", "a"),
                                org.assertj.core.groups.Tuple.tuple(1L, "key-b", "b"),
                                org.assertj.core.groups.Tuple.tuple(2L, "key-c", "c"),
                                org.assertj.core.groups.Tuple.tuple(3L, "key-d", "d"),
                                org.assertj.core.groups.Tuple.tuple(4L, "key-e", "e"));
                assertThat(received).filteredOn(record -> record.partition() == 1)
                        .extracting(ConsumerRecord::value, ConsumerRecord::timestamp)
                        .containsExactly(org.assertj.core.groups.Tuple.tuple("x", BASE_TIMESTAMP + 2_000));

                assertThat(consumer.beginningOffsets(List.of(first, second))).isEqualTo(Map.of(first, 0L, second, 0L));
                assertThat(consumer.endOffsets(List.of(first, second))).isEqualTo(Map.of(first, 5L, second, 1L));
                Map<TopicPartition, OffsetAndTimestamp> byTime = consumer.offsetsForTimes(Map.of(
                        first, BASE_TIMESTAMP + 500, second, BASE_TIMESTAMP + 10_000));
                assertThat(byTime.get(first).offset()).isEqualTo(3);
                assertThat(byTime.get(first).timestamp()).isEqualTo(BASE_TIMESTAMP + 1_000);
                assertThat(byTime.get(second)).isNull();

                // A long poll in the consumer's thread is answered once new records arrive.
                CompletableFuture<List<ConsumerRecord<String, String>>> later =
                        CompletableFuture.supplyAsync(() -> pollUntil(consumer, 1));
                append(node.node(), "events", 1, BASE_TIMESTAMP + 3_000, "y");
                assertThat(later.get(40, TimeUnit.SECONDS)).extracting(ConsumerRecord::offset, ConsumerRecord::value)
                        .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, "y"));
                assertThat(consumer.position(second)).isEqualTo(2);
            }
        }
    }

    @Test
    void aConsumerOutOfRangeResetsToTheEarliestOffset() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, Map.of()); Admin admin = node.admin()) {
            admin.createTopics(List.of(new NewTopic("reset", 1, (short) 1))).all().get(20, TimeUnit.SECONDS);
            append(node.node(), "reset", 0, BASE_TIMESTAMP, "a", "b");
            TopicPartition partition = new TopicPartition("reset", 0);
            try (KafkaConsumer<String, String> consumer = consumer(node,
                    Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"))) {
                consumer.assign(List.of(partition));
                consumer.seek(partition, 100);
                // Fetching at 100 is OFFSET_OUT_OF_RANGE; the consumer resets to the earliest offset and reads on.
                assertThat(pollUntil(consumer, 2)).extracting(ConsumerRecord::offset, ConsumerRecord::value)
                        .containsExactly(org.assertj.core.groups.Tuple.tuple(0L, "a"),
                                org.assertj.core.groups.Tuple.tuple(1L, "b"));
                assertThat(consumer.position(partition)).isEqualTo(2);
            }
        }
    }

    @Test
    void aLongPollingConsumerReceivesWhatAProducerSends() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, Map.of()); Admin admin = node.admin()) {
            admin.createTopics(List.of(new NewTopic("live", 1, (short) 1))).all().get(20, TimeUnit.SECONDS);
            TopicPartition partition = new TopicPartition("live", 0);
            Properties producerProperties = new Properties();
            producerProperties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
            producerProperties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            producerProperties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            producerProperties.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
            producerProperties.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
            producerProperties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
            try (KafkaConsumer<String, String> consumer = consumer(node,
                    Map.of(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20_000));
                 KafkaProducer<String, String> producer = new KafkaProducer<>(producerProperties)) {
                consumer.assign(List.of(partition));
                consumer.seekToBeginning(List.of(partition));
                assertThat(consumer.position(partition)).isZero();
                // The consumer's fetches wait up to 20 s; the produce path must wake them as records arrive.
                CompletableFuture<List<ConsumerRecord<String, String>>> received =
                        CompletableFuture.supplyAsync(() -> pollUntil(consumer, 100));
                long sentNanos = System.nanoTime();
                for (int index = 0; index < 100; index++) {
                    producer.send(new ProducerRecord<>("live", "key-" + index, "value-" + index));
                }
                producer.flush();
                List<ConsumerRecord<String, String>> records = received.get(40, TimeUnit.SECONDS);
                assertThat(Duration.ofNanos(System.nanoTime() - sentNanos)).as("woken before the fetch wait ends")
                        .isLessThan(Duration.ofSeconds(15));
                assertThat(records).hasSize(100);
                assertThat(records).extracting(ConsumerRecord::value).startsWith("value-0", "value-1")
                        .endsWith("value-99");
                assertThat(records).extracting(ConsumerRecord::offset).isSorted();
                assertThat(consumer.position(partition)).isEqualTo(100);
                // The next fetch is parked for 20 s and answers come in order on a connection (as with Kafka), so
                // closing does not wait for the session-closing fetch behind it.
                consumer.close(CloseOptions.timeout(Duration.ofMillis(500)));
            }
        }
    }
}
