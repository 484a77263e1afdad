package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's isolated mode in child processes: three controller-only nodes (the voters, listening on their controller
 * listener only, holding only the metadata log) and two broker-only nodes that find them through
 * {@code controller.quorum.voters}. Clients work through the brokers, Kafka's {@code kafka-metadata-quorum
 * --bootstrap-controller} through a controller, and the cluster survives kill -9 of its active controller and of a
 * broker.
 */
class IsolatedModeIT {
    private static final Duration BOUND = Duration.ofSeconds(120);
    private static final String QUORUM_COMMAND = "org.apache.kafka.tools.MetadataQuorumCommand";
    private static final List<Integer> CONTROLLERS = List.of(1, 2, 3);
    private static final List<Integer> BROKERS = List.of(4, 5);

    @TempDir
    Path root;

    @Test
    void controllerOnlyNodesRunTheQuorumForBrokerOnlyNodesAndSurviveKills() throws Exception {
        // Offsets topic at RF 2 (two brokers); a snapshot every few seconds of new records (a small cluster's
        // metadata is a few KB), so the controllers are seen to take them.
        try (FjordProcessCluster cluster = FjordProcessCluster.startIsolated(root, 3, 2, Map.of(
                "offsets.topic.replication.factor", "2",
                "metadata.log.max.record.bytes.between.snapshots", "1024",
                "metadata.log.max.snapshot.interval.ms", "2000"))) {
            for (int controller : CONTROLLERS) {
                assertThat(cluster.output(controller)).contains("is ready as a controller")
                        .doesNotContain("PLAINTEXT://")
                        .doesNotContain("Broker " + controller + " registered");
            }
            String brokers = cluster.runningBootstrapServers();
            try (Admin admin = cluster.admin(brokers)) {
                DescribeClusterResult described = admin.describeCluster();
                // Only brokers register. As Kafka's KRaft brokers do, a broker names a broker as the controller
                // (clients send it controller requests, which it forwards): never a controller-only node.
                assertThat(described.nodes().get(60, TimeUnit.SECONDS)).extracting(Node::id)
                        .containsExactlyInAnyOrderElementsOf(BROKERS);
                assertThat(described.controller().get(60, TimeUnit.SECONDS).id()).isIn(BROKERS);
                QuorumInfo quorum = admin.describeMetadataQuorum().quorumInfo().get(60, TimeUnit.SECONDS);
                assertThat(quorum.voters()).extracting(QuorumInfo.ReplicaState::replicaId)
                        .containsExactlyInAnyOrderElementsOf(CONTROLLERS);
                assertThat(quorum.observers()).extracting(QuorumInfo.ReplicaState::replicaId)
                        .containsAll(BROKERS);

                admin.createTopics(List.of(new NewTopic("isolated", 4, (short) 2))).all().get(60, TimeUnit.SECONDS);
                produceAndConsume(brokers, "isolated", 40);
            }
            // Kafka's tool through a controller listener: ApiVersions, DescribeCluster, then DescribeQuorum.
            int active = cluster.activeController();
            assertThat(active).isIn(CONTROLLERS);
            for (int controller : CONTROLLERS) {
                KafkaDistribution.Result status = KafkaDistribution.run(QUORUM_COMMAND, List.of(
                        "--bootstrap-controller", cluster.controllerAddress(controller), "describe", "--status"));
                assertThat(status.exitCode()).as("via controller %d; errors: %s", controller, status.errors())
                        .isZero();
                assertThat(status.output()).containsPattern("LeaderId: +" + active + "\n");
            }
            for (int controller : CONTROLLERS) {
                // No log manager: the topic's partitions live on the brokers only; the metadata log is snapshotted.
                Path data = cluster.dataDirectory(controller);
                try (Stream<Path> entries = Files.list(data)) {
                    assertThat(entries.map(path -> path.getFileName().toString()))
                            .noneMatch(name -> name.startsWith("isolated-"));
                }
                await().atMost(BOUND).until(() -> snapshots(data.resolve("__cluster_metadata-0")) > 0);
            }

            cluster.kill(active);
            await().atMost(BOUND).pollInterval(Duration.ofMillis(200)).until(() -> {
                int next = cluster.activeController();
                return next != -1 && next != active;
            });
            try (Admin admin = cluster.admin(brokers)) {
                admin.createTopics(List.of(new NewTopic("after-failover", 2, (short) 2))).all()
                        .get(60, TimeUnit.SECONDS);
                produceAndConsume(brokers, "after-failover", 10);
                // A killed broker's leaderships move to the other one.
                int victim = 5;
                List<Integer> led = ledPartitions(admin, "after-failover", victim);
                assertThat(led).as("balanced placement gives broker %d a leadership", victim).isNotEmpty();
                cluster.kill(victim);
                await().atMost(BOUND).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                        assertThat(ledPartitions(admin, "after-failover", 4)).containsExactlyInAnyOrder(0, 1));
            }
        }
    }

    private static long snapshots(Path metadataLog) throws Exception {
        if (!Files.isDirectory(metadataLog)) {
            return 0;
        }
        try (Stream<Path> entries = Files.list(metadataLog)) {
            // The bootstrap checkpoint at offset 0 is not a snapshot the node took.
            return entries.map(path -> path.getFileName().toString())
                    .filter(name -> name.endsWith(".checkpoint") && !name.startsWith("00000000000000000000-"))
                    .count();
        }
    }

    private static List<Integer> ledPartitions(Admin admin, String topic, int broker) throws Exception {
        TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                .get(30, TimeUnit.SECONDS).get(topic);
        List<Integer> led = new ArrayList<>();
        for (TopicPartitionInfo partition : description.partitions()) {
            if (partition.leader() != null && partition.leader().id() == broker) {
                led.add(partition.partition());
            }
        }
        return led;
    }

    /** Idempotent acks=all records to every partition, then reads them back from the start without a group. */
    private static void produceAndConsume(String brokers, String topic, int count) throws Exception {
        Properties producerConfig = new Properties();
        producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerConfig.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        List<String> sent = new ArrayList<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig, new StringSerializer(),
                new StringSerializer())) {
            List<java.util.concurrent.Future<?>> acknowledgements = new ArrayList<>();
            for (int index = 0; index < count; index++) {
                String value = topic + "-" + index;
                sent.add(value);
                acknowledgements.add(producer.send(new ProducerRecord<>(topic, "key-" + index, value)));
            }
            for (java.util.concurrent.Future<?> acknowledgement : acknowledgements) {
                acknowledgement.get(60, TimeUnit.SECONDS);
            }
        }
        Properties consumerConfig = new Properties();
        consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        List<String> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(60)).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(BOUND).until(() -> {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    received.add(record.value());
                }
                return received.size() >= count;
            });
        }
        assertThat(received).containsExactlyInAnyOrderElementsOf(sent);
    }
}
