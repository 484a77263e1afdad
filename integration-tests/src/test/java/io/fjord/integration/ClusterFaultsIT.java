package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
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
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults of a 3-node Fjord cluster whose nodes are child processes (each a broker and a voter), observed with the
 * unmodified Kafka clients: SIGTERM of a broker, kill -9 of a broker, kill -9 of the active controller, SIGTERM of the
 * active controller, and kill -9 of a broker restarted at once; each node comes back. One cluster serves the tests, in
 * order (each starts with every node running and unfenced). Timing figures are printed, never asserted: the bounds
 * are liveness bounds for a busy 2-core machine.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFaultsIT {
    /** Kafka's default {@code broker.session.timeout.ms}, which the nodes run with. */
    private static final Duration SESSION_TIMEOUT = Duration.ofMillis(9_000);
    private static final Duration BOUND = Duration.ofSeconds(120);
    private static final int RECORDS = 20;

    @TempDir
    static Path directory;

    private static FjordProcessCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = FjordProcessCluster.start(directory, 3, Map.of());
    }

    @AfterAll
    static void stopCluster() throws IOException {
        if (cluster != null) {
            cluster.close();
            // For the record: what the nodes warned about through the faults.
            List<String> warnings = cluster.warningsAndErrors();
            System.out.printf("%d WARN or ERROR lines in the nodes' output%n", warnings.size());
            for (String line : warnings) {
                System.out.println(line);
            }
        }
    }

    @BeforeEach
    void everyNodeRunsAndIsUnfenced() throws Exception {
        for (int id = 1; id <= 3; id++) {
            if (!cluster.isRunning(id)) {
                cluster.startNode(id);
                cluster.awaitReady(id);
            }
        }
        try (Admin admin = cluster.admin(cluster.runningBootstrapServers())) {
            await().atMost(BOUND).untilAsserted(() -> assertThat(brokers(admin)).containsExactlyInAnyOrder(1, 2, 3));
        }
    }

    @Test
    @Order(1)
    void aBrokerStoppedWithSigtermShutsDownUnderControlAndComesBackWithItsPartitionAndData() throws Exception {
        int controller = activeController();
        int victim = otherThan(controller, -1);
        int survivor = otherThan(controller, victim);
        String topic = "sigterm-victim";
        createOn(topic, victim, survivor);
        List<String> written = produce(topic);

        long terminatedNanos = System.nanoTime();
        int exitCode = cluster.terminate(victim);
        String printed = cluster.output(victim);
        System.out.printf("SIGTERM of broker %d: exited with code %d after %d ms%n", victim, exitCode,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - terminatedNanos));
        // Its last heartbeats asked for a controlled shutdown, and the controller allowed it.
        assertThat(printed).contains("Broker " + victim + ": the controller allows the shutdown",
                "Fjord node " + victim + " stopped cleanly").doesNotContain("did not allow a controlled shutdown");
        // The JVM reports the signal after its shutdown hook ran, as Kafka's broker does (128 + SIGTERM's 15).
        assertThat(exitCode).as(printed).isEqualTo(143);
        try (Admin admin = cluster.admin(cluster.bootstrapServers(survivor))) {
            // Fenced by its controlled shutdown, not by a lease running out: at once.
            await().atMost(BOUND).untilAsserted(() -> assertThat(brokers(admin)).doesNotContain(victim));
            assertThat(fencedBrokers(admin)).contains(victim);
        }
        await().atMost(BOUND).until(() -> metadataLeader(survivor, topic) == -1);

        cluster.startNode(victim);
        cluster.awaitReady(victim);
        assertComesBack(topic, victim, survivor, written);
    }

    @Test
    @Order(2)
    void aKilledBrokerIsFencedItsPartitionLosesItsLeaderAndARestartBringsBothBack() throws Exception {
        int controller = activeController();
        int victim = otherThan(controller, -1);
        int survivor = otherThan(controller, victim);
        String topic = "kill-victim";
        createOn(topic, victim, survivor);
        List<String> written = produce(topic);

        cluster.kill(victim);
        long killedNanos = System.nanoTime();
        try (Admin admin = cluster.admin(cluster.bootstrapServers(survivor))) {
            // Kafka's Metadata and DescribeCluster list unfenced brokers only: the lease runs out, the timer fences.
            await().atMost(SESSION_TIMEOUT.plus(BOUND)).pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> assertThat(brokers(admin)).doesNotContain(victim));
            System.out.printf("kill -9 of broker %d: fenced after %d ms (broker.session.timeout.ms %d)%n", victim,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedNanos), SESSION_TIMEOUT.toMillis());
            assertThat(fencedBrokers(admin)).contains(victim);
            // With one replica there is nobody to elect: leaderless, as Kafka leaves it without another replica.
            await().atMost(BOUND).until(() -> metadataLeader(survivor, topic) == -1);
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(60, TimeUnit.SECONDS).get(topic);
            assertThat(description.partitions().get(0).leader()).isNull();
        }

        cluster.startNode(victim);
        cluster.awaitReady(victim);
        assertComesBack(topic, victim, survivor, written);
    }

    @Test
    @Order(3)
    void aNewControllerTakesOverWhenTheActiveOneIsKilledAndMetadataChangesKeepBeingApplied() throws Exception {
        int controller = activeController();
        List<Integer> survivors = new ArrayList<>(List.of(1, 2, 3));
        survivors.remove(Integer.valueOf(controller));
        String victimTopic = "controller-victim";
        createOn(victimTopic, controller, survivors.get(0));
        List<String> written = produce(victimTopic);

        String bootstrap = cluster.bootstrapServers(survivors.get(0)) + "," + cluster.bootstrapServers(survivors.get(1));
        List<Creation> creations = new CopyOnWriteArrayList<>();
        AtomicBoolean creating = new AtomicBoolean(true);
        AtomicReference<Throwable> creationFailure = new AtomicReference<>();
        AtomicLong killedNanos = new AtomicLong(Long.MAX_VALUE);
        try (Admin admin = cluster.admin(bootstrap)) {
            // Creations one after the other through the survivors: before, across and after the kill.
            Thread creator = new Thread(() -> {
                try {
                    for (int index = 0; creating.get(); index++) {
                        String topic = "created-across-kill-" + index;
                        long startNanos = System.nanoTime();
                        createEventually(admin, topic);
                        creations.add(new Creation(topic, startNanos, System.nanoTime()));
                    }
                } catch (Throwable e) {
                    creationFailure.set(e);
                }
            }, "topic-creator");
            creator.start();
            try {
                await().atMost(BOUND).until(() -> creations.size() >= 3 || creationFailure.get() != null);
                cluster.kill(controller);
                killedNanos.set(System.nanoTime());
                await().atMost(BOUND).until(() -> creationFailure.get() != null || creations.stream()
                        .filter(creation -> creation.startNanos() > killedNanos.get()).count() >= 5);
            } finally {
                creating.set(false);
                creator.join(BOUND.toMillis());
            }
            assertThat(creationFailure.get()).as("every creation succeeds eventually").isNull();
            Creation firstAfterKill = creations.stream().filter(creation -> creation.startNanos() > killedNanos.get())
                    .findFirst().orElseThrow();
            System.out.printf("kill -9 of the active controller %d: the first creation sent after it committed "
                    + "%d ms after the kill (%d creations in all)%n", controller,
                    TimeUnit.NANOSECONDS.toMillis(firstAfterKill.endNanos() - killedNanos.get()), creations.size());
            int newController = activeController();
            System.out.printf("node %d is the active controller now%n", newController);
            assertThat(newController).isIn(survivors);
            assertThat(admin.listTopics().names().get(60, TimeUnit.SECONDS)).containsAll(topics(creations));
            // The new controller gave every broker a fresh lease; the dead node's runs out and its timer fences it.
            await().atMost(SESSION_TIMEOUT.plus(BOUND)).pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> assertThat(brokers(admin)).doesNotContain(controller));
            System.out.printf("kill -9 of the active controller %d: its broker fenced after %d ms%n", controller,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedNanos.get()));
        }
        await().atMost(BOUND).until(() -> metadataLeader(survivors.get(0), victimTopic) == -1);

        cluster.startNode(controller);
        cluster.awaitReady(controller);
        // The restarted node caught up with what was decided without it, and serves it.
        try (Admin admin = cluster.admin(cluster.bootstrapServers(controller))) {
            await().atMost(BOUND).untilAsserted(() -> {
                assertThat(brokers(admin)).containsExactlyInAnyOrder(1, 2, 3);
                assertThat(admin.listTopics().names().get(60, TimeUnit.SECONDS)).containsAll(topics(creations));
            });
        }
        assertComesBack(victimTopic, controller, survivors.get(0), written);
    }

    @Test
    @Order(5)
    void aBrokerRestartedAtOnceAfterKillNineWaitsOutItsOldLeaseAndComesBack() throws Exception {
        int controller = activeController();
        int victim = otherThan(controller, -1);
        int survivor = otherThan(controller, victim);
        String topic = "restarted-at-once";
        createOn(topic, victim, survivor);
        List<String> written = produce(topic);

        cluster.kill(victim);
        long killedNanos = System.nanoTime();
        // As a service manager restarts it: its previous incarnation still holds an unexpired lease, so the
        // controller refuses the registration (DUPLICATE_BROKER_REGISTRATION, retried) until the timer fences it.
        cluster.startNode(victim);
        cluster.awaitReady(victim);
        System.out.printf("kill -9 of broker %d and an immediate restart: ready (unfenced) after %d ms; registration "
                + "refused meanwhile: %s%n", victim, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedNanos),
                cluster.output(victim).contains("DUPLICATE_BROKER_REGISTRATION"));
        assertComesBack(topic, victim, survivor, written);
    }

    /** A committed creation: when it was sent first and when its success (or TOPIC_ALREADY_EXISTS) came back. */
    private record Creation(String topic, long startNanos, long endNanos) {
    }

    private static List<String> topics(List<Creation> creations) {
        return creations.stream().map(Creation::topic).toList();
    }

    @Test
    @Order(4)
    void theActiveControllerStoppedWithSigtermShutsDownUnderControlAndAnotherTakesOver() throws Exception {
        int controller = activeController();
        List<Integer> survivors = new ArrayList<>(List.of(1, 2, 3));
        survivors.remove(Integer.valueOf(controller));
        String topic = "sigterm-controller";
        createOn(topic, controller, survivors.get(0));
        List<String> written = produce(topic);

        long terminatedNanos = System.nanoTime();
        int exitCode = cluster.terminate(controller);
        System.out.printf("SIGTERM of the active controller %d: exited with code %d after %d ms%n", controller,
                exitCode, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - terminatedNanos));
        String printed = cluster.output(controller);
        assertThat(printed).contains("Broker " + controller + ": the controller allows the shutdown",
                "Fjord node " + controller + " stopped cleanly").doesNotContain("did not allow a controlled shutdown");
        assertThat(exitCode).as(printed).isEqualTo(143);
        assertThat(activeController()).isIn(survivors);
        try (Admin admin = cluster.admin(cluster.bootstrapServers(survivors.get(0)))) {
            createEventually(admin, "after-controller-sigterm");
            await().atMost(BOUND).untilAsserted(() -> assertThat(brokers(admin)).doesNotContain(controller));
        }
        await().atMost(BOUND).until(() -> metadataLeader(survivors.get(0), topic) == -1);

        cluster.startNode(controller);
        cluster.awaitReady(controller);
        assertComesBack(topic, controller, survivors.get(0), written);
    }

    /** Creates a topic of one partition, whose one replica is on {@code broker}, through {@code through}. */
    private static void createOn(String topic, int broker, int through) throws Exception {
        try (Admin admin = cluster.admin(cluster.bootstrapServers(through))) {
            admin.createTopics(List.of(new NewTopic(topic, Map.of(0, List.of(broker))))).all()
                    .get(60, TimeUnit.SECONDS);
        }
        await().atMost(BOUND).until(() -> metadataLeader(through, topic) == broker);
    }

    /** Retries the creation until it is committed (TOPIC_ALREADY_EXISTS: an earlier try was, its answer lost). */
    private static void createEventually(Admin admin, String topic) {
        await().atMost(BOUND).pollInterval(Duration.ofMillis(100)).until(() -> {
            try {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
                return true;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TopicExistsException) {
                    return true;
                }
                System.out.printf("creating %s: %s (retrying)%n", topic, e.getCause());
                return false;
            }
        });
    }

    /** Once the node is back: unfenced, listed, the leader of its partition again, with the records it had. */
    private static void assertComesBack(String topic, int victim, int survivor, List<String> written)
            throws Exception {
        try (Admin admin = cluster.admin(cluster.bootstrapServers(survivor))) {
            await().atMost(BOUND).untilAsserted(() -> assertThat(brokers(admin)).contains(victim));
            assertThat(fencedBrokers(admin)).doesNotContain(victim);
        }
        await().atMost(BOUND).until(() -> metadataLeader(survivor, topic) == victim);
        assertThat(consume(topic, written.size())).containsExactlyElementsOf(written);
    }

    /** Waits until a running node leads the metadata quorum, and names it. */
    private static int activeController() {
        // A connection refused or reset by a node on its way down only means asking again.
        return await().atMost(BOUND).ignoreException(IOException.class).until(cluster::activeController, id -> id > 0);
    }

    private static int otherThan(int first, int second) {
        for (int id = 1; id <= 3; id++) {
            if (id != first && id != second) {
                return id;
            }
        }
        throw new IllegalArgumentException("no third node");
    }

    private static Set<Integer> brokers(Admin admin) throws Exception {
        Set<Integer> ids = new HashSet<>();
        for (Node node : admin.describeCluster().nodes().get(60, TimeUnit.SECONDS)) {
            ids.add(node.id());
        }
        return ids;
    }

    private static Set<Integer> fencedBrokers(Admin admin) throws Exception {
        Set<Integer> ids = new HashSet<>();
        for (Node node : admin.describeCluster(new DescribeClusterOptions().includeFencedBrokers(true)).nodes()
                .get(60, TimeUnit.SECONDS)) {
            if (node.isFenced()) {
                ids.add(node.id());
            }
        }
        return ids;
    }

    /**
     * The leader id of the topic's partition 0 in a Metadata response of node {@code askedId} (-1: none), read
     * directly, since the Admin client shows a leader missing from the broker list as no leader too.
     */
    private static int metadataLeader(int askedId, String topic) throws Exception {
        String[] address = cluster.bootstrapServers(askedId).split(":");
        MetadataResponse response = new RawClient(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                Integer.parseInt(address[1]))).send(new MetadataRequest.Builder(List.of(topic), false)
                .build((short) 12), ApiKeys.METADATA);
        MetadataResponseData.MetadataResponsePartition partition = response.data().topics().find(topic).partitions()
                .get(0);
        if (partition.leaderId() < 0) {
            // What Kafka answers for a partition without a leader; clients refresh and retry on it.
            assertThat(Errors.forCode(partition.errorCode())).isEqualTo(Errors.LEADER_NOT_AVAILABLE);
        }
        return partition.leaderId();
    }

    private static List<String> produce(String topic) throws Exception {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.runningBootstrapServers());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        List<String> values = new ArrayList<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(),
                new StringSerializer())) {
            for (int index = 0; index < RECORDS; index++) {
                String value = topic + "-" + index;
                producer.send(new ProducerRecord<>(topic, 0, null, value)).get(120, TimeUnit.SECONDS);
                values.add(value);
            }
        }
        return values;
    }

    private static List<String> consume(String topic, int count) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.runningBootstrapServers());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            await().atMost(BOUND).until(() -> {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
                return values.size() >= count;
            });
        }
        return values;
    }
}
