package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * What the transaction tests share: node settings for the transaction coordinator's internal topic, transactional
 * producers of unmodified kafka-clients 4.4.0, and reading a topic to its end at an isolation level (the end being
 * the last stable offset for {@code read_committed}, so the read is exact rather than "until N records came").
 * Stateless; thread-safe.
 */
final class TransactionalClients {
    /** Liveness bound of one read, commit or start on a busy machine; never a performance claim. */
    static final Duration BOUND = Duration.ofSeconds(120);

    private TransactionalClients() {
    }

    /**
     * A single node's settings: {@code __transaction_state} with replication factor 1 and few partitions (as Kafka's
     * single-node {@code server.properties}), timed-out transactions looked for every half second, groups that
     * rebalance at once.
     */
    static Map<String, String> singleNodeConfig() {
        Map<String, String> config = new HashMap<>(ConsumerGroupIT.groupNodeConfig());
        config.put("transaction.state.log.replication.factor", "1");
        config.put("transaction.state.log.min.isr", "1");
        config.put("transaction.state.log.num.partitions", "3");
        config.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "500");
        return config;
    }

    /** A cluster's settings: both coordinators' topics replicated three times with a minimum ISR of two. */
    static Map<String, String> clusterConfig() {
        Map<String, String> config = new HashMap<>(ConsumerGroupIT.groupNodeConfig());
        config.put("offsets.topic.replication.factor", "3");
        config.put("transaction.state.log.replication.factor", "3");
        config.put("transaction.state.log.min.isr", "2");
        config.put("transaction.state.log.num.partitions", "3");
        config.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "500");
        return config;
    }

    /** A transactional producer of strings: acks=all, idempotent, a 60 s transaction timeout. */
    static Properties producerConfig(String bootstrap, String transactionalId) {
        Properties config = ClientConfigs.acksAllProducer(bootstrap);
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "60000");
        // initTransactions, commitTransaction and sendOffsetsToTransaction block at most this long.
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "90000");
        return config;
    }

    static KafkaProducer<String, String> producer(String bootstrap, String transactionalId) {
        return new KafkaProducer<>(producerConfig(bootstrap, transactionalId));
    }

    static void createTopic(Admin admin, String topic, int partitions, int replicationFactor) throws Exception {
        NewTopic newTopic = new NewTopic(topic, partitions, (short) replicationFactor);
        if (replicationFactor > 1) {
            newTopic.configs(Map.of("min.insync.replicas", "2"));
        }
        admin.createTopics(List.of(newTopic)).all().get(60, TimeUnit.SECONDS);
    }

    /**
     * Every record of the topic from its start up to its end at the isolation level ({@code read_committed}: the last
     * stable offset), in partition order: a consumer's {@code endOffsets} names the end, and polling stops when every
     * position reached it.
     */
    static List<ConsumerRecord<String, String>> readToEnd(String bootstrap, String topic, IsolationLevel isolation) {
        Properties config = ClientConfigs.earliestConsumer(bootstrap);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString());
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "200");
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, BOUND).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, BOUND);
            long deadline = System.nanoTime() + BOUND.toNanos();
            while (!reached(consumer, ends)) {
                assertThat(System.nanoTime()).as("read %s to %s within the bound", topic, ends).isLessThan(deadline);
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        records.sort(java.util.Comparator.<ConsumerRecord<String, String>>comparingInt(ConsumerRecord::partition)
                .thenComparingLong(ConsumerRecord::offset));
        return records;
    }

    /** The values of {@link #readToEnd}. */
    static List<String> valuesToEnd(String bootstrap, String topic, IsolationLevel isolation) {
        return readToEnd(bootstrap, topic, isolation).stream().map(ConsumerRecord::value).toList();
    }

    private static boolean reached(KafkaConsumer<String, String> consumer, Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            if (consumer.position(end.getKey(), BOUND) < end.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** The partition's end offset as ListOffsets answers it at the isolation level (LATEST: the last stable offset). */
    static long endOffset(Admin admin, TopicPartition partition, IsolationLevel isolation) throws Exception {
        return admin.listOffsets(Map.of(partition, OffsetSpec.latest()), new ListOffsetsOptions(isolation))
                .partitionResult(partition).get(60, TimeUnit.SECONDS).offset();
    }
}
