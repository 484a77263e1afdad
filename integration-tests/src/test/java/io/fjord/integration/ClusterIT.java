package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three Fjord nodes, each a broker and a voter of the metadata quorum, driven by the unmodified kafka-clients 4.4.0:
 * any node describes the whole cluster and takes metadata changes (forwarded to the active controller), partitions
 * are led across the brokers, and the quorum elects a new controller when the active one stops. Time bounds are
 * liveness bounds for a busy machine.
 */
class ClusterIT {
    private static final Duration BOUND = Duration.ofSeconds(90);

    @TempDir
    Path data;

    private static Set<Integer> ids(java.util.Collection<Node> nodes) {
        Set<Integer> ids = new HashSet<>();
        nodes.forEach(node -> ids.add(node.id()));
        return ids;
    }

    @Test
    void anyNodeServesTheWholeClusterAndTakesMetadataChanges() throws Exception {
        try (FjordTestCluster cluster = FjordTestCluster.start(data, 3, Map.of())) {
            await().atMost(BOUND).until(() -> cluster.running().stream().map(cluster::controllerId)
                    .distinct().count() == 1 && cluster.controllerId(1) > 0);
            for (int id : cluster.running()) {
                try (Admin admin = cluster.admin(id)) {
                    assertThat(ids(admin.describeCluster().nodes().get(60, TimeUnit.SECONDS)))
                            .containsExactlyInAnyOrder(1, 2, 3);
                }
            }
            int controller = cluster.controllerId(1);
            int other = cluster.running().stream().filter(id -> id != controller).findFirst().orElseThrow();
            try (Admin admin = cluster.admin(other)) {
                // Sent to a node that is not the controller: forwarded.
                admin.createTopics(List.of(new NewTopic("spread", 6, (short) 1))).all().get(60, TimeUnit.SECONDS);
                // More replicas than brokers: Kafka's INVALID_REPLICATION_FACTOR.
                assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("too-many", 3, (short) 4)))
                        .all().get(60, TimeUnit.SECONDS)).hasCauseInstanceOf(InvalidReplicationFactorException.class);
                admin.createTopics(List.of(new NewTopic("replicated", 6, (short) 3))).all().get(60, TimeUnit.SECONDS);
                await().atMost(BOUND).untilAsserted(() -> {
                    TopicDescription replicated = admin.describeTopics(List.of("replicated")).allTopicNames()
                            .get(60, TimeUnit.SECONDS).get("replicated");
                    Map<Integer, Integer> preferred = new HashMap<>();
                    for (TopicPartitionInfo partition : replicated.partitions()) {
                        // Every broker holds a replica of each partition, and all are in sync.
                        assertThat(ids(partition.replicas())).containsExactlyInAnyOrder(1, 2, 3);
                        assertThat(ids(partition.isr())).containsExactlyInAnyOrder(1, 2, 3);
                        preferred.merge(partition.replicas().get(0).id(), 1, Integer::sum);
                    }
                    // Balanced placement: each broker is the preferred leader of two partitions.
                    assertThat(preferred).containsOnlyKeys(1, 2, 3).allSatisfy((broker, count) -> assertThat(count)
                            .isEqualTo(2));
                });
                await().atMost(BOUND).untilAsserted(() -> {
                    TopicDescription spread = admin.describeTopics(List.of("spread")).allTopicNames()
                            .get(60, TimeUnit.SECONDS).get("spread");
                    Map<Integer, Integer> led = new HashMap<>();
                    for (TopicPartitionInfo partition : spread.partitions()) {
                        led.merge(partition.leader().id(), 1, Integer::sum);
                    }
                    // Balanced placement: two leaderships on each of the three brokers.
                    assertThat(led).containsOnlyKeys(1, 2, 3).allSatisfy((broker, count) -> assertThat(count)
                            .isEqualTo(2));
                });
            }
            await().atMost(BOUND).until(() -> cluster.running().stream().allMatch(id -> cluster.node(id)
                    .metadataCache().image().topic("spread").isPresent()));
            produceAndConsume(cluster.bootstrapServers(controller), "spread", 60);
        }
    }

    @Test
    void aNewControllerTakesOverWhenTheActiveOneStopsAndTheNodeRejoins() throws Exception {
        try (FjordTestCluster cluster = FjordTestCluster.start(data, 3, Map.of())) {
            await().atMost(BOUND).until(() -> cluster.controllerId(1) > 0);
            int first = cluster.controllerId(1);
            cluster.stop(first);
            int survivor = cluster.running().get(0);
            await().atMost(BOUND).until(() -> {
                int now = cluster.controllerId(survivor);
                return now > 0 && now != first;
            });
            try (Admin admin = cluster.admin(survivor)) {
                admin.createTopics(List.of(new NewTopic("after-failover", 2, (short) 1))).all()
                        .get(60, TimeUnit.SECONDS);
            }
            cluster.startNodes(List.of(first));
            // The restarted node catches up with what was decided while it was down.
            await().atMost(BOUND).until(() -> cluster.node(first).metadataCache().image().topic("after-failover")
                    .isPresent());
            try (Admin admin = cluster.admin(first)) {
                assertThat(ids(admin.describeCluster().nodes().get(60, TimeUnit.SECONDS)))
                        .containsExactlyInAnyOrder(1, 2, 3);
            }
        }
    }

    @Test
    void aBrokerOnlyNodeJoinsAndTakesPartitions() throws Exception {
        try (FjordTestCluster cluster = FjordTestCluster.start(data, 3, Map.of())) {
            cluster.addBroker(4, Map.of());
            // An observer of the quorum: it follows the metadata, registers through the active controller and is
            // unfenced once caught up (its start waited for that).
            assertThat(cluster.node(4).metadataQuorum().status().role().name()).isNotEqualTo("LEADER");
            try (Admin admin = cluster.admin(4)) {
                assertThat(ids(admin.describeCluster().nodes().get(60, TimeUnit.SECONDS)))
                        .containsExactlyInAnyOrder(1, 2, 3, 4);
                // Sent to the broker-only node, forwarded to the controller; the new broker gets its share.
                admin.createTopics(List.of(new NewTopic("four-ways", 8, (short) 1))).all().get(60, TimeUnit.SECONDS);
                await().atMost(BOUND).untilAsserted(() -> {
                    Map<Integer, Integer> led = new HashMap<>();
                    for (TopicPartitionInfo partition : admin.describeTopics(List.of("four-ways")).allTopicNames()
                            .get(60, TimeUnit.SECONDS).get("four-ways").partitions()) {
                        led.merge(partition.leader().id(), 1, Integer::sum);
                    }
                    assertThat(led).containsOnlyKeys(1, 2, 3, 4).allSatisfy((broker, count) -> assertThat(count)
                            .isEqualTo(2));
                });
            }
            produceAndConsume(cluster.bootstrapServers(4), "four-ways", 40);
        }
    }

    /** Writes {@code count} records over every partition with an idempotent acks=all producer and reads them back. */
    private static void produceAndConsume(String bootstrap, String topic, int count) throws Exception {
        Properties producerConfig = new Properties();
        producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        producerConfig.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig, new StringSerializer(),
                new StringSerializer())) {
            for (int index = 0; index < count; index++) {
                producer.send(new ProducerRecord<>(topic, "key-" + index, "value-" + index))
                        .get(120, TimeUnit.SECONDS);
            }
        }
        Properties consumerConfig = new Properties();
        consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "cluster-readers");
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + BOUND.toNanos();
            while (values.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    values.add(record.value());
                }
            }
            consumer.commitSync(Duration.ofSeconds(60));
        }
        assertThat(values).hasSize(count).doesNotHaveDuplicates();
    }
}
