package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fjord.storage.PartitionLog;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replication on three in-process nodes (each a broker and a voter), driven by the unmodified kafka-clients 4.4.0:
 * RF=3 topics are placed on every broker with full ISRs; acks=all writes survive the stop of a partition's leader;
 * a restarted replica catches up, rejoins the ISR, and every replica's log equals the leader's byte for byte; the
 * offsets topic is replicated, so committed offsets survive the stop of their coordinator; acks=all is refused with
 * NOT_ENOUGH_REPLICAS while the ISR is below {@code min.insync.replicas}. Time bounds are liveness bounds for a busy
 * machine.
 */
class ReplicationIT {
    private static final Duration BOUND = Duration.ofSeconds(120);

    @TempDir
    Path data;

    private static Map<String, String> settings() {
        return Map.of("offsets.topic.replication.factor", "3", "offsets.topic.num.partitions", "3",
                "default.replication.factor", "3");
    }

    @Test
    void acknowledgedWritesSurviveTheLeadersStopAndEveryReplicaEndsIdentical() throws Exception {
        try (FjordTestCluster cluster = FjordTestCluster.start(data, 3, settings())) {
            try (Admin admin = cluster.admin(1)) {
                admin.createTopics(List.of(new NewTopic("replicated", 3, (short) 3)
                        .configs(Map.of("min.insync.replicas", "2")))).all().get(60, TimeUnit.SECONDS);
                awaitFullIsr(admin, "replicated", 3, Set.of(1, 2, 3));
            }
            List<String> acknowledged = new ArrayList<>(produce(cluster.bootstrapServers(1), "replicated", "a", 300));
            int leader = leaderOf(cluster, 1, "replicated", 0);
            cluster.stop(leader);
            int survivor = cluster.running().get(0);
            try (Admin admin = cluster.admin(survivor)) {
                await().atMost(BOUND).untilAsserted(() -> {
                    TopicPartitionInfo partition = describe(admin, "replicated").partitions().get(0);
                    assertThat(partition.leader()).isNotNull();
                    assertThat(partition.leader().id()).isNotEqualTo(leader);
                });
            }
            acknowledged.addAll(produce(cluster.bootstrapServers(survivor), "replicated", "b", 300));
            assertConsumedExactlyOnceInOrder(cluster.bootstrapServers(survivor), "replicated", acknowledged);

            cluster.startNodes(List.of(leader));
            try (Admin admin = cluster.admin(survivor)) {
                // The restarted replica catches up and its leaders add it back to every ISR.
                awaitFullIsr(admin, "replicated", 3, Set.of(1, 2, 3));
            }
            assertReplicasIdentical(cluster, "replicated", 3);

            // DeleteRecords answers once every replica's log start offset has moved (Kafka's low watermark).
            TopicPartition first = new TopicPartition("replicated", 0);
            try (Admin admin = cluster.admin(survivor)) {
                long lowWatermark = admin.deleteRecords(Map.of(first, RecordsToDelete.beforeOffset(10)))
                        .lowWatermarks().get(first).get(60, TimeUnit.SECONDS).lowWatermark();
                assertThat(lowWatermark).isEqualTo(10);
            }
            for (int id : cluster.running()) {
                assertThat(cluster.node(id).logManager().getLog(new io.fjord.storage.TopicPartition("replicated", 0))
                        .orElseThrow().logStartOffset()).as("log start on node %d", id).isEqualTo(10);
            }
        }
    }

    @Test
    void committedOffsetsSurviveTheStopOfTheirCoordinator() throws Exception {
        try (FjordTestCluster cluster = FjordTestCluster.start(data, 3, settings())) {
            try (Admin admin = cluster.admin(1)) {
                admin.createTopics(List.of(new NewTopic("source", 1, (short) 3))).all().get(60, TimeUnit.SECONDS);
            }
            produce(cluster.bootstrapServers(1), "source", "v", 20);
            TopicPartition partition = new TopicPartition("source", 0);
            try (KafkaConsumer<String, String> consumer = consumer(cluster.bootstrapServers(1), "replicated-group")) {
                consumer.assign(List.of(partition));
                consumer.commitSync(Map.of(partition, new OffsetAndMetadata(17, "kept")), Duration.ofSeconds(60));
            }
            try (Admin admin = cluster.admin(1)) {
                TopicDescription offsets = describe(admin, "__consumer_offsets");
                assertThat(offsets.partitions()).allSatisfy(info -> assertThat(info.replicas()).hasSize(3));
                int coordinator = admin.describeConsumerGroups(List.of("replicated-group")).all()
                        .get(60, TimeUnit.SECONDS).get("replicated-group").coordinator().id();
                cluster.stop(coordinator);
            }
            int survivor = cluster.running().get(0);
            try (Admin admin = cluster.admin(survivor)) {
                await().atMost(BOUND).untilAsserted(() -> assertThat(admin.listConsumerGroupOffsets("replicated-group")
                        .partitionsToOffsetAndMetadata().get(60, TimeUnit.SECONDS))
                        .containsEntry(partition, new OffsetAndMetadata(17, "kept")));
            }
        }
    }

