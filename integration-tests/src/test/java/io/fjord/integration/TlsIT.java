package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.broker.network.tls.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SSL listeners driven by the unmodified kafka-clients 4.4.0 ({@code security.protocol=SSL}): large batches produced
 * and consumed through TLS (fetches cannot use sendfile there and are copied through the TLS handler), mutual TLS with
 * {@code ssl.client.auth=required} refusing a client without a certificate and serving one with, and a three-node
 * cluster whose inter-broker and controller listeners are SSL replicating (replica fetchers, forwarding and Raft all
 * over TLS), and a keystore reloaded with {@code kafka-configs}' IncrementalAlterConfigs. Time bounds are liveness
 * bounds for a busy machine.
 */
class TlsIT {
    private static final Duration BOUND = Duration.ofSeconds(120);
    private static final int RECORD_BYTES = 100 * 1024;

    @TempDir
    static Path certificateDirectory;
    private static TestCertificates certificates;

    @TempDir
    Path data;

    @BeforeAll
    static void makeCertificates() throws Exception {
        certificates = TestCertificates.create(certificateDirectory);
    }

    private static Map<String, String> sslNode(String clientAuthentication) {
        Map<String, String> settings = new HashMap<>(certificates.serverSettings(clientAuthentication));
        settings.put("listeners", "SSL://127.0.0.1:0");
        settings.put("inter.broker.listener.name", "SSL");
        return settings;
    }

