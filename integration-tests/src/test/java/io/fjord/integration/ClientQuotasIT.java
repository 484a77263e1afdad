package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterClientQuotasOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.apache.kafka.common.quota.ClientQuotaFilterComponent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client quotas with Kafka's Admin client and {@code kafka-configs} tool: altered (validated, validate-only),
 * described with Kafka's filters, kept across a restart; and enforced: a producer and a consumer with a low byte rate
 * are throttled to it (the clients see {@code throttle_time_ms} in their metrics).
 */
class ClientQuotasIT {
    private static final String CONFIG_COMMAND = "org.apache.kafka.tools.ConfigCommand";
    /** Two windows of one second: the rate settles quickly, so a short run measures it. */
    private static final Map<String, String> NODE_CONFIG = Map.of("quota.window.num", "2",
            "quota.window.size.seconds", "1");
    private static final double QUOTA_BYTES_PER_SECOND = 100_000;
    private static final int RECORDS = 1_000;
    private static final int VALUE_BYTES = 1_000;

    @TempDir
    Path data;

    private static ClientQuotaEntity entity(String type, String name) {
        Map<String, String> entries = new HashMap<>();
        entries.put(type, name);
        return new ClientQuotaEntity(entries);
    }

    private static void alter(Admin admin, ClientQuotaEntity entity, String key, Double value) throws Exception {
        admin.alterClientQuotas(List.of(new ClientQuotaAlteration(entity, List.of(
                new ClientQuotaAlteration.Op(key, value))))).all().get(20, TimeUnit.SECONDS);
    }

    private static Map<ClientQuotaEntity, Map<String, Double>> describe(Admin admin, ClientQuotaFilter filter)
            throws Exception {
        return admin.describeClientQuotas(filter).entities().get(20, TimeUnit.SECONDS);
    }

    @Test
    void quotasAreAlteredValidatedDescribedAndKeptAcrossARestart() throws Exception {
        ClientQuotaEntity alice = entity(ClientQuotaEntity.USER, "alice");
        ClientQuotaEntity defaultClient = entity(ClientQuotaEntity.CLIENT_ID, null);
        try (FjordTestNode node = FjordTestNode.start(data, NODE_CONFIG); Admin admin = node.admin()) {
            alter(admin, alice, "producer_byte_rate", 1024.0);
            alter(admin, defaultClient, "consumer_byte_rate", 2048.0);
            admin.alterClientQuotas(List.of(new ClientQuotaAlteration(entity(ClientQuotaEntity.USER, "bob"),
                    List.of(new ClientQuotaAlteration.Op("request_percentage", 50.0)))),
                    new AlterClientQuotasOptions().validateOnly(true)).all().get(20, TimeUnit.SECONDS);

            assertThat(describe(admin, ClientQuotaFilter.all())).isEqualTo(Map.of(
                    alice, Map.of("producer_byte_rate", 1024.0), defaultClient, Map.of("consumer_byte_rate", 2048.0)));
            assertThat(describe(admin, ClientQuotaFilter.containsOnly(List.of(
                    ClientQuotaFilterComponent.ofDefaultEntity(ClientQuotaEntity.CLIENT_ID))))).containsOnlyKeys(
                    defaultClient);
            assertThat(describe(admin, ClientQuotaFilter.contains(List.of(
                    ClientQuotaFilterComponent.ofEntityType(ClientQuotaEntity.USER))))).containsOnlyKeys(alice);

            assertThatThrownBy(() -> alter(admin, entity(ClientQuotaEntity.USER, "carol"), "producer_byte_rate",
                    10.5)).isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("fractional");
            assertThatThrownBy(() -> alter(admin, entity(ClientQuotaEntity.IP, "10.0.0.1"), "producer_byte_rate",
                    1.0)).cause().isInstanceOf(InvalidRequestException.class)
                    .hasMessage("Invalid configuration key producer_byte_rate");

            alter(admin, defaultClient, "consumer_byte_rate", null);
        }
        try (FjordTestNode node = FjordTestNode.start(data, NODE_CONFIG); Admin admin = node.admin()) {
            assertThat(describe(admin, ClientQuotaFilter.all())).isEqualTo(Map.of(alice,
                    Map.of("producer_byte_rate", 1024.0)));
        }
    }