    @Test
    void acksAllIsRefusedWhileTheIsrIsBelowMinInsyncReplicas() throws Exception {
        try (FjordTestCluster cluster = FjordTestCluster.start(data, 3, settings())) {
            try (Admin admin = cluster.admin(1)) {
                admin.createTopics(List.of(new NewTopic("strict", 1, (short) 3)
                        .configs(Map.of("min.insync.replicas", "3")))).all().get(60, TimeUnit.SECONDS);
                awaitFullIsr(admin, "strict", 1, Set.of(1, 2, 3));
            }
            int leader = leaderOf(cluster, 1, "strict", 0);
            int follower = cluster.running().stream().filter(id -> id != leader).findFirst().orElseThrow();
            // A clean stop: controlled shutdown takes the follower out of the ISR at once.
            cluster.stop(follower);
            try (Admin admin = cluster.admin(leader)) {
                await().atMost(BOUND).until(() -> describe(admin, "strict").partitions().get(0).isr().size() == 2);
            }
            Properties config = ClientConfigs.acksAllProducer(cluster.bootstrapServers(leader));
            config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
            config.put(ProducerConfig.RETRIES_CONFIG, "0");
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>("strict", 0, "k", "refused"))
                        .get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(NotEnoughReplicasException.class);
            }
            config.put(ProducerConfig.ACKS_CONFIG, "1");
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
                RecordMetadata written = producer.send(new ProducerRecord<>("strict", 0, "k", "one ack"))
                        .get(60, TimeUnit.SECONDS);
                assertThat(written.offset()).isZero();
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private static TopicDescription describe(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(60, TimeUnit.SECONDS).get(topic);
    }

    private static void awaitFullIsr(Admin admin, String topic, int partitions, Set<Integer> brokers) {
        await().atMost(BOUND).untilAsserted(() -> {
            TopicDescription description = describe(admin, topic);
            assertThat(description.partitions()).hasSize(partitions);
            for (TopicPartitionInfo partition : description.partitions()) {
                assertThat(ids(partition.replicas())).isEqualTo(brokers);
                assertThat(ids(partition.isr())).isEqualTo(brokers);
            }
        });
    }

    private static Set<Integer> ids(List<Node> nodes) {
        Set<Integer> ids = new HashSet<>();
        nodes.forEach(node -> ids.add(node.id()));
        return ids;
    }

    private static int leaderOf(FjordTestCluster cluster, int askedNode, String topic, int partition) throws Exception {
        try (Admin admin = cluster.admin(askedNode)) {
            return describe(admin, topic).partitions().get(partition).leader().id();
        }
    }

    /** Writes {@code count} values round-robin over the topic's partitions with acks=all; returns them all acked. */
    private static List<String> produce(String bootstrap, String topic, String prefix, int count) throws Exception {
        List<String> values = new ArrayList<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(ClientConfigs.acksAllProducer(bootstrap))) {
            int partitions = producer.partitionsFor(topic).size();
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int index = 0; index < count; index++) {
                String value = prefix + "-" + index;
                sent.add(producer.send(new ProducerRecord<>(topic, index % partitions, value, value)));
                values.add(value);
            }
            for (Future<RecordMetadata> future : sent) {
                future.get(120, TimeUnit.SECONDS);
            }
        }
        return values;
    }

    private static KafkaConsumer<String, String> consumer(String bootstrap, String group) {
        Properties config = ClientConfigs.earliestConsumer(bootstrap);
        if (group != null) {
            config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        return new KafkaConsumer<>(config);
    }

    /** Every acknowledged value is read exactly once, and each partition's values in the order they were sent. */
    private static void assertConsumedExactlyOnceInOrder(String bootstrap, String topic, List<String> acknowledged) {
        Map<Integer, List<String>> read = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = consumer(bootstrap, null)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(BOUND).until(() -> {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    read.computeIfAbsent(record.partition(), key -> new ArrayList<>()).add(record.value());
                }
                return read.values().stream().mapToInt(List::size).sum() >= acknowledged.size();
            });
        }
        List<String> all = read.values().stream().flatMap(List::stream).toList();
        assertThat(all).containsExactlyInAnyOrderElementsOf(acknowledged);
        for (List<String> values : read.values()) {
            // Sent in index order within each prefix: the partition shows them in that order.
            List<String> expected = acknowledged.stream().filter(values::contains).toList();
            assertThat(values).containsExactlyElementsOf(expected);
        }
    }

    /**
     * Once writes stopped and the ISR is full, every replica's log reaches the same end and high watermark, and holds
     * the same bytes as the leader's.
     */
    private static void assertReplicasIdentical(FjordTestCluster cluster, String topic, int partitions) {
        for (int partition = 0; partition < partitions; partition++) {
            io.fjord.storage.TopicPartition topicPartition = new io.fjord.storage.TopicPartition(topic, partition);
            await().atMost(BOUND).untilAsserted(() -> {
                Set<Long> ends = new HashSet<>();
                Set<Long> highWatermarks = new HashSet<>();
                for (int id : cluster.running()) {
                    PartitionLog log = cluster.node(id).logManager().getLog(topicPartition).orElseThrow();
                    ends.add(log.logEndOffset());
                    highWatermarks.add(log.highWatermark());
                }
                assertThat(ends).hasSize(1);
                assertThat(highWatermarks).isEqualTo(ends);
            });
            ByteBuffer expected = null;
            for (int id : cluster.running()) {
                PartitionLog log = cluster.node(id).logManager().getLog(topicPartition).orElseThrow();
                ByteBuffer bytes = log.readAllFrom(log.logStartOffset());
                if (expected == null) {
                    expected = bytes;
                } else {
                    assertThat(bytes).as("partition %d on node %d", partition, id).isEqualTo(expected);
                }
            }
        }
    }
}
