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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TopicListing;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.DescribeTopicPartitionsRequest;
import org.apache.kafka.common.requests.DescribeTopicPartitionsResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acknowledged writes survive faults (issue #12's fault test): three node processes, a topic with RF=3 and
 * {@code min.insync.replicas=2}, an idempotent {@code acks=all} producer writing continuously, while a seeded schedule
 * kill -9s partition leaders, freezes nodes (SIGSTOP/SIGCONT), stops them with SIGTERM (restarting each) and isolates
 * them from the other nodes for a while (a {@link NetworkFaultProxy} between the nodes; clients still reach every node),
 * then heals the network; a second test plays the 2013 Jepsen case. At the end
 * every acknowledged record is read back exactly once, at the offset it was acknowledged with, in order per partition,
 * and every replica's log holds the same bytes. The seed ({@code -Dreplication.faults.seed}) and the schedule are
 * printed; {@code -Dreplication.faults.steps} sets the number of faults (default 3, for CI). Time bounds are liveness
 * bounds for a busy machine.
 */
class ReplicationFaultsIT {
    private static final Duration BOUND = Duration.ofSeconds(180);
    private static final String TOPIC = "faults";
    private static final int PARTITIONS = 3;

    /** Kept when a test fails: the nodes' output files ({@code node-N/run-K.out}) say what happened. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path directory;

    private record Acknowledged(int partition, long offset, String value) {
    }

    private enum Fault { KILL_LEADER, PAUSE_NODE, TERMINATE_NODE, ISOLATE_NODE }

    /** What a test does to the cluster while the writer writes; appends one line per fault to the schedule. */
    @FunctionalInterface
    private interface Scenario {
        void run(FjordProcessCluster cluster, ConcurrentLinkedQueue<Acknowledged> acknowledged, List<String> schedule)
                throws Exception;
    }

    @Test
    void everyAcknowledgedRecordSurvivesKillsPausesStopsAndIsolation() throws Exception {
        long seed = Long.getLong("replication.faults.seed", System.nanoTime());
        int steps = Integer.getInteger("replication.faults.steps", 3);
        Random random = new Random(seed);
        System.out.printf("ReplicationFaultsIT seed=%d steps=%d (rerun: -Dreplication.faults.seed=%d)%n", seed,
                steps, seed);
        runWhileWriting("seed " + seed, (cluster, acknowledged, schedule) -> {
            for (int step = 1; step <= steps; step++) {
                Fault fault = Fault.values()[random.nextInt(Fault.values().length)];
                String line = injure(cluster, fault, random, acknowledged);
                schedule.add("step " + step + ": " + line);
                try (Admin admin = cluster.admin(cluster.runningBootstrapServers())) {
                    awaitHealthy(cluster, admin);
                }
                awaitProgress(acknowledged, 50);
            }
        });
    }

    /**
     * The 2013 Jepsen case against Kafka, with {@code min.insync.replicas=2}: the followers of partition 0 are cut off
     * from its leader (their fetches only; they stay registered and in the quorum) until its ISR is the leader alone,
     * when an {@code acks=all} write to it must be refused with NOT_ENOUGH_REPLICAS; then the leader is isolated from
     * every node (clients still reach it, and a write there must not be acknowledged either), the majority fences it
     * and elects another replica if KIP-966's rules allow one (an eligible leader replica) or leaves the partition
     * leaderless; then the network heals. No acknowledged write may be lost; what happened is printed.
     */
    @Test
    void jepsen2013IsolatedLeaderAloneInItsIsrLosesNoAcknowledgedWrite() throws Exception {
        runWhileWriting("jepsen", (cluster, acknowledged, schedule) -> {
            int partition = 0;
            int leader;
            try (Admin admin = cluster.admin(cluster.runningBootstrapServers())) {
                leader = describe(admin).partitions().get(partition).leader().id();
            }
            List<Integer> followers = Stream.of(1, 2, 3).filter(id -> id != leader).toList();
            followers.forEach(follower -> cluster.cutReplication(follower, leader));
            long cutAt = System.nanoTime();
            try (Admin admin = cluster.admin(cluster.runningBootstrapServers())) {
                await().atMost(BOUND).untilAsserted(() -> assertThat(describe(admin).partitions().get(partition)
                        .isr().stream().map(Node::id).toList()).containsExactly(leader));
            }
            schedule.add(String.format("cut the fetches of nodes %s from node %d (leader of partition %d, active "
                    + "controller %d): its ISR shrank to [%d] in %d ms", followers, leader, partition,
                    cluster.activeController(), leader, (System.nanoTime() - cutAt) / 1_000_000));
            Exception refused = probe(cluster.bootstrapServers(leader), partition, "probe-alone").error();
            assertThat(refused).as("an acks=all write to a leader alone in its ISR")
                    .isInstanceOf(NotEnoughReplicasException.class);
            schedule.add("an acks=all write to it: " + refused.getClass().getSimpleName());

            cluster.isolate(leader);
            long isolatedAt = System.nanoTime();
            // Asked of each node of the majority directly: an Admin client would stick to the isolated node, which
            // still answers with its stale view.
            PartitionView after = await().atMost(BOUND).until(() -> {
                for (int follower : followers) {
                    PartitionView view = PartitionView.of(cluster, follower, partition);
                    if (view.leader() != leader) {
                        return view;
                    }
                }
                return null;
            }, view -> view != null);
            int elected = after.leader();
            schedule.add(String.format("isolated node %d; after %d ms node %d's metadata for partition %d: leader "
                    + "%s, ISR %s, ELR %s, last known ELR %s", leader, (System.nanoTime() - isolatedAt) / 1_000_000,
                    after.node(), partition, elected < 0 ? "none" : elected, after.isr(), after.elr(),
                    after.lastKnownElr()));
            // The client still reaches the isolated node, which still believes it leads (as a Kafka broker cut off
            // from its controller does): it must not acknowledge. The writer's producer keeps retrying there too
            // (NOT_ENOUGH_REPLICAS does not make a Kafka producer refresh its metadata) until the heal.
            Exception isolatedAnswer = probe(cluster.bootstrapServers(leader), partition, "probe-isolated").error();
            assertThat(isolatedAnswer).as("an acks=all write to the isolated leader is not acknowledged").isNotNull();
            schedule.add("an acks=all write to the isolated leader: " + isolatedAnswer.getClass().getSimpleName());
            if (elected >= 0) {
                // The other follower joins the new leader's ISR; then a client of the majority is acknowledged.
                await().atMost(BOUND).untilAsserted(() -> assertThat(PartitionView.of(cluster, elected, partition)
                        .isr()).hasSize(2));
                String majority = followers.stream().map(cluster::bootstrapServers)
                        .collect(Collectors.joining(","));
                Probe majorityWrite = probe(majority, partition, "probe-majority");
                assertThat(majorityWrite.error()).as("an acks=all write through the majority").isNull();
                acknowledged.add(new Acknowledged(partition, majorityWrite.offset(), "probe-majority"));
                schedule.add("the ISR of the new leader " + elected + " grew to 2 and an acks=all write "
                        + "through the majority was acknowledged at offset " + majorityWrite.offset());
            }
            cluster.healNetwork();
            schedule.add("healed the network");
            try (Admin admin = cluster.admin(cluster.runningBootstrapServers())) {
                awaitHealthy(cluster, admin);
            }
            awaitProgress(acknowledged, 50);
        });
    }

    /**
     * Starts a partitionable cluster, creates the topic, writes continuously while the scenario runs, then checks
     * every acknowledged record, the order per partition and byte-identical replicas.
     */
    private void runWhileWriting(String name, Scenario scenario) throws Exception {
        ConcurrentLinkedQueue<Acknowledged> acknowledged = new ConcurrentLinkedQueue<>();
        List<String> schedule = new ArrayList<>();
        FjordProcessCluster cluster = FjordProcessCluster.startPartitionable(directory, 3, Map.of(
                "offsets.topic.replication.factor", "3", "replica.lag.time.max.ms", "5000"));
        try {
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
                scenario.run(cluster, acknowledged, schedule);
            } finally {
                writing.set(false);
                writer.join(BOUND.toMillis());
                schedule.forEach(line -> System.out.println("ReplicationFaultsIT " + name + " " + line));
            }
            assertThat(writer.isAlive()).as("the writer stopped").isFalse();
            System.out.printf("ReplicationFaultsIT %s: %d records acknowledged, %d sends failed; schedule %s%n",
                    name, acknowledged.size(), failed.get(), schedule);

            Map<TopicPartition, Map<Long, String>> read = readEverything(cluster.runningBootstrapServers());
            assertEveryAcknowledgedRecordReadOnceInPlace(acknowledged, read, name);
            try (Admin admin = cluster.admin(cluster.runningBootstrapServers())) {
                awaitHealthy(cluster, admin);
            }
            awaitEqualLogSizes(cluster);
            // The segment files are compared once every node stopped cleanly.
            cluster.close();
            assertReplicasIdentical(cluster, name);
        } finally {
            cluster.close();
        }
    }

    // ---------------------------------------------------------------- the writer

    private static void write(FjordProcessCluster cluster, AtomicBoolean writing,
                              ConcurrentLinkedQueue<Acknowledged> acknowledged, AtomicInteger failed) {
        Properties config = ClientConfigs.acksAllProducer(cluster.runningBootstrapServers());
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        config.put(ProducerConfig.LINGER_MS_CONFIG, "5");
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

    private static void awaitProgress(ConcurrentLinkedQueue<Acknowledged> acknowledged, int partition,
                                      int records) {
        long before = acknowledged.stream().filter(record -> record.partition() == partition).count();
        await().atMost(BOUND).until(() -> acknowledged.stream().filter(record -> record.partition() == partition)
                .count() >= before + records);
    }

    /** A partition's leader, ISR and ELRs as one node's metadata has them (DescribeTopicPartitions to that node). */
    private record PartitionView(int node, int leader, List<Integer> isr, List<Integer> elr,
                                 List<Integer> lastKnownElr) {
        static PartitionView of(FjordProcessCluster cluster, int node, int partition) throws IOException {
            DescribeTopicPartitionsRequest request = new DescribeTopicPartitionsRequest.Builder(
                    new DescribeTopicPartitionsRequestData().setTopics(List.of(
                            new DescribeTopicPartitionsRequestData.TopicRequest().setName(TOPIC))))
                    .build((short) 0);
            DescribeTopicPartitionsResponse response = new RawClient(cluster.clientAddress(node))
                    .send(request, ApiKeys.DESCRIBE_TOPIC_PARTITIONS);
            DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponsePartition described = response.data()
                    .topics().find(TOPIC).partitions().stream()
                    .filter(candidate -> candidate.partitionIndex() == partition).findFirst().orElseThrow();
            return new PartitionView(node, described.leaderId(), described.isrNodes(),
                    described.eligibleLeaderReplicas() == null ? List.of() : described.eligibleLeaderReplicas(),
                    described.lastKnownElr() == null ? List.of() : described.lastKnownElr());
        }
    }

    /** A probe write's offset if acknowledged, else its error. */
    private record Probe(long offset, Exception error) {
    }

    /** One {@code acks=all} write to the partition, knowing the given nodes only, without retries. */
    private static Probe probe(String bootstrap, int partition, String value) throws Exception {
        Properties config = ClientConfigs.acksAllProducer(bootstrap);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        config.put(ProducerConfig.RETRIES_CONFIG, "0");
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "60000");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            return new Probe(producer.send(new ProducerRecord<>(TOPIC, partition, value, value))
                    .get(90, TimeUnit.SECONDS).offset(), null);
        } catch (ExecutionException e) {
            return new Probe(-1, (Exception) e.getCause());
        }
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
            case ISOLATE_NODE -> {
                long isolationMs = 2_000 + random.nextInt(10_001);
                String role = roles(cluster, node);
                cluster.isolate(node);
                long healAt = System.nanoTime() + isolationMs * 1_000_000;
                int before = acknowledged.size();
                try {
                    // Cut for the seeded time (longer than broker.session.timeout.ms fences it) and until the others
                    // acknowledged more.
                    await().atMost(BOUND).until(() -> System.nanoTime() - healAt >= 0
                            && acknowledged.size() >= before + 50);
                } finally {
                    cluster.healNetwork();
                }
                return "isolate node " + node + " (" + role + ") for " + isolationMs
                        + " ms and until 50 more records were acknowledged, heal";
            }
            default -> throw new IllegalStateException(fault.name());
        }
    }

    /** The partitions the node leads and whether it is the active controller, for the schedule. */
    private static String roles(FjordProcessCluster cluster, int node) throws Exception {
        List<Integer> led = new ArrayList<>();
        try (Admin admin = cluster.admin(cluster.runningBootstrapServers())) {
            for (TopicPartitionInfo partition : describe(admin).partitions()) {
                if (partition.leader() != null && partition.leader().id() == node) {
                    led.add(partition.partition());
                }
            }
        }
        return "leader of partitions " + led + (cluster.activeController() == node ? ", active controller" : "");
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
        Map<TopicPartition, Map<Long, String>> read = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(ClientConfigs.earliestConsumer(bootstrap))) {
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
            ConcurrentLinkedQueue<Acknowledged> acknowledged, Map<TopicPartition, Map<Long, String>> read, String run) {
        Set<String> seen = new HashSet<>();
        Set<String> acknowledgedValues = new HashSet<>();
        acknowledged.forEach(record -> acknowledgedValues.add(record.value()));
        for (Map<Long, String> partition : read.values()) {
            for (String value : partition.values()) {
                if (value.startsWith("probe")) {
                    // A refused probe was refused before it was appended (NOT_ENOUGH_REPLICAS): none may be read.
                    assertThat(acknowledgedValues).as("%s: probe write %s in the log", run, value).contains(value);
                }
                assertThat(seen.add(value)).as("%s: value %s written once", run, value).isTrue();
            }
        }
        for (Acknowledged record : acknowledged) {
            assertThat(read.getOrDefault(new TopicPartition(TOPIC, record.partition()), Map.of()).get(record.offset()))
                    .as("%s: acknowledged %s", run, record).isEqualTo(record.value());
        }
        for (Map<Long, String> partition : read.values()) {
            // Values rise with offsets: per partition the producer sent them in order, and idempotence kept it.
            long previous = -1;
            for (Map.Entry<Long, String> entry : new java.util.TreeMap<>(partition).entrySet()) {
                if (entry.getValue().startsWith("probe")) {
                    continue;
                }
                long value = Long.parseLong(entry.getValue());
                assertThat(value).as("%s: order at offset %d", run, entry.getKey()).isGreaterThan(previous);
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
    private static void assertReplicasIdentical(FjordProcessCluster cluster, String run) throws IOException {
        for (int partition = 0; partition < PARTITIONS; partition++) {
            byte[] expected = null;
            for (int node = 1; node <= 3; node++) {
                byte[] bytes = logBytes(cluster.dataDirectory(node).resolve(TOPIC + "-" + partition));
                if (expected == null) {
                    expected = bytes;
                    assertThat(bytes.length).as("partition %d holds data", partition).isPositive();
                } else {
                    assertThat(bytes).as("%s: partition %d on node %d", run, partition, node)
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
