package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fjord.storage.PartitionLog;
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
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fetch from the closest replica (KIP-392) on three in-process nodes in racks r1, r2, r3 with Kafka's
 * {@code RackAwareReplicaSelector}: the leader (r1) sends a consumer in r2 to the follower there, the consumer reads
 * from it only up to the high watermark that follower knows, and goes back to the leader when the follower stops.
 *
 * <p>To hold the high watermark still while the follower in r2 has records above it, the follower in r3 asks the
 * leader for at least 1 MiB per fetch and waits up to a minute for it: its fetch of the small records stays parked, so
 * it stays in the ISR (a long {@code replica.lag.time.max.ms}) without reporting them, and the leader's high
 * watermark, the least log end of its ISR, stays where it was until a large write releases that fetch. Time bounds
 * are liveness bounds.
 */
class FollowerFetchIT {
    private static final Duration BOUND = Duration.ofSeconds(120);
    private static final String TOPIC = "near";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);
    private static final int LEADER = 1;
    private static final int NEAR_FOLLOWER = 2;
    private static final int SLOW_FOLLOWER = 3;
    private static final int RECORDS = 100;
    /** Enough bytes, with the slow follower's 1 MiB minimum, to release its parked fetch. */
    private static final int FILLER_RECORDS = 4;
    private static final int FILLER_BYTES = 300 * 1024;

    @TempDir
    static Path data;

    private static FjordTestCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = FjordTestCluster.start(data, 3, Map.of(
                "replica.selector.class", "org.apache.kafka.common.replica.RackAwareReplicaSelector",
                "replica.lag.time.max.ms", "300000"), Map.of(
                LEADER, Map.of("broker.rack", "r1"),
                NEAR_FOLLOWER, Map.of("broker.rack", "r2"),
                SLOW_FOLLOWER, Map.of("broker.rack", "r3", "replica.fetch.min.bytes", Integer.toString(1 << 20),
                        "replica.fetch.wait.max.ms", "60000", "replica.socket.timeout.ms", "90000")));
        cluster.awaitOneController(BOUND);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aConsumerInAFollowersRackReadsFromItBelowItsHighWatermarkAndFallsBackToTheLeaderWhenItStops()
            throws Exception {
        try (Admin admin = cluster.admin(LEADER)) {
            admin.createTopics(List.of(new NewTopic(TOPIC, Map.of(0, List.of(LEADER, NEAR_FOLLOWER,
                    SLOW_FOLLOWER))))).all().get(60, TimeUnit.SECONDS);
            await().atMost(BOUND).untilAsserted(() -> {
                TopicDescription description = admin.describeTopics(List.of(TOPIC)).allTopicNames()
                        .get(60, TimeUnit.SECONDS).get(TOPIC);
                assertThat(description.partitions().get(0).leader().id()).isEqualTo(LEADER);
                assertThat(description.partitions().get(0).isr()).extracting(Node::id).hasSize(3);
            });
        }
        List<String> expected = new ArrayList<>();
        produce(0, RECORDS, expected);
        // The near follower has every record; the slow one has not reported them, so no replica's high watermark
        // covers them.
        await().atMost(BOUND).until(() -> log(NEAR_FOLLOWER).logEndOffset() == RECORDS);
        assertThat(log(LEADER).highWatermark()).isZero();
        assertThat(log(NEAR_FOLLOWER).highWatermark()).isZero();

        assertThat(preferredReadReplicaFromLeader("r2")).as("the leader sends r2 to its follower there")
                .isEqualTo(NEAR_FOLLOWER);
        assertThat(preferredReadReplicaFromLeader("r1")).as("the leader keeps a consumer in its own rack")
                .isEqualTo(FetchResponse.INVALID_PREFERRED_REPLICA_ID);

        try (KafkaConsumer<String, String> consumer = consumer("r2")) {
            consumer.assign(List.of(PARTITION));
            consumer.seekToBeginning(List.of(PARTITION));
            List<ConsumerRecord<String, String>> read = new ArrayList<>();
            await().atMost(BOUND).until(() -> {
                pollInto(consumer, read);
                return preferredReadReplica(consumer) == NEAR_FOLLOWER;
            });
            // On the follower, nothing is above zero: the records are in its log, not below its high watermark.
            await().during(Duration.ofSeconds(3)).atMost(BOUND).until(() -> {
                pollInto(consumer, read);
                return read.isEmpty() && preferredReadReplica(consumer) == NEAR_FOLLOWER;
            });
            assertThat(log(NEAR_FOLLOWER).logEndOffset()).isEqualTo(RECORDS);
            assertThat(log(NEAR_FOLLOWER).highWatermark()).isZero();

            produceFiller(expected); // releases the slow follower's fetch: the high watermark moves up
            await().atMost(BOUND).until(() -> {
                pollInto(consumer, read);
                for (ConsumerRecord<String, String> record : read) {
                    assertThat(record.offset()).as("below the follower's high watermark")
                            .isLessThan(log(NEAR_FOLLOWER).highWatermark());
                }
                return read.size() >= expected.size();
            });
            assertThat(preferredReadReplica(consumer)).as("still read from the follower").isEqualTo(NEAR_FOLLOWER);
            assertInOrder(read, expected);

            cluster.stop(NEAR_FOLLOWER);
            produce(expected.size(), RECORDS, expected);
            produceFiller(expected);
            await().atMost(BOUND).until(() -> {
                pollInto(consumer, read);
                return read.size() >= expected.size();
            });
            assertInOrder(read, expected);
            assertThat(preferredReadReplica(consumer)).as("back on the leader").isEqualTo(-1);
        }
    }

    private static PartitionLog log(int nodeId) {
        return cluster.node(nodeId).logManager().getLog(new io.fjord.storage.TopicPartition(TOPIC, 0)).orElseThrow();
    }

    /** Sends {@code count} small records, acks=1 (the slow follower holds acks=all back), noting their values. */
    private static void produce(int first, int count, List<String> expected) throws Exception {
        try (KafkaProducer<String, String> producer = producer()) {
            for (int index = first; index < first + count; index++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, "key-" + index, "value-" + index))
                        .get(60, TimeUnit.SECONDS);
                expected.add("value-" + index);
            }
        }
    }

    private static void produceFiller(List<String> expected) throws Exception {
        try (KafkaProducer<String, String> producer = producer()) {
            for (int index = 0; index < FILLER_RECORDS; index++) {
                String value = "filler-" + expected.size() + "-" + "x".repeat(FILLER_BYTES);
                producer.send(new ProducerRecord<>(TOPIC, 0, null, value)).get(60, TimeUnit.SECONDS);
                expected.add(value);
            }
        }
    }

    private static KafkaProducer<String, String> producer() {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(LEADER));
        config.put(ProducerConfig.ACKS_CONFIG, "1");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1 << 20);
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    private static KafkaConsumer<String, String> consumer(String rack) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(LEADER));
        config.put(ConsumerConfig.CLIENT_RACK_CONFIG, rack);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // Short, so that the consumer asks the leader again soon after its follower went away.
        config.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "2000");
        return new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
    }

    private static void pollInto(KafkaConsumer<String, String> consumer, List<ConsumerRecord<String, String>> read) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
            read.add(record);
        }
    }

    /** The consumer's {@code preferred-read-replica} metric for the partition: -1 while it reads from the leader. */
    private static int preferredReadReplica(KafkaConsumer<String, String> consumer) {
        return consumer.metrics().entrySet().stream()
                .filter(entry -> entry.getKey().name().equals("preferred-read-replica")
                        && TOPIC.equals(entry.getKey().tags().get("topic"))
                        && "0".equals(entry.getKey().tags().get("partition")))
                .map(entry -> ((Number) entry.getValue().metricValue()).intValue()).findFirst().orElse(-1);
    }

    /** A consumer's Fetch (v12, client rack {@code rack}) sent to the leader: the replica it names. */
    private static int preferredReadReplicaFromLeader(String rack) throws Exception {
        short version = 12;
        FetchRequest request = FetchRequest.Builder.forConsumer(version, 0, 1, Map.of(PARTITION,
                new FetchRequest.PartitionData(Uuid.ZERO_UUID, 0, 0, 1 << 20, Optional.empty()))).rackId(rack)
                .build(version);
        FetchResponse response = new RawClient(cluster.node(LEADER).boundAddress("PLAINTEXT"))
                .send(request, ApiKeys.FETCH);
        FetchResponseData.PartitionData partition = response.data().responses().get(0).partitions().get(0);
        assertThat(partition.errorCode()).isZero();
        return partition.preferredReadReplica();
    }

    private static void assertInOrder(List<ConsumerRecord<String, String>> read, List<String> expected) {
        assertThat(read).extracting(ConsumerRecord::offset).containsExactlyElementsOf(
                java.util.stream.LongStream.range(0, expected.size()).boxed().toList());
        assertThat(read).extracting(ConsumerRecord::value).containsExactlyElementsOf(expected);
    }
}
