package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KIP-455 reassignment that moves data, driven by Kafka 4.4's own {@code kafka-reassign-partitions} (generate,
 * execute with a throttle, verify, list, cancel) on three in-process nodes plus a broker added afterwards: a
 * partition with records moves off its replicas onto the new broker and another one, the old replicas lose their
 * logs, the records are all there, and the tool's throttles are set and cleared. Time bounds are liveness bounds.
 */
class ReassignmentIT {
    private static final Duration BOUND = Duration.ofSeconds(120);
    private static final String REASSIGN_COMMAND = "org.apache.kafka.tools.reassign.ReassignPartitionsCommand";
    private static final int RECORDS = 200;
    private static final int ADDED_BROKER = 4;

    @TempDir
    static Path data;

    private static FjordTestCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = FjordTestCluster.start(data, 3, Map.of());
        cluster.awaitOneController(BOUND);
        cluster.addBroker(ADDED_BROKER, Map.of());
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static KafkaDistribution.Result tool(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("--bootstrap-server", cluster.bootstrapServers(1)));
        command.addAll(List.of(arguments));
        return KafkaDistribution.run(REASSIGN_COMMAND, command);
    }

    private static Path plan(String name, String topic, List<Integer> replicas) throws Exception {
        return Files.writeString(data.resolve(name), "{\"version\":1,\"partitions\":[{\"topic\":\"" + topic
                + "\",\"partition\":0,\"replicas\":" + replicas + "}]}");
    }

    private static void produce(String topic, int count) throws Exception {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(1));
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(),
                new StringSerializer())) {
            for (int index = 0; index < count; index++) {
                producer.send(new ProducerRecord<>(topic, 0, "key-" + index, "value-" + index));
            }
            producer.flush();
        }
    }

    private static List<String> consumeAll(String topic, int expected) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(1));
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            await().atMost(BOUND).until(() -> {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    values.add(record.value());
                }
                return values.size() >= expected;
            });
        }
        return values;
    }

    private static TopicDescription describe(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(60, TimeUnit.SECONDS).get(topic);
    }

    /** Whether broker {@code brokerId} has a log for {@code topic}-0, per DescribeLogDirs. */
    private static boolean hostsLog(Admin admin, int brokerId, String topic) throws Exception {
        return admin.describeLogDirs(List.of(brokerId)).allDescriptions().get(60, TimeUnit.SECONDS).get(brokerId)
                .values().stream().anyMatch(dir -> dir.replicaInfos().containsKey(new TopicPartition(topic, 0)));
    }

    @Test
    void aPartitionWithRecordsMovesToAnAddedBrokerAndTheOldReplicasLetGo() throws Exception {
        try (Admin admin = cluster.admin(1)) {
            admin.createTopics(List.of(new NewTopic("moves", Map.of(0, List.of(1, 2))))).all()
                    .get(60, TimeUnit.SECONDS);
            await().atMost(BOUND).until(() -> describe(admin, "moves").partitions().get(0).isr().size() == 2);
        }
        produce("moves", RECORDS);

        Path topics = Files.writeString(data.resolve("topics.json"),
                "{\"version\":1,\"topics\":[{\"topic\":\"moves\"}]}");
        KafkaDistribution.Result generated = tool("--generate", "--topics-to-move-json-file", topics.toString(),
                "--broker-list", "3," + ADDED_BROKER);
        assertThat(generated.exitCode()).as("generate; errors: %s", generated.errors()).isZero();
        assertThat(generated.output()).contains("Current partition replica assignment")
                .contains("Proposed partition reassignment configuration").contains("\"replicas\":[1,2]");

        Path move = plan("move.json", "moves", List.of(3, ADDED_BROKER));
        KafkaDistribution.Result executed = tool("--execute", "--reassignment-json-file", move.toString(),
                "--throttle", "50000000");
        assertThat(executed.exitCode()).as("execute; errors: %s", executed.errors()).isZero();
        assertThat(executed.output()).contains("Successfully started partition reassignment");

        await().atMost(BOUND).pollInterval(Duration.ofSeconds(2)).until(() -> {
            KafkaDistribution.Result verified = tool("--verify", "--reassignment-json-file", move.toString());
            return verified.exitCode() == 0
                    && verified.output().contains("Reassignment of partition moves-0 is completed");
        });

        try (Admin admin = cluster.admin(1)) {
            await().atMost(BOUND).untilAsserted(() -> {
                TopicDescription moved = describe(admin, "moves");
                assertThat(moved.partitions().get(0).replicas()).extracting(Node::id)
                        .containsExactly(3, ADDED_BROKER);
                assertThat(moved.partitions().get(0).isr()).extracting(Node::id)
                        .containsExactlyInAnyOrder(3, ADDED_BROKER);
            });
            await().atMost(BOUND).untilAsserted(() -> {
                assertThat(hostsLog(admin, 1, "moves")).as("broker 1 deleted its replica").isFalse();
                assertThat(hostsLog(admin, 2, "moves")).as("broker 2 deleted its replica").isFalse();
                assertThat(hostsLog(admin, 3, "moves")).isTrue();
                assertThat(hostsLog(admin, ADDED_BROKER, "moves")).isTrue();
            });
            assertThat(admin.listPartitionReassignments().reassignments().get(60, TimeUnit.SECONDS)).isEmpty();
            // --verify clears what --throttle set once the reassignment is done.
            Config topicConfig = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC,
                    "moves"))).all().get(60, TimeUnit.SECONDS).values().iterator().next();
            assertThat(Optional.ofNullable(topicConfig.get("leader.replication.throttled.replicas"))
                    .map(entry -> entry.value()).orElse("")).isEmpty();
        }
        List<String> values = consumeAll("moves", RECORDS);
        assertThat(values).hasSize(RECORDS);
        assertThat(values.get(0)).isEqualTo("value-0");
        assertThat(values.get(RECORDS - 1)).isEqualTo("value-" + (RECORDS - 1));
    }

    @Test
    void aReassignmentThatCannotCatchUpIsListedAndCancelled() throws Exception {
        try (Admin admin = cluster.admin(1)) {
            admin.createTopics(List.of(new NewTopic("stuck", Map.of(0, List.of(1))))).all()
                    .get(60, TimeUnit.SECONDS);
        }
        produce("stuck", 10);
        // A replica on a broker that stops never catches up, so the reassignment stays in progress.
        int stopped = 2;
        cluster.stop(stopped);
        try {
            Path move = plan("stuck.json", "stuck", List.of(1, stopped));
            // The tool refuses to --execute onto a broker that is not alive, so the Admin API starts it.
            try (Admin admin = cluster.admin(1)) {
                admin.alterPartitionReassignments(Map.of(new TopicPartition("stuck", 0), Optional.of(
                        new NewPartitionReassignment(List.of(1, stopped))))).all().get(60, TimeUnit.SECONDS);
            }

            KafkaDistribution.Result listed = tool("--list");
            assertThat(listed.exitCode()).as("list; errors: %s", listed.errors()).isZero();
            assertThat(listed.output()).contains("stuck-0: replicas: 1," + stopped + ". adding: " + stopped + ".");
            KafkaDistribution.Result verified = tool("--verify", "--reassignment-json-file", move.toString());
            assertThat(verified.output()).contains("Reassignment of partition stuck-0 is still in progress");

            // --preserve-throttles: clearing them would alter the stopped broker's own configs, which needs it up.
            KafkaDistribution.Result cancelled = tool("--cancel", "--reassignment-json-file", move.toString(),
                    "--preserve-throttles");
            assertThat(cancelled.exitCode()).as("cancel; output: %s; errors: %s", cancelled.output(),
                    cancelled.errors()).isZero();
            assertThat(cancelled.output()).contains("Successfully cancelled partition reassignment for: stuck-0");
            try (Admin admin = cluster.admin(1)) {
                assertThat(describe(admin, "stuck").partitions().get(0).replicas()).extracting(Node::id)
                        .containsExactly(1);
                assertThat(admin.listPartitionReassignments().reassignments().get(60, TimeUnit.SECONDS))
                        .doesNotContainKey(new TopicPartition("stuck", 0));
            }
            assertThat(consumeAll("stuck", 10)).hasSize(10);
        } finally {
            cluster.startNodes(List.of(stopped));
        }
    }
}
