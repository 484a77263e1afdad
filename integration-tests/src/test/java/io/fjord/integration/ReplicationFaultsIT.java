package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TopicListing;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acknowledged writes survive faults (issue #12's fault test): three node processes, a topic with RF=3 and
 * {@code min.insync.replicas=2}, an idempotent {@code acks=all} producer writing continuously, while a seeded schedule
 * kill -9s partition leaders, freezes nodes (SIGSTOP/SIGCONT) and stops them with SIGTERM, restarting each. At the end
 * every acknowledged record is read back exactly once, at the offset it was acknowledged with, in order per partition,
 * and every replica's log holds the same bytes. The seed ({@code -Dreplication.faults.seed}) and the schedule are
 * printed; {@code -Dreplication.faults.steps} sets the number of faults (default 3, for CI). Time bounds are liveness
 * bounds for a busy machine.
 */
class ReplicationFaultsIT {
    private static final Duration BOUND = Duration.ofSeconds(180);
    private static final String TOPIC = "faults";
    private static final int PARTITIONS = 3;

    @TempDir
    Path directory;

    private record Acknowledged(int partition, long offset, String value) {
    }

    private enum Fault { KILL_LEADER, PAUSE_NODE, TERMINATE_NODE }

    @Test
    void everyAcknowledgedRecordSurvivesKillsPausesAndStops() throws Exception {
        long seed = Long.getLong("replication.faults.seed", System.nanoTime());
        int steps = Integer.getInteger("replication.faults.steps", 3);
        Random random = new Random(seed);
        System.out.printf("ReplicationFaultsIT seed=%d steps=%d (rerun: -Dreplication.faults.seed=%d)%n", seed,
                steps, seed);
        ConcurrentLinkedQueue<Acknowledged> acknowledged = new ConcurrentLinkedQueue<>();
        List<String> schedule = new ArrayList<>();
        try (FjordProcessCluster cluster = FjordProcessCluster.start(directory, 3, Map.of(
                "offsets.topic.replication.factor", "3", "replica.lag.time.max.ms", "5000"))) {
            try (Admin admin = cluster.admin(cluster.runningBootstrapServers())) {
                admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 3)
                        .configs(Map.of("min.insync.replicas", "2")))).all().get(60, TimeUnit.SECONDS);
                awaitHealthy(cluster, admin);
            }
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicInteger failed = new AtomicInteger();
            Thread writer = new Thread(() -> write(cluster, writing, acknowledged, failed), "faults-writer");
            writer.start();
            try {
                awaitProgress(acknowledged, 100);
                for (int step = 1; step <= steps; step++) {
                    Fault fault = Fault.values()[random.nextInt(Fault.values().length)];
                    String line = injure(cluster, fault, random, acknowledged);
                    schedule.add("step " + step + ": " + line);
                    System.out.println("ReplicationFaultsIT " + schedule.get(schedule.size() - 1));
                    try (Admin admin = cluster.admin(cluster.runningBootstrapServers())) {
                        awaitHealthy(cluster, admin);
                    }
                    awaitProgress(acknowledged, 50);
                }
            } finally {
                writing.set(false);
                writer.join(BOUND.toMillis());
            }
            assertThat(writer.isAlive()).as("the writer stopped").isFalse();
            System.out.printf("ReplicationFaultsIT seed=%d: %d records acknowledged, %d sends failed; schedule %s%n",
                    seed, acknowledged.size(), failed.get(), schedule);

            Map<TopicPartition, Map<Long, String>> read = readEverything(cluster.runningBootstrapServers());
            assertEveryAcknowledgedRecordReadOnceInPlace(acknowledged, read, seed);
            try (Admin admin = cluster.admin(cluster.runningBootstrapServers())) {
                awaitHealthy(cluster, admin);
            }
            awaitEqualLogSizes(cluster);
            cluster.close();
            assertReplicasIdentical(cluster, seed);
        }
    }

    // ---------------------------------------------------------------- the writer

    private static void write(FjordProcessCluster cluster, AtomicBoolean writing,
                              ConcurrentLinkedQueue<Acknowledged> acknowledged, AtomicInteger failed) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.runningBootstrapServers());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        config.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        // A bound on records in flight, so the writer cannot run ahead of a cluster in trouble.
        Semaphore inFlight = new Semaphore(200);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            long sequence = 0;
            while (writing.get()) {
                if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                String value = Long.toString(sequence);
                int partition = (int) (sequence % PARTITIONS);
                sequence++;
                producer.send(new ProducerRecord<>(TOPIC, partition, value, value), (metadata, error) -> {
                    inFlight.release();
                    if (error == null) {
                        acknowledged.add(new Acknowledged(metadata.partition(), metadata.offset(), value));
                    } else {
                        failed.incrementAndGet();
                    }
                });
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitProgress(ConcurrentLinkedQueue<Acknowledged> acknowledged, int records) {
        int before = acknowledged.size();
        await().atMost(BOUND).until(() -> acknowledged.size() >= before + records);
    }

    // ---------------------------------------------------------------- faults

    private static String injure(FjordProcessCluster cluster, Fault fault, Random random,
                                 ConcurrentLinkedQueue<Acknowledged> acknowledged) throws Exception {
        int partition = random.nextInt(PARTITIONS);
        int node = 1 + random.nextInt(3);
        switch (fault) {
            case KILL_LEADER -> {
                int leader;
                try (Admin admin = cluster.admin(cluster.runningBootstrapServers())) {
                    leader = describe(admin).partitions().get(partition).leader().id();
                }
                cluster.kill(leader);
                // Writes go on with two replicas (the leadership moves once the lease expires).
                awaitProgress(acknowledged, 50);
                cluster.startNode(leader);
                cluster.awaitReady(leader);
                return "kill -9 node " + leader + " (leader of partition " + partition + "), restart";
            }
            case PAUSE_NODE -> {
                cluster.pause(node);
                try {
                    awaitProgress(acknowledged, 50);
                } finally {
                    cluster.resume(node);
                }
                return "SIGSTOP node " + node + " until 50 more records were acknowledged, SIGCONT";
            }
            case TERMINATE_NODE -> {
                int exit = cluster.terminate(node);
                awaitProgress(acknowledged, 50);
                cluster.startNode(node);
                cluster.awaitReady(node);
                return "SIGTERM node " + node + " (exit " + exit + "), restart";
            }
            default -> throw new IllegalStateException(fault.name());
        }
    }

    private static TopicDescription describe(Admin admin) throws Exception {
        return admin.describeTopics(List.of(TOPIC)).allTopicNames().get(60, TimeUnit.SECONDS).get(TOPIC);
    }

    /** Every node runs, and every partition of the topic has a leader and all three replicas in sync. */
    private static void awaitHealthy(FjordProcessCluster cluster, Admin admin) {
        await().atMost(BOUND).untilAsserted(() -> {
            assertThat(cluster.running()).containsExactly(1, 2, 3);
            Map<String, TopicListing> topics = admin.listTopics().namesToListings().get(60, TimeUnit.SECONDS);
            assertThat(topics).containsKey(TOPIC);
            for (TopicPartitionInfo partition : describe(admin).partitions()) {
                assertThat(partition.leader()).isNotNull();
                assertThat(partition.isr()).hasSize(3);
            }
        });
    }

    // ---------------------------------------------------------------- checks

    private static Map<TopicPartition, Map<Long, String>> readEverything(String bootstrap) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        Map<TopicPartition, Map<Long, String>> read = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int partition = 0; partition < PARTITIONS; partition++) {
                partitions.add(new TopicPartition(TOPIC, partition));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(60));
            await().atMost(BOUND).until(() -> {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    String earlier = read.computeIfAbsent(new TopicPartition(TOPIC, record.partition()),
                            key -> new HashMap<>()).put(record.offset(), record.value());
                    assertThat(earlier).as("offset %d of partition %d read once", record.offset(), record.partition())
                            .isNull();
                }
                return partitions.stream().allMatch(partition -> consumer.position(partition) >= ends.get(partition));
            });
        }
        return read;
    }

    private static void assertEveryAcknowledgedRecordReadOnceInPlace(
            ConcurrentLinkedQueue<Acknowledged> acknowledged, Map<TopicPartition, Map<Long, String>> read, long seed) {
        Set<String> seen = new HashSet<>();
        for (Map<Long, String> partition : read.values()) {
            for (String value : partition.values()) {
                assertThat(seen.add(value)).as("seed %d: value %s written once", seed, value).isTrue();
            }
        }
        for (Acknowledged record : acknowledged) {
            assertThat(read.getOrDefault(new TopicPartition(TOPIC, record.partition()), Map.of()).get(record.offset()))
                    .as("seed %d: acknowledged %s", seed, record).isEqualTo(record.value());
        }
        for (Map<Long, String> partition : read.values()) {
            // Values rise with offsets: per partition the producer sent them in order, and idempotence kept it.
            long previous = -1;
            for (Map.Entry<Long, String> entry : new java.util.TreeMap<>(partition).entrySet()) {
                long value = Long.parseLong(entry.getValue());
                assertThat(value).as("seed %d: order at offset %d", seed, entry.getKey()).isGreaterThan(previous);
                previous = value;
            }
        }
    }

    /** Once writes stopped and the ISRs are full, each partition's replicas reach the same size. */
    private static void awaitEqualLogSizes(FjordProcessCluster cluster) throws Exception {
        try (Admin admin = cluster.admin(cluster.runningBootstrapServers())) {
            await().atMost(BOUND).untilAsserted(() -> {
                Map<TopicPartition, Set<Long>> sizes = new HashMap<>();
                admin.describeLogDirs(List.of(1, 2, 3)).allDescriptions().get(60, TimeUnit.SECONDS)
                        .forEach((broker, directories) -> directories.values().forEach(directory ->
                                directory.replicaInfos().forEach((partition, info) -> {
                                    if (partition.topic().equals(TOPIC)) {
                                        sizes.computeIfAbsent(partition, key -> new HashSet<>()).add(info.size());
                                    }
                                })));
                assertThat(sizes).hasSize(PARTITIONS);
                assertThat(sizes.values()).allSatisfy(values -> assertThat(values).hasSize(1));
            });
        }
    }

    /** After a clean stop, the segment files of each partition hold the same bytes on every node. */
    private static void assertReplicasIdentical(FjordProcessCluster cluster, long seed) throws IOException {
        for (int partition = 0; partition < PARTITIONS; partition++) {
            byte[] expected = null;
            for (int node = 1; node <= 3; node++) {
                byte[] bytes = logBytes(cluster.dataDirectory(node).resolve(TOPIC + "-" + partition));
                if (expected == null) {
                    expected = bytes;
                    assertThat(bytes.length).as("partition %d holds data", partition).isPositive();
                } else {
                    assertThat(bytes).as("seed %d: partition %d on node %d", seed, partition, node)
                            .isEqualTo(expected);
                }
            }
        }
    }

    private static byte[] logBytes(Path partitionDirectory) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        try (Stream<Path> files = Files.list(partitionDirectory)) {
            for (Path segment : files.filter(file -> file.getFileName().toString().endsWith(".log")).sorted()
                    .toList()) {
                all.write(Files.readAllBytes(segment));
            }
        }
        return all.toByteArray();
    }
}