    @Test
    void largeBatchesAreProducedAndConsumedThroughTls() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, sslNode("none"))) {
            String bootstrap = "localhost:" + node.node().boundAddress("SSL").getPort();
            List<byte[]> values = produceAndConsume(bootstrap, certificates.clientSettings(null), "tls-large", 1, 60);
            assertThat(values).hasSize(60);
        }
    }

    @Test
    void mutualTlsRefusesAClientWithoutACertificateAndServesOneWithIt() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, sslNode("required"))) {
            String bootstrap = "localhost:" + node.node().boundAddress("SSL").getPort();
            long started = System.nanoTime();
            try (Admin anonymous = admin(bootstrap, certificates.clientSettings(null))) {
                assertThatThrownBy(() -> anonymous.describeCluster().clusterId().get(60, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(SslAuthenticationException.class);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(BOUND);
            try (Admin untrusted = admin(bootstrap, certificates.clientSettings(certificates.untrustedKeystore))) {
                assertThatThrownBy(() -> untrusted.describeCluster().clusterId().get(60, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(SslAuthenticationException.class);
            }

            List<byte[]> values = produceAndConsume(bootstrap, certificates.clientSettings(certificates.clientKeystore),
                    "mtls", 1, 10);
            assertThat(values).hasSize(10);
        }
    }

    @Test
    void saslSslAuthenticatesItsUsersOverTls() throws Exception {
        Map<String, String> settings = new HashMap<>(certificates.serverSettings("none"));
        settings.put("listeners", "SASL_SSL://127.0.0.1:0");
        settings.put("sasl.enabled.mechanisms", "PLAIN");
        settings.put("listener.name.sasl_ssl.plain.sasl.jaas.config", "org.apache.kafka.common.security.plain"
                + ".PlainLoginModule required username=\"admin\" password=\"admin-secret\" user_alice=\"alice-secret\";");
        try (FjordTestNode node = FjordTestNode.start(data, settings)) {
            String bootstrap = "localhost:" + node.node().boundAddress("SASL_SSL").getPort();
            List<byte[]> values = produceAndConsume(bootstrap, saslSsl("alice-secret"), "sasl-ssl", 1, 10);
            assertThat(values).hasSize(10);
            try (Admin wrongPassword = admin(bootstrap, saslSsl("guessed"))) {
                assertThatThrownBy(() -> wrongPassword.describeCluster().clusterId().get(60, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(SaslAuthenticationException.class);
            }
            // A client speaking SASL without TLS to the listener cannot even start its handshake.
            Properties withoutTls = saslSsl("alice-secret");
            withoutTls.put("security.protocol", "SASL_PLAINTEXT");
            withoutTls.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
            try (Admin plaintext = admin(bootstrap, withoutTls)) {
                assertThatThrownBy(() -> plaintext.describeCluster().clusterId().get(60, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class);
            }
        }
    }

    /** Client settings for SASL_SSL with PLAIN as user alice. */
    private static Properties saslSsl(String password) {
        Properties settings = certificates.clientSettings(null);
        settings.put("security.protocol", "SASL_SSL");
        settings.put("sasl.mechanism", "PLAIN");
        settings.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required "
                + "username=\"alice\" password=\"" + password + "\";");
        return settings;
    }

    @Test
    void kafkaConfigsReloadsTheListenersKeystoreForNewConnections() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, sslNode("none"))) {
            int port = node.node().boundAddress("SSL").getPort();
            java.security.cert.Certificate original = serverCertificate(port);
            try (Admin admin = admin("localhost:" + port, certificates.clientSettings(null))) {
                org.apache.kafka.common.config.ConfigResource broker = new org.apache.kafka.common.config
                        .ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.BROKER, "1");
                admin.incrementalAlterConfigs(Map.of(broker, List.of(new org.apache.kafka.clients.admin
                        .AlterConfigOp(new org.apache.kafka.clients.admin.ConfigEntry(
                        "listener.name.ssl.ssl.keystore.location", certificates.renewedServerKeystore.toString()),
                        org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all().get(60, TimeUnit.SECONDS);
            }
            org.awaitility.Awaitility.await().atMost(BOUND).until(() -> !serverCertificate(port).equals(original));
            // The renewed identity serves clients as before.
            assertThat(produceAndConsume("localhost:" + port, certificates.clientSettings(null), "after-reload", 1,
                    5)).hasSize(5);
        }
    }

    /** The certificate a new TLS connection to {@code port} is shown. */
    private static java.security.cert.Certificate serverCertificate(int port) throws Exception {
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) certificates.clientContext(null)
                .getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.startHandshake();
            return socket.getSession().getPeerCertificates()[0];
        }
    }

    @Test
    void aClusterWhoseInterBrokerAndControllerListenersAreSslReplicates() throws Exception {
        Map<String, String> settings = new HashMap<>(certificates.serverSettings("required"));
        // The test cluster's listener names are PLAINTEXT and CONTROLLER; both are mapped to SSL (names are free).
        settings.put("listener.security.protocol.map", "PLAINTEXT:SSL,CONTROLLER:SSL");
        settings.put("offsets.topic.replication.factor", "3");
        settings.put("offsets.topic.num.partitions", "3");
        try (FjordTestCluster cluster = FjordTestCluster.start(data, 3, settings)) {
            // The controller listener speaks TLS only: the quorum formed and the brokers registered (forwarded to
            // the active controller) over it, so Raft's and forwarding's client connections are TLS too.
            for (int id = 1; id <= 3; id++) {
                java.net.InetSocketAddress controller = cluster.node(id).controllerListenerAddress();
                try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) certificates.clientContext(
                        certificates.clientKeystore).getSocketFactory().createSocket("127.0.0.1",
                        controller.getPort())) {
                    socket.startHandshake();
                    assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
                }
            }
            String bootstrap = "localhost:" + cluster.node(1).boundAddress("PLAINTEXT").getPort();
            Properties client = certificates.clientSettings(certificates.clientKeystore);
            try (Admin admin = admin(bootstrap, client)) {
                admin.createTopics(List.of(new NewTopic("replicated", 3, (short) 3)
                        .configs(Map.of("min.insync.replicas", "3")))).all().get(60, TimeUnit.SECONDS);
            }
            // min.insync.replicas=3 with acks=all: every write went to both followers' fetchers over TLS.
            List<byte[]> values = produceAndConsume(bootstrap, client, "replicated", 3, 30);
            assertThat(values).hasSize(30);
            try (Admin admin = admin(bootstrap, client)) {
                TopicDescription description = admin.describeTopics(List.of("replicated")).allTopicNames()
                        .get(60, TimeUnit.SECONDS).get("replicated");
                description.partitions().forEach(partition -> assertThat(partition.isr()).hasSize(3));
                // A metadata change on a node that is not the controller is forwarded over the controller listener.
                admin.createPartitions(Map.of("replicated", org.apache.kafka.clients.admin.NewPartitions
                        .increaseTo(4))).all().get(60, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Produces {@code count} random records of {@link #RECORD_BYTES} in large batches with acks=all, reads them back
     * with large fetches, and returns the values read after checking they equal those written.
     */
    private static List<byte[]> produceAndConsume(String bootstrap, Properties security, String topic,
                                                  int partitions, int count) throws Exception {
        Random random = new Random(7);
        byte[][] written = new byte[count][];
        Properties producerConfig = new Properties();
        producerConfig.putAll(security);
        producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        producerConfig.put(ProducerConfig.BATCH_SIZE_CONFIG, 1024 * 1024);
        producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, 50);
        producerConfig.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024);
        producerConfig.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 90_000);
        producerConfig.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int index = 0; index < count; index++) {
                written[index] = new byte[RECORD_BYTES];
                random.nextBytes(written[index]);
                producer.send(new ProducerRecord<>(topic, index % partitions, Integer.toString(index).getBytes(),
                        written[index]));
            }
            producer.flush();
        }
        Properties consumerConfig = new Properties();
        consumerConfig.putAll(security);
        consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerConfig.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 16 * 1024 * 1024);
        consumerConfig.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
        consumerConfig.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000);
        byte[][] read = new byte[count][];
        int received = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig,
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> assigned = java.util.stream.IntStream.range(0, partitions)
                    .mapToObj(partition -> new TopicPartition(topic, partition)).toList();
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            long deadline = System.nanoTime() + BOUND.toNanos();
            while (received < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofSeconds(1))) {
                    int index = Integer.parseInt(new String(record.key()));
                    if (read[index] == null) {
                        received++;
                    }
                    read[index] = record.value();
                }
            }
        }
        assertThat(received).as("records read back through TLS").isEqualTo(count);
        for (int index = 0; index < count; index++) {
            assertThat(Arrays.equals(read[index], written[index])).as("record %d", index).isTrue();
        }
        return Arrays.asList(read);
    }

    private static Admin admin(String bootstrap, Properties security) {
        Properties config = new Properties();
        config.putAll(security);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        return Admin.create(config);
    }
}
