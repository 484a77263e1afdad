package io.fjord.integration;

import static io.fjord.integration.TransactionalClients.BOUND;
import static io.fjord.integration.TransactionalClients.createTopic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An unmodified Kafka Streams 4.4.0 word count with {@code processing.guarantee=exactly_once_v2} against one Fjord
 * node: a repartition topic, a state store with its changelog, transactional output. It reaches RUNNING (it does not
 * stay in REBALANCING), its counts are exact, and after the instance is closed and a new one starts with an empty
 * state directory (restoring the store from the changelog), the counts carry on exactly: under read_committed each
 * word's counts only ever rise, one by one or in steps, never repeat, and end at the true count.
 */
class StreamsExactlyOnceIT {
    private static final String INPUT = "sentences";
    private static final String OUTPUT = "word-counts";
    private static final List<String> WORDS = List.of("fjord", "kafka", "stream", "commit", "offset");

    @TempDir
    Path data;

    @TempDir
    Path state;

    @Test
    void anExactlyOnceWordCountIsExactAcrossARestartOfTheInstance() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, TransactionalClients.singleNodeConfig());
             Admin admin = node.admin()) {
            createTopic(admin, INPUT, 2, 1);
            createTopic(admin, OUTPUT, 2, 1);
            Map<String, Long> expected = new HashMap<>();

            produceWords(node, 0, 40, expected);
            KafkaStreams first = start(node, state.resolve("first"));
            try {
                awaitCounts(node, expected);
            } finally {
                first.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                        .withTimeout(BOUND));
            }
            assertThat(first.state()).isEqualTo(KafkaStreams.State.NOT_RUNNING);

            produceWords(node, 40, 70, expected);
            KafkaStreams second = start(node, state.resolve("second"));
            try {
                awaitCounts(node, expected);
            } finally {
                second.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                        .withTimeout(BOUND));
            }
            assertCountsOnlyRise(node, expected);
        }
    }

    /** Sentences {@code from} to {@code to}: sentence n holds the words n % 5 and (n * 3) % 5 (and so on), counted. */
    private static void produceWords(FjordTestNode node, int from, int to, Map<String, Long> expected)
            throws Exception {
        Properties config = ClientConfigs.acksAllProducer(node.bootstrapServers());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            for (int sentence = from; sentence < to; sentence++) {
                List<String> words = new ArrayList<>();
                words.add(WORDS.get(sentence % WORDS.size()));
                words.add(WORDS.get((sentence * 3) % WORDS.size()));
                if (sentence % 4 == 0) {
                    words.add(WORDS.get((sentence / 4) % WORDS.size()));
                }
                words.forEach(word -> expected.merge(word, 1L, Long::sum));
                producer.send(new ProducerRecord<>(INPUT, "s" + sentence, String.join(" ", words)));
            }
            producer.flush();
        }
    }

    private static KafkaStreams start(FjordTestNode node, Path stateDirectory) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(INPUT, Consumed.with(Serdes.String(), Serdes.String()))
                .flatMapValues(sentence -> List.of(sentence.split(" ")))
                .groupBy((key, word) -> word, Grouped.with(Serdes.String(), Serdes.String()))
                .count(Materialized.as("word-counts-store"))
                .toStream()
                .to(OUTPUT, Produced.with(Serdes.String(), Serdes.Long()));
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "word-count");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDirectory.toString());
        config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
        config.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        config.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        config.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        config.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 1_000);
        KafkaStreams streams = new KafkaStreams(builder.build(), config);
        List<KafkaStreams.State> states = new CopyOnWriteArrayList<>();
        streams.setStateListener((newState, oldState) -> states.add(newState));
        streams.start();
        await().atMost(BOUND).until(() -> streams.state() == KafkaStreams.State.RUNNING
                || streams.state() == KafkaStreams.State.ERROR);
        assertThat(streams.state()).as("states passed: %s", states).isEqualTo(KafkaStreams.State.RUNNING);
        return streams;
    }

    /** Waits until the latest committed count of every word is the expected one. */
    private static void awaitCounts(FjordTestNode node, Map<String, Long> expected) {
        await().atMost(BOUND).untilAsserted(() -> assertThat(latestCounts(node)).isEqualTo(expected));
    }

    private static Map<String, Long> latestCounts(FjordTestNode node) {
        Map<String, Long> latest = new HashMap<>();
        for (ConsumerRecord<String, Long> record : readCounts(node)) {
            latest.put(record.key(), record.value());
        }
        return latest;
    }

    /** Exactly once: per word, the committed counts strictly rise (no count repeated by a replay) to the true one. */
    private static void assertCountsOnlyRise(FjordTestNode node, Map<String, Long> expected) {
        Map<String, List<Long>> history = new HashMap<>();
        for (ConsumerRecord<String, Long> record : readCounts(node)) {
            history.computeIfAbsent(record.key(), unused -> new ArrayList<>()).add(record.value());
        }
        assertThat(history.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        history.forEach((word, counts) -> {
            assertThat(counts).as("counts of %s", word).isSorted().doesNotHaveDuplicates();
            assertThat(counts.get(counts.size() - 1)).as("final count of %s", word).isEqualTo(expected.get(word));
        });
    }

    /** The output topic's committed records, each partition in offset order (a word lives in one partition). */
    private static List<ConsumerRecord<String, Long>> readCounts(FjordTestNode node) {
        Properties config = ClientConfigs.earliestConsumer(node.bootstrapServers());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "200");
        List<ConsumerRecord<String, Long>> records = new ArrayList<>();
        try (KafkaConsumer<String, Long> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new LongDeserializer())) {
            List<TopicPartition> partitions = List.of(new TopicPartition(OUTPUT, 0), new TopicPartition(OUTPUT, 1));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, BOUND);
            long deadline = System.nanoTime() + BOUND.toNanos();
            while (partitions.stream().anyMatch(partition -> consumer.position(partition, BOUND) < ends.get(partition))) {
                assertThat(System.nanoTime()).as("read %s to %s within the bound", OUTPUT, ends).isLessThan(deadline);
                consumer.poll(java.time.Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }
}
