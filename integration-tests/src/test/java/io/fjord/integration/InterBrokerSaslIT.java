package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.fjord.broker.network.client.NodeConnection;
import io.fjord.broker.network.tls.TestCertificates;
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
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.SaslConfigs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Brokers authenticating to each other with SASL, as Kafka's do: three in-process nodes whose inter-broker listener
 * ({@code INTERNAL}) is SASL_PLAINTEXT replicate an RF=3, min.insync.replicas=2 topic with acks=all, with PLAIN (the
 * broker's user in the listener's JAAS entry) and with SCRAM-SHA-512 (the user made by {@code fjord format
 * --add-scram}, sessions limited by {@code connections.max.reauth.ms} so that the fetchers' connections end and are
 * made again); a broker with a wrong inter-broker password starts, cannot fetch (logged), and leaves the ISRs while
 * the others keep serving; the controller listener may be SASL_PLAINTEXT (PLAIN) too, and both may be SASL_SSL (SASL
 * above TLS). Clients use the PLAINTEXT listener. Time bounds are liveness bounds for a busy machine.
 */
class InterBrokerSaslIT {
    private static final Duration BOUND = Duration.ofSeconds(120);
    private static final String PLAIN_MODULE = "org.apache.kafka.common.security.plain.PlainLoginModule required";
    private static final String SCRAM_MODULE = "org.apache.kafka.common.security.scram.ScramLoginModule required";

    @TempDir
    Path data;

