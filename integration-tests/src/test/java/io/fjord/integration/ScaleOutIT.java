package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fjord.storage.PartitionLog;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
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
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scale-out (issue #12): a 3-node cluster whose RF 3 and RF 2 topics hold records gets a fourth, broker-only node,
 * and Kafka 4.4's own {@code kafka-reassign-partitions} spreads the partitions over the four: --generate proposes a
 * plan including the new broker, --execute starts it with a throttle, --verify polls until it completes and then
 * clears the throttles. The new broker's replicas are in the ISR with logs byte-identical to their leaders', the
 * replicas moved away are gone from the old brokers' disks, and every record reads back. A throttled reassignment is
 * also cancelled while in progress. In-process nodes; time bounds are liveness bounds.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScaleOutIT {
    private static final Duration BOUND = Duration.ofSeconds(180);
    private static final String REASSIGN_COMMAND = "org.apache.kafka.tools.reassign.ReassignPartitionsCommand";
    private static final int RECORDS_PER_PARTITION = 300;
    private static final int NEW_BROKER = 4;
    /**
     * The new broker's settings: removed logs' files go after a second (Kafka's default is a minute), so the test sees
     * them leave the disk; a fetch brings one batch at most per partition, so a throttle holds a large log back.
     */
    private static final Map<String, String> NEW_BROKER_SETTINGS = Map.of("log.segment.delete.delay.ms", "1000",
            "replica.fetch.max.bytes", "1024");
    private static final int SLOW_RECORDS = 30;
    private static final int SLOW_RECORD_BYTES = 100 * 1024;
    private static final List<String> THROTTLE_RATES = List.of("leader.replication.throttled.rate",
            "follower.replication.throttled.rate");
    private static final List<String> THROTTLED_REPLICAS = List.of("leader.replication.throttled.replicas",
            "follower.replication.throttled.replicas");

    @TempDir
    static Path data;

    private static FjordTestCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        // Removed logs' files go after a second (Kafka's default is a minute), so the test sees them leave the disk.
        cluster = FjordTestCluster.start(data, 3, Map.of("log.segment.delete.delay.ms", "1000"));
        cluster.awaitOneController(BOUND);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void anAddedBrokerReceivesPartitionsThroughKafkasReassignmentTool() throws Exception {
        Map<String, Integer> topics = Map.of("orders", 3, "events", 2);
        try (Admin admin = cluster.admin(1)) {
            admin.createTopics(List.of(new NewTopic("orders", 3, (short) 3), new NewTopic("events", 2, (short) 2)))
                    .all().get(60, TimeUnit.SECONDS);
            await().atMost(BOUND).until(() -> fullIsr(admin, topics.keySet()));
        }
        for (Map.Entry<String, Integer> topic : topics.entrySet()) {
            produce(topic.getKey(), topic.getValue());
        }
        Map<TopicPartition, List<Integer>> before;
        try (Admin admin = cluster.admin(1)) {
            before = assignments(admin, topics.keySet());
        }
        cluster.addBroker(NEW_BROKER, NEW_BROKER_SETTINGS);

        Path topicsFile = Files.writeString(data.resolve("topics-to-move.json"),
                "{\"version\":1,\"topics\":[{\"topic\":\"orders\"},{\"topic\":\"events\"}]}");
        KafkaDistribution.Result generated = tool("--generate", "--topics-to-move-json-file", topicsFile.toString(),
                "--broker-list", "1,2,3," + NEW_BROKER);
        assertThat(generated.exitCode()).as("generate; errors: %s", generated.errors()).isZero();
        String proposal = proposal(generated.output());
        Map<TopicPartition, List<Integer>> planned = parsePlan(proposal);
        assertThat(planned).containsOnlyKeys(before.keySet());
        assertThat(planned.values()).as("the plan uses the new broker").anyMatch(replicas ->
                replicas.contains(NEW_BROKER));
        Path plan = Files.writeString(data.resolve("scale-out.json"), proposal);

        KafkaDistribution.Result executed = tool("--execute", "--reassignment-json-file", plan.toString(),
                "--throttle", "20000000");
        assertThat(executed.exitCode()).as("execute; errors: %s", executed.errors()).isZero();
        assertThat(executed.output()).contains("Successfully started partition reassignment");
        try (Admin admin = cluster.admin(1)) {
            assertThat(brokerConfig(admin, NEW_BROKER, "follower.replication.throttled.rate"))
                    .as("--execute throttles the brokers").isEqualTo("20000000");
        }

        await().atMost(BOUND).pollInterval(Duration.ofSeconds(2)).until(() -> {
            KafkaDistribution.Result verified = tool("--verify", "--reassignment-json-file", plan.toString());
            return verified.exitCode() == 0 && !verified.output().contains("still in progress")
                    && verified.output().contains("Clearing broker-level throttles");
        });

        try (Admin admin = cluster.admin(1)) {
            await().atMost(BOUND).untilAsserted(() -> {
                Map<TopicPartition, TopicPartitionInfo> partitions = partitions(admin, topics.keySet());
                for (Map.Entry<TopicPartition, List<Integer>> entry : planned.entrySet()) {
                    TopicPartitionInfo info = partitions.get(entry.getKey());
                    assertThat(info.replicas()).extracting(Node::id).as("%s", entry.getKey())
                            .containsExactlyElementsOf(entry.getValue());
                    assertThat(info.isr()).extracting(Node::id).as("%s", entry.getKey())
                            .containsExactlyInAnyOrderElementsOf(entry.getValue());
                }
            });
            assertThat(admin.listPartitionReassignments().reassignments().get(60, TimeUnit.SECONDS)).isEmpty();
            // --verify cleared what --execute set, on the brokers and on the topics.
            for (int broker = 1; broker <= NEW_BROKER; broker++) {
                for (String rate : THROTTLE_RATES) {
                    assertThat(brokerConfig(admin, broker, rate)).as("%s of broker %d", rate, broker).isEmpty();
                }
            }
            for (String topic : topics.keySet()) {
                for (String replicas : THROTTLED_REPLICAS) {
                    assertThat(topicConfig(admin, topic, replicas)).as("%s of %s", replicas, topic).isEmpty();
                }
            }
            Map<TopicPartition, TopicPartitionInfo> partitions = partitions(admin, topics.keySet());
            for (Map.Entry<TopicPartition, List<Integer>> entry : planned.entrySet()) {
                TopicPartition partition = entry.getKey();
                int leader = partitions.get(partition).leader().id();
                for (int replica : entry.getValue()) {
                    // Byte for byte: the same batches at the same offsets, with the same leader epochs.
                    await().atMost(BOUND).untilAsserted(() -> assertThat(bytes(replica, partition))
                            .as("%s on broker %d against leader %d", partition, replica, leader)
                            .isEqualTo(bytes(leader, partition)));
                }
                for (int old : before.get(partition)) {
                    if (!entry.getValue().contains(old)) {
                        await().atMost(BOUND).untilAsserted(() -> assertThat(onDisk(old, partition))
                                .as("%s left broker %d's disk", partition, old).isFalse());
                    }
                }
            }
        }
        Set<Integer> hosting = new HashSet<>();
        planned.values().forEach(hosting::addAll);
        assertThat(hosting).contains(NEW_BROKER);
        assertThat(onDisk(NEW_BROKER, planned.entrySet().stream().filter(entry -> entry.getValue()
                .contains(NEW_BROKER)).findFirst().orElseThrow().getKey())).isTrue();
        for (Map.Entry<String, Integer> topic : topics.entrySet()) {
            for (int partition = 0; partition < topic.getValue(); partition++) {
                assertThat(consume(new TopicPartition(topic.getKey(), partition)))
                        .containsExactlyElementsOf(values(topic.getKey(), partition));
            }
        }
    }

    @Test
    @Order(2)
    void aThrottledReassignmentOntoTheNewBrokerIsCancelledWhileInProgress() throws Exception {
        if (cluster.node(NEW_BROKER) == null) { // run alone
            cluster.addBroker(NEW_BROKER, NEW_BROKER_SETTINGS);
        }
        TopicPartition partition = new TopicPartition("slow", 0);
        try (Admin admin = cluster.admin(1)) {
            admin.createTopics(List.of(new NewTopic("slow", Map.of(0, List.of(1, 2, 3))))).all()
                    .get(60, TimeUnit.SECONDS);
            await().atMost(BOUND).until(() -> fullIsr(admin, Set.of("slow")));
        }
        List<String> slowValues = produceLarge(new TopicPartition("slow", 0));
        Path plan = Files.writeString(data.resolve("slow.json"), "{\"version\":1,\"partitions\":[{\"topic\":"
                + "\"slow\",\"partition\":0,\"replicas\":[" + NEW_BROKER + ",2,3]}]}");
        // 1 byte/s: the new replica, not in the ISR, is throttled: after a batch, it waits for the rate to fall
        // below the bound again, and cannot catch up with 3 MB while the test looks.
        KafkaDistribution.Result executed = tool("--execute", "--reassignment-json-file", plan.toString(),
                "--throttle", "1");
        assertThat(executed.exitCode()).as("execute; errors: %s", executed.errors()).isZero();
        await().atMost(BOUND).untilAsserted(() -> assertThat(onDisk(NEW_BROKER, partition))
                .as("the new replica started").isTrue());
        KafkaDistribution.Result verified = tool("--verify", "--reassignment-json-file", plan.toString());
        assertThat(verified.output()).contains("Reassignment of partition slow-0 is still in progress");
        KafkaDistribution.Result listed = tool("--list");
        assertThat(listed.output()).contains("slow-0: replicas: ").contains("adding: " + NEW_BROKER + ".")
                .contains("removing: 1.");

        KafkaDistribution.Result cancelled = tool("--cancel", "--reassignment-json-file", plan.toString());
        assertThat(cancelled.exitCode()).as("cancel; output: %s; errors: %s", cancelled.output(),
                cancelled.errors()).isZero();
        assertThat(cancelled.output()).contains("Successfully cancelled partition reassignment for: slow-0");
        try (Admin admin = cluster.admin(1)) {
            await().atMost(BOUND).untilAsserted(() -> {
                TopicPartitionInfo info = partitions(admin, Set.of("slow")).get(partition);
                // As Kafka's revert: the reassigning list [4, 2, 3, 1] without the adding replica, so 1 comes last.
                assertThat(info.replicas()).extracting(Node::id).containsExactlyInAnyOrder(1, 2, 3);
                assertThat(info.isr()).extracting(Node::id).containsExactlyInAnyOrder(1, 2, 3);
            });
            assertThat(admin.listPartitionReassignments().reassignments().get(60, TimeUnit.SECONDS))
                    .doesNotContainKey(partition);
            // Without --preserve-throttles, --cancel clears them.
            for (String rate : THROTTLE_RATES) {
                assertThat(brokerConfig(admin, NEW_BROKER, rate)).as(rate).isEmpty();
            }
            for (String replicas : THROTTLED_REPLICAS) {
                assertThat(topicConfig(admin, "slow", replicas)).as(replicas).isEmpty();
            }
        }
        await().atMost(BOUND).untilAsserted(() -> assertThat(onDisk(NEW_BROKER, partition))
                .as("the cancelled replica left the new broker's disk").isFalse());
        assertThat(consume(partition, SLOW_RECORDS)).containsExactlyElementsOf(slowValues);
    }

    private static KafkaDistribution.Result tool(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("--bootstrap-server", cluster.bootstrapServers(1)));
        command.addAll(List.of(arguments));
        return KafkaDistribution.run(REASSIGN_COMMAND, command);
    }

    /** The JSON line after "Proposed partition reassignment configuration" in --generate's output. */
    private static String proposal(String output) {
        String[] lines = output.split("\n");
        for (int index = 0; index + 1 < lines.length; index++) {
            if (lines[index].startsWith("Proposed partition reassignment configuration")) {
                return lines[index + 1].trim();
            }
        }
        throw new AssertionError("no proposal in: " + output);
    }

    private static Map<TopicPartition, List<Integer>> parsePlan(String json) {
        Map<TopicPartition, List<Integer>> plan = new HashMap<>();
        Matcher matcher = Pattern.compile("\\{\"topic\":\"([^\"]+)\",\"partition\":(\\d+),\"replicas\":\\[([0-9,]*)\\]")
                .matcher(json);
        while (matcher.find()) {
            List<Integer> replicas = new ArrayList<>();
            for (String replica : matcher.group(3).split(",")) {
                replicas.add(Integer.parseInt(replica));
            }
            plan.put(new TopicPartition(matcher.group(1), Integer.parseInt(matcher.group(2))), replicas);
        }
        return plan;
    }

    private static List<String> values(String topic, int partition) {
        List<String> values = new ArrayList<>();
        for (int index = 0; index < RECORDS_PER_PARTITION; index++) {
            values.add(topic + "-" + partition + "-" + index);
        }
        return values;
    }

    /** {@value #SLOW_RECORDS} records of {@value #SLOW_RECORD_BYTES} bytes, one batch each; returns their values. */
    private static List<String> produceLarge(TopicPartition partition) throws Exception {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(1));
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        List<String> values = new ArrayList<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(),
                new StringSerializer())) {
            for (int index = 0; index < SLOW_RECORDS; index++) {
                String value = index + "-" + "x".repeat(SLOW_RECORD_BYTES);
                producer.send(new ProducerRecord<>(partition.topic(), partition.partition(), null, value))
                        .get(60, TimeUnit.SECONDS);
                values.add(value);
            }
        }
        return values;
    }

    private static void produce(String topic, int partitions) throws Exception {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(1));
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(),
                new StringSerializer())) {
            for (int partition = 0; partition < partitions; partition++) {
                for (String value : values(topic, partition)) {
                    producer.send(new ProducerRecord<>(topic, partition, null, value));
                }
            }
            producer.flush();
        }
    }

    private static List<String> consume(TopicPartition partition) {
        return consume(partition, RECORDS_PER_PARTITION);
    }

    private static List<String> consume(TopicPartition partition, int count) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(1));
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, String>> read = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.assign(List.of(partition));
            await().atMost(BOUND).until(() -> {
                consumer.poll(Duration.ofMillis(500)).forEach(read::add);
                return read.size() >= count;
            });
        }
        assertThat(read).extracting(ConsumerRecord::offset).containsExactlyElementsOf(
                java.util.stream.LongStream.range(0, count).boxed().toList());
        return read.stream().map(ConsumerRecord::value).toList();
    }

    private static Map<TopicPartition, TopicPartitionInfo> partitions(Admin admin, Set<String> topics)
            throws Exception {
        Map<TopicPartition, TopicPartitionInfo> partitions = new HashMap<>();
        for (TopicDescription description : admin.describeTopics(topics).allTopicNames().get(60, TimeUnit.SECONDS)
                .values()) {
            for (TopicPartitionInfo info : description.partitions()) {
                partitions.put(new TopicPartition(description.name(), info.partition()), info);
            }
        }
        return partitions;
    }

    private static Map<TopicPartition, List<Integer>> assignments(Admin admin, Set<String> topics) throws Exception {
        Map<TopicPartition, List<Integer>> assignments = new HashMap<>();
        partitions(admin, topics).forEach((partition, info) -> assignments.put(partition,
                info.replicas().stream().map(Node::id).toList()));
        return assignments;
    }

    private static boolean fullIsr(Admin admin, Set<String> topics) throws Exception {
        return partitions(admin, topics).values().stream().allMatch(info -> info.leader() != null
                && info.isr().size() == info.replicas().size());
    }

    private static String brokerConfig(Admin admin, int broker, String name) throws Exception {
        return configValue(admin, new ConfigResource(ConfigResource.Type.BROKER, Integer.toString(broker)), name);
    }

    private static String topicConfig(Admin admin, String topic, String name) throws Exception {
        return configValue(admin, new ConfigResource(ConfigResource.Type.TOPIC, topic), name);
    }

    /** The config's value as set dynamically (a default or static value reads as unset: ""). */
    private static String configValue(Admin admin, ConfigResource resource, String name) throws Exception {
        Config config = admin.describeConfigs(List.of(resource)).all().get(60, TimeUnit.SECONDS).get(resource);
        return Optional.ofNullable(config.get(name))
                .filter(entry -> entry.source() == ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG
                        || entry.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG)
                .map(ConfigEntry::value).orElse("");
    }

    /** Every byte of the partition's log on {@code broker}, from offset 0. */
    private static byte[] bytes(int broker, TopicPartition partition) {
        PartitionLog log = cluster.node(broker).logManager().getLog(new io.fjord.storage.TopicPartition(
                partition.topic(), partition.partition())).orElseThrow();
        ByteBuffer all = log.readAllFrom(0);
        byte[] copy = new byte[all.remaining()];
        all.get(copy);
        return copy;
    }

    /** Whether {@code broker} has the partition's log directory on its disk (a deleted one is renamed, then gone). */
    private static boolean onDisk(int broker, TopicPartition partition) {
        return Files.isDirectory(data.resolve("node-" + broker).resolve(partition.topic() + "-"
                + partition.partition()));
    }
}
