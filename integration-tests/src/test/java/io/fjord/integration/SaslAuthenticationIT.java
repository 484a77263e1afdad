package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialDeletion;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.admin.UserScramCredentialsDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.UnsupportedSaslMechanismException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SASL on a SASL_PLAINTEXT listener with the unmodified Kafka 4.4 clients: PLAIN users from the listener's JAAS
 * entry, SCRAM users created at run time with Admin.alterUserScramCredentials (through the PLAINTEXT listener), wrong
 * passwords and mechanisms refused with Kafka's exceptions, and KIP-368 re-authentication. Time bounds are liveness
 * bounds.
 */
class SaslAuthenticationIT {
    private static final String PLAIN_JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required "
            + "username=\"admin\" password=\"admin-secret\" user_admin=\"admin-secret\" user_alice=\"alice-secret\";";

    @TempDir
    Path data;
    private FjordTestNode node;

    @BeforeEach
    void start() throws InterruptedException {
        node = FjordTestNode.start(data, Map.of(
                "listeners", "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
                "sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
                "listener.name.sasl_plaintext.sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256",
                "listener.name.sasl_plaintext.plain.sasl.jaas.config", PLAIN_JAAS,
                "listener.name.sasl_plaintext.connections.max.reauth.ms", "1500"));
    }

    @AfterEach
    void stop() {
        node.close();
    }

    private Properties sasl(String mechanism, String loginModule, String user, String password) {
        Properties properties = new Properties();
        properties.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
                "127.0.0.1:" + node.node().boundAddress("SASL_PLAINTEXT").getPort());
        properties.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
        properties.put(SaslConfigs.SASL_MECHANISM, mechanism);
        properties.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security." + loginModule
                + " required username=\"" + user + "\" password=\"" + password + "\";");
        properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return properties;
    }

    private Properties plain(String user, String password) {
        return sasl("PLAIN", "plain.PlainLoginModule", user, password);
    }

    private Properties scram(String mechanism, String user, String password) {
        return sasl(mechanism, "scram.ScramLoginModule", user, password);
    }

    private static Throwable listTopicsFailure(Properties properties) {
        try (Admin admin = Admin.create(properties)) {
            return catchThrowable(() -> admin.listTopics().names().get(60, TimeUnit.SECONDS));
        }
    }

    @Test
    void plainUsersProduceAndConsume() throws Exception {
        Properties producerConfig = plain("alice", "alice-secret");
        producerConfig.put("key.serializer", StringSerializer.class.getName());
        producerConfig.put("value.serializer", StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig)) {
            producer.send(new ProducerRecord<>("secured", "k", "v")).get(60, TimeUnit.SECONDS);
        }
        Properties consumerConfig = plain("admin", "admin-secret");
        consumerConfig.put("key.deserializer", StringDeserializer.class.getName());
        consumerConfig.put("value.deserializer", StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig)) {
            TopicPartition partition = new TopicPartition("secured", 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            List<String> values = new java.util.ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
                return !values.isEmpty();
            });
            assertThat(values).containsExactly("v");
        }
    }

    @Test
    void aWrongPlainPasswordIsASaslAuthenticationException() {
        Throwable thrown = listTopicsFailure(plain("alice", "wrong"));
        assertThat(thrown).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(SaslAuthenticationException.class)
                .hasMessageContaining("Authentication failed: Invalid username or password");
    }

    @Test
    void aMechanismTheListenerDoesNotEnableIsRefusedWithTheEnabledList() {
        Throwable thrown = listTopicsFailure(scram("SCRAM-SHA-512", "alice", "alice-secret"));
        assertThat(thrown).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(UnsupportedSaslMechanismException.class)
                .hasMessageContaining("[PLAIN, SCRAM-SHA-256]");
    }

    @Test
    void scramUsersCreatedAtRunTimeLogIn() throws Exception {
        try (Admin admin = node.admin()) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("bob",
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 8192), "bob-secret"))).all()
                    .get(30, TimeUnit.SECONDS);
            Map<String, UserScramCredentialsDescription> described = admin.describeUserScramCredentials().all()
                    .get(30, TimeUnit.SECONDS);
            assertThat(described.get("bob").credentialInfos())
                    .containsExactly(new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 8192));
        }
        // The credential is in the image once alterUserScramCredentials answered: the login works at once.
        try (Admin bob = Admin.create(scram("SCRAM-SHA-256", "bob", "bob-secret"))) {
            bob.createTopics(List.of(new NewTopic("bobs", 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
            assertThat(bob.listTopics().names().get(60, TimeUnit.SECONDS)).contains("bobs");
        }
        Throwable wrong = listTopicsFailure(scram("SCRAM-SHA-256", "bob", "guess"));
        assertThat(wrong).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(SaslAuthenticationException.class)
                .hasMessageContaining("invalid credentials with SASL mechanism SCRAM-SHA-256");
        Throwable unknown = listTopicsFailure(scram("SCRAM-SHA-256", "carol", "x"));
        assertThat(unknown).hasCauseInstanceOf(SaslAuthenticationException.class)
                .hasMessageContaining("Invalid user credentials");

        try (Admin admin = node.admin()) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialDeletion("bob",
                    ScramMechanism.SCRAM_SHA_256))).all().get(30, TimeUnit.SECONDS);
        }
        assertThat(listTopicsFailure(scram("SCRAM-SHA-256", "bob", "bob-secret")))
                .hasCauseInstanceOf(SaslAuthenticationException.class);
    }

    @Test
    void clientsReauthenticateBeforeTheirSessionExpires() throws Exception {
        Properties producerConfig = plain("alice", "alice-secret");
        producerConfig.put("key.serializer", StringSerializer.class.getName());
        producerConfig.put("value.serializer", StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig)) {
            // Sessions last 1.5 s on this listener: the client re-authenticates on its connection and keeps going.
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                producer.send(new ProducerRecord<>("reauth", "k", "v")).get(60, TimeUnit.SECONDS);
                return metric(producer.metrics(), "successful-reauthentication-total") >= 2;
            });
            assertThat(metric(producer.metrics(), "failed-reauthentication-total")).isZero();
        }
    }

    private static double metric(Map<MetricName, ? extends Metric> metrics, String name) {
        Map<String, Double> totals = new HashMap<>();
        metrics.forEach((metricName, metric) -> {
            if (metricName.name().equals(name) && metric.metricValue() instanceof Double value) {
                totals.merge(name, value, Double::sum);
            }
        });
        return totals.getOrDefault(name, 0.0);
    }
}