    private static Map<String, String> saslInterBroker(String mechanism, String jaasConfig) {
        Map<String, String> settings = new HashMap<>();
        settings.put("listeners", "PLAINTEXT://127.0.0.1:0,INTERNAL://127.0.0.1:0");
        settings.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,INTERNAL:SASL_PLAINTEXT,"
                + "CONTROLLER:PLAINTEXT");
        settings.put("inter.broker.listener.name", "INTERNAL");
        settings.put("sasl.enabled.mechanisms", mechanism);
        settings.put("sasl.mechanism.inter.broker.protocol", mechanism);
        settings.put("listener.name.internal." + mechanism.toLowerCase(java.util.Locale.ROOT) + ".sasl.jaas.config",
                jaasConfig);
        settings.put("offsets.topic.replication.factor", "3");
        settings.put("default.replication.factor", "3");
        return settings;
    }

    private static String plainJaas(String password) {
        return PLAIN_MODULE + " username=\"broker\" password=\"" + password + "\" user_broker=\"broker-secret\";";
    }

    @Test
    void brokersReplicateOverAPlainInterBrokerListener() throws Exception {
        try (FjordTestCluster cluster = FjordTestCluster.start(data, 3,
                saslInterBroker("PLAIN", plainJaas("broker-secret")))) {
            replicateWithAcksAll(cluster, "plain-replicated");
        }
    }

    @Test
    void brokersReplicateOverAScramInterBrokerListenerAndReconnectAsSessionsEnd() throws Exception {
        Map<String, String> settings = saslInterBroker("SCRAM-SHA-512",
                SCRAM_MODULE + " username=\"broker\" password=\"broker-secret\";");
        settings.put("listener.name.internal.connections.max.reauth.ms", "4000");
        ListAppender<ILoggingEvent> log = capture();
        try (FjordTestCluster cluster = FjordTestCluster.start(data, 3, settings, Map.of(),
                List.of("SCRAM-SHA-512=[name=broker,password=broker-secret,iterations=4096]"))) {
            replicateWithAcksAll(cluster, "scram-replicated");
            // KIP-368: the fetchers' sessions end within 4 s; their connections end and are made again.
            await().atMost(BOUND).until(() -> messages(log).stream()
                    .anyMatch(line -> line.startsWith("Reconnecting to leader") && line.contains("SASL session")));
            replicateWithAcksAll(cluster, "scram-after-sessions");
        } finally {
            release(log);
        }
    }

    @Test
    void theQuorumAndTheBrokersLogInOnASaslControllerListenerToo() throws Exception {
        Map<String, String> settings = saslInterBroker("SCRAM-SHA-512",
                SCRAM_MODULE + " username=\"broker\" password=\"broker-secret\";");
        settings.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,INTERNAL:SASL_PLAINTEXT,"
                + "CONTROLLER:SASL_PLAINTEXT");
        settings.remove("sasl.enabled.mechanisms");
        settings.put("listener.name.internal.sasl.enabled.mechanisms", "SCRAM-SHA-512");
        settings.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
        settings.put("sasl.mechanism.controller.protocol", "PLAIN");
        settings.put("listener.name.controller.plain.sasl.jaas.config", PLAIN_MODULE
                + " username=\"controller\" password=\"controller-secret\" user_controller=\"controller-secret\";");
        try (FjordTestCluster cluster = FjordTestCluster.start(data, 3, settings, Map.of(),
                List.of("SCRAM-SHA-512=[name=broker,password=broker-secret,iterations=4096]"))) {
            // Raft between the controllers and forwarding to the active one log in: topics are created, and the
            // brokers register and replicate.
            replicateWithAcksAll(cluster, "secured-quorum");
            // The controller listener takes only clients that log in (Kafka's Admin with bootstrap.controllers).
            try (Admin plaintext = Admin.create(controllerClient(cluster, null))) {
                assertThatThrownBy(() -> plaintext.describeCluster().clusterId().get(60, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class);
            }
            try (Admin loggedIn = Admin.create(controllerClient(cluster, PLAIN_MODULE
                    + " username=\"controller\" password=\"controller-secret\";"))) {
                assertThat(loggedIn.describeCluster().clusterId().get(60, TimeUnit.SECONDS)).isNotEmpty();
            }
            // A broker-only node fetches the metadata log and registers over the SASL controller listener.
            Map<String, String> broker = new HashMap<>(settings);
            broker.put("listeners", "PLAINTEXT://127.0.0.1:0,INTERNAL://127.0.0.1:0");
            cluster.addBroker(4, broker);
            try (Admin admin = cluster.admin(4)) {
                await().atMost(BOUND).until(() -> admin.describeCluster().nodes().get(60, TimeUnit.SECONDS)
                        .size() == 4);
            }
        }
    }

    @Test
    void saslBetweenNodesRunsAboveTlsOnSaslSslListeners() throws Exception {
        TestCertificates certificates = TestCertificates.create(java.nio.file.Files.createDirectories(
                data.resolve("certificates")));
        Map<String, String> settings = saslInterBroker("SCRAM-SHA-512",
                SCRAM_MODULE + " username=\"broker\" password=\"broker-secret\";");
        settings.putAll(certificates.serverSettings("none"));
        settings.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,INTERNAL:SASL_SSL,CONTROLLER:SASL_SSL");
        settings.remove("sasl.enabled.mechanisms");
        settings.put("listener.name.internal.sasl.enabled.mechanisms", "SCRAM-SHA-512");
        settings.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
        settings.put("sasl.mechanism.controller.protocol", "PLAIN");
        settings.put("listener.name.controller.plain.sasl.jaas.config", PLAIN_MODULE
                + " username=\"controller\" password=\"controller-secret\" user_controller=\"controller-secret\";");
        try (FjordTestCluster cluster = FjordTestCluster.start(data.resolve("cluster"), 3, settings, Map.of(),
                List.of("SCRAM-SHA-512=[name=broker,password=broker-secret,iterations=4096]"))) {
            // The quorum formed, the brokers registered and the followers fetch: SASL above TLS on both listeners.
            replicateWithAcksAll(cluster, "tls-and-sasl");
        }
    }

    @Test
    void aBrokerWithAWrongInterBrokerPasswordCannotFetchAndLeavesTheIsr() throws Exception {
        ListAppender<ILoggingEvent> log = capture();
        // Node 3 serves the right user but logs in as "broker" with a wrong password.
        try (FjordTestCluster cluster = FjordTestCluster.start(data, 3,
                saslInterBroker("PLAIN", plainJaas("broker-secret")), Map.of(3, Map.of(
                        "listener.name.internal.plain.sasl.jaas.config", plainJaas("wrong-secret"),
                        "replica.lag.time.max.ms", "3000")))) {
            try (Admin admin = cluster.admin(1)) {
                admin.createTopics(List.of(new NewTopic("guarded", Map.of(0, List.of(1, 2, 3)))
                        .configs(Map.of("min.insync.replicas", "2")))).all().get(60, TimeUnit.SECONDS);
                await().atMost(BOUND).until(() -> messages(log).stream().anyMatch(line ->
                        line.contains("SASL authentication as broker with PLAIN failed")
                                && line.contains("Invalid username or password")));
                // Node 1 leads; node 3's fetches fail, so the leader drops it from the ISR, and acks=all still
                // succeeds with the two others.
                await().atMost(BOUND).untilAsserted(() -> assertThat(ids(partition(admin, "guarded").isr()))
                        .isEqualTo(Set.of(1, 2)));
            }
            produce(cluster, "guarded", 50);
            assertThat(cluster.node(3).logManager().getLog(new io.fjord.storage.TopicPartition("guarded", 0))
                    .orElseThrow().logEndOffset()).isZero();
            assertThat(cluster.running()).containsExactlyInAnyOrder(1, 2, 3);
        } finally {
            release(log);
        }
    }

    /** An Admin client of node 1's controller listener, logging in with PLAIN when {@code jaasConfig} is set. */
    private static Properties controllerClient(FjordTestCluster cluster, String jaasConfig) {
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_CONTROLLERS_CONFIG, cluster.controllerAddress(1));
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        if (jaasConfig != null) {
            config.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
            config.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
            config.put(SaslConfigs.SASL_JAAS_CONFIG, jaasConfig);
        }
        return config;
    }

    /** An RF=3 topic with min.insync.replicas=2 takes acks=all writes, and every replica ends with all of them. */
    private static void replicateWithAcksAll(FjordTestCluster cluster, String topic) throws Exception {
        try (Admin admin = cluster.admin(1)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 3)
                    .configs(Map.of("min.insync.replicas", "2")))).all().get(60, TimeUnit.SECONDS);
            await().atMost(BOUND).untilAsserted(() -> assertThat(ids(partition(admin, topic).isr()))
                    .isEqualTo(Set.of(1, 2, 3)));
            produce(cluster, topic, 200);
            await().atMost(BOUND).untilAsserted(() -> {
                for (int id : List.of(1, 2, 3)) {
                    assertThat(cluster.node(id).logManager().getLog(new io.fjord.storage.TopicPartition(topic, 0))
                            .orElseThrow().logEndOffset()).as("log end offset on node %d", id).isEqualTo(200);
                }
                assertThat(ids(partition(admin, topic).isr())).isEqualTo(Set.of(1, 2, 3));
            });
        }
    }

    private static void produce(FjordTestCluster cluster, String topic, int count) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                ClientConfigs.acksAllProducer(cluster.bootstrapServers(1)))) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int index = 0; index < count; index++) {
                sent.add(producer.send(new ProducerRecord<>(topic, 0, "k" + index, "v" + index)));
            }
            for (Future<RecordMetadata> future : sent) {
                future.get(120, TimeUnit.SECONDS);
            }
        }
    }

    private static TopicPartitionInfo partition(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(60, TimeUnit.SECONDS).get(topic)
                .partitions().get(0);
    }

    private static Set<Integer> ids(List<Node> nodes) {
        Set<Integer> ids = new HashSet<>();
        nodes.forEach(node -> ids.add(node.id()));
        return ids;
    }

    private static ListAppender<ILoggingEvent> capture() {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        Logger logger = (Logger) LoggerFactory.getLogger(NodeConnection.class);
        logger.setLevel(Level.INFO); // the tests' root level is WARN; session ends are INFO lines
        logger.addAppender(appender);
        return appender;
    }

    private static List<String> messages(ListAppender<ILoggingEvent> appender) {
        synchronized (appender) {
            return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    private static void release(ListAppender<ILoggingEvent> appender) {
        Logger logger = (Logger) LoggerFactory.getLogger(NodeConnection.class);
        logger.detachAppender(appender);
        logger.setLevel(null);
        appender.stop();
    }
}