    @Test
    void kafkaConfigsToolSetsAndDescribesUserQuotas() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, NODE_CONFIG); Admin admin = node.admin()) {
            KafkaDistribution.Result altered = KafkaDistribution.runAgainst(node, CONFIG_COMMAND, "--alter",
                    "--entity-type", "users", "--entity-name", "alice", "--add-config",
                    "producer_byte_rate=1048576,consumer_byte_rate=2097152");
            assertThat(altered.exitCode()).as("alter; errors: %s", altered.errors()).isZero();
            assertThat(describe(admin, ClientQuotaFilter.all())).isEqualTo(Map.of(
                    entity(ClientQuotaEntity.USER, "alice"),
                    Map.of("producer_byte_rate", 1048576.0, "consumer_byte_rate", 2097152.0)));

            KafkaDistribution.Result described = KafkaDistribution.runAgainst(node, CONFIG_COMMAND, "--describe",
                    "--entity-type", "users", "--entity-name", "alice");
            assertThat(described.exitCode()).as("describe; errors: %s", described.errors()).isZero();
            assertThat(described.output()).contains("producer_byte_rate=1048576.0")
                    .contains("consumer_byte_rate=2097152.0");

            KafkaDistribution.Result refused = KafkaDistribution.runAgainst(node, CONFIG_COMMAND, "--alter",
                    "--entity-type", "users", "--entity-name", "alice", "--add-config", "producer_byte_rate=0");
            assertThat(refused.exitCode()).isNotZero();
            assertThat(refused.output() + refused.errors()).contains("must be greater than 0");
        }
    }

    @Test
    void aProducerAndAConsumerAreThrottledToTheirByteRates() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, NODE_CONFIG); Admin admin = node.admin()) {
            ConsumerGroupIT.createTopic(node, "metered", 1);
            alter(admin, entity(ClientQuotaEntity.CLIENT_ID, "slow-producer"), "producer_byte_rate",
                    QUOTA_BYTES_PER_SECOND);
            alter(admin, entity(ClientQuotaEntity.CLIENT_ID, "slow-consumer"), "consumer_byte_rate",
                    QUOTA_BYTES_PER_SECOND);
            String value = "v".repeat(VALUE_BYTES);

            Properties producerConfig = ClientConfigs.acksAllProducer(node.bootstrapServers());
            producerConfig.put(ProducerConfig.CLIENT_ID_CONFIG, "slow-producer");
            producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, "5");
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig)) {
                long startNanos = System.nanoTime();
                for (int record = 0; record < RECORDS; record++) {
                    producer.send(new ProducerRecord<>("metered", value));
                }
                producer.flush();
                double seconds = (System.nanoTime() - startNanos) / 1e9;
                // The first windows' allowance aside, the rate cannot pass the quota: a generous upper bound.
                assertThat(RECORDS * VALUE_BYTES / seconds).as("bytes per second over %.1f s", seconds)
                        .isLessThan(QUOTA_BYTES_PER_SECOND * 1.5);
                assertThat(metric(producer.metrics(), "producer-metrics", "produce-throttle-time-avg"))
                        .isGreaterThan(0);
            }

            Properties consumerConfig = ClientConfigs.earliestConsumer(node.bootstrapServers());
            consumerConfig.put(ConsumerConfig.CLIENT_ID_CONFIG, "slow-consumer");
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig)) {
                consumer.assign(List.of(new org.apache.kafka.common.TopicPartition("metered", 0)));
                long startNanos = System.nanoTime();
                List<String> values = new ArrayList<>();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (values.size() < RECORDS && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(500)).forEach(record -> values.add(record.value()));
                }
                double seconds = (System.nanoTime() - startNanos) / 1e9;
                assertThat(values).hasSize(RECORDS);
                assertThat(RECORDS * VALUE_BYTES / seconds).as("bytes per second over %.1f s", seconds)
                        .isLessThan(QUOTA_BYTES_PER_SECOND * 1.5);
                assertThat(metric(consumer.metrics(), "consumer-fetch-manager-metrics", "fetch-throttle-time-avg"))
                        .isGreaterThan(0);
            }
        }
    }

    @Test
    void anIpConnectionCreationRateClosesConnectionsAboveIt() throws Exception {
        Map<String, String> config = new HashMap<>(NODE_CONFIG);
        config.put("listeners", "PLAINTEXT://127.0.0.1:0");
        try (FjordTestNode node = FjordTestNode.start(data, config); Admin admin = node.admin()) {
            ClientQuotaEntity limited = entity(ClientQuotaEntity.IP, "127.0.0.2");
            alter(admin, limited, "connection_creation_rate", 1.0);
            await().atMost(Duration.ofSeconds(30)).until(() -> describe(admin, ClientQuotaFilter.all())
                    .containsKey(limited));

            // One connection a second: a burst from 127.0.0.2 goes over it and its last connection is closed.
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int attempt = 0; attempt < 8; attempt++) {
                    Socket socket = new Socket();
                    sockets.add(socket);
                    socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
                    socket.setSoTimeout(30_000);
                    socket.connect(node.node().boundAddress("PLAINTEXT"), 30_000);
                }
                assertThat(closedByServer(sockets.get(sockets.size() - 1))).isTrue();
            } finally {
                for (Socket socket : sockets) {
                    socket.close();
                }
            }
            // Other addresses are not limited: the Admin client on 127.0.0.1 is still served.
            assertThat(describe(admin, ClientQuotaFilter.all())).containsKey(limited);
        }
    }

    private static boolean closedByServer(Socket socket) throws IOException {
        try (InputStream input = socket.getInputStream()) {
            return input.read() == -1;
        } catch (SocketException e) {
            return true;
        }
    }

    private static double metric(Map<MetricName, ? extends Metric> metrics, String group, String name) {
        return metrics.entrySet().stream().filter(entry -> entry.getKey().group().equals(group)
                && entry.getKey().name().equals(name)).map(entry -> (Double) entry.getValue().metricValue())
                .findFirst().orElseThrow(() -> new AssertionError("no metric " + group + "/" + name));
    }
}
