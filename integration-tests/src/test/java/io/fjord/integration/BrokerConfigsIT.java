package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.storage.TopicPartition;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.AlterConfigsOptions;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConfigEntry.ConfigSource;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dynamic broker configs (cluster-wide default "" and this broker "1") through the Admin client: validated as Kafka
 * validates them, effective on the logs and in DescribeConfigs, durable across a restart, and reverted by DELETE.
 */
class BrokerConfigsIT {
    private static final ConfigResource CLUSTER_DEFAULT = new ConfigResource(ConfigResource.Type.BROKER, "");
    private static final ConfigResource THIS_BROKER = new ConfigResource(ConfigResource.Type.BROKER, "1");
    private static final ConfigResource PLAIN = new ConfigResource(ConfigResource.Type.TOPIC, "plain");
    private static final ConfigResource TUNED = new ConfigResource(ConfigResource.Type.TOPIC, "tuned");

    @TempDir
    Path data;

    private static Admin admin(FjordTestNode node) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers()));
    }

    private static Config describe(Admin admin, ConfigResource resource) throws Exception {
        return admin.describeConfigs(List.of(resource), new DescribeConfigsOptions().includeSynonyms(true))
                .all().get(20, TimeUnit.SECONDS).get(resource);
    }

    private static void alter(Admin admin, ConfigResource resource, AlterConfigOp... operations) throws Exception {
        alter(admin, resource, false, List.of(operations));
    }

    private static void alter(Admin admin, ConfigResource resource, boolean validateOnly,
                              Collection<AlterConfigOp> operations) throws Exception {
        admin.incrementalAlterConfigs(Map.of(resource, operations),
                new AlterConfigsOptions().validateOnly(validateOnly)).all().get(20, TimeUnit.SECONDS);
    }

    private static AlterConfigOp set(String name, String value) {
        return new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET);
    }

    private static AlterConfigOp delete(String name) {
        return new AlterConfigOp(new ConfigEntry(name, ""), AlterConfigOp.OpType.DELETE);
    }

    private static long logRetentionMs(FjordTestNode node, String topic) {
        return node.node().logManager().getLog(new TopicPartition(topic, 0)).orElseThrow().config().retentionMs();
    }

    @Test
    void clusterDefaultsAndPerBrokerConfigsReachTopicsAndSurviveARestart() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, Map.of()); Admin admin = admin(node)) {
            admin.createTopics(List.of(new NewTopic("plain", 1, (short) 1),
                    new NewTopic("tuned", 1, (short) 1).configs(Map.of("retention.ms", "7000"))))
                    .all().get(20, TimeUnit.SECONDS);

            alter(admin, CLUSTER_DEFAULT, set("log.retention.ms", "3600000"));

            ConfigEntry plainRetention = describe(admin, PLAIN).get("retention.ms");
            assertThat(plainRetention.value()).isEqualTo("3600000");
            assertThat(plainRetention.source()).isEqualTo(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
            assertThat(plainRetention.synonyms().get(0).name()).isEqualTo("log.retention.ms");
            assertThat(plainRetention.synonyms().get(0).source()).isEqualTo(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
            assertThat(logRetentionMs(node, "plain")).isEqualTo(3_600_000L);
            assertThat(describe(admin, TUNED).get("retention.ms").value()).isEqualTo("7000");
            assertThat(logRetentionMs(node, "tuned")).isEqualTo(7000L);
            ConfigEntry defaultEntry = describe(admin, CLUSTER_DEFAULT).get("log.retention.ms");
            assertThat(defaultEntry.value()).isEqualTo("3600000");
            assertThat(defaultEntry.source()).isEqualTo(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);

            // This broker's own value wins over the cluster-wide default.
            alter(admin, THIS_BROKER, set("log.retention.ms", "1800000"));
            assertThat(logRetentionMs(node, "plain")).isEqualTo(1_800_000L);
            ConfigEntry brokerEntry = describe(admin, THIS_BROKER).get("log.retention.ms");
            assertThat(brokerEntry.value()).isEqualTo("1800000");
            assertThat(brokerEntry.source()).isEqualTo(ConfigSource.DYNAMIC_BROKER_CONFIG);
            assertThat(brokerEntry.isReadOnly()).isFalse();
            assertThat(brokerEntry.synonyms()).extracting(ConfigEntry.ConfigSynonym::source).containsExactly(
                    ConfigSource.DYNAMIC_BROKER_CONFIG, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
                    ConfigSource.DEFAULT_CONFIG);
            assertThat(describe(admin, THIS_BROKER).get("log.dirs").isReadOnly()).isTrue();

            // A topic created now starts from the dynamic value too.
            admin.createTopics(List.of(new NewTopic("later", 1, (short) 1))).all().get(20, TimeUnit.SECONDS);
            assertThat(logRetentionMs(node, "later")).isEqualTo(1_800_000L);

            assertThatThrownBy(() -> alter(admin, THIS_BROKER, set("log.dirs", "/elsewhere")))
                    .hasCauseInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("Cannot update these configs dynamically: [log.dirs]");
            assertThatThrownBy(() -> alter(admin, CLUSTER_DEFAULT, set("listeners", "PLAINTEXT://127.0.0.1:0")))
                    .hasCauseInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("broker id must be specified");
            // Kafka's broker answers a bad broker config value with INVALID_REQUEST too (KAFKA-13609).
            assertThatThrownBy(() -> alter(admin, CLUSTER_DEFAULT, set("log.retention.ms", "soon")))
                    .hasCauseInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("log.retention.ms");
            alter(admin, CLUSTER_DEFAULT, true, List.of(set("log.segment.bytes", "2097152")));
            assertThat(describe(admin, CLUSTER_DEFAULT).get("log.segment.bytes")).isNull();

            // Settings read at start-up take the dynamic values when the node starts again.
            alter(admin, CLUSTER_DEFAULT, set("log.cleaner.threads", "2"), set("producer.id.expiration.ms", "60000"));
        }
        try (FjordTestNode node = FjordTestNode.start(data, Map.of()); Admin admin = admin(node)) {
            assertThat(describe(admin, CLUSTER_DEFAULT).get("log.retention.ms").value()).isEqualTo("3600000");
            assertThat(describe(admin, THIS_BROKER).get("log.retention.ms").value()).isEqualTo("1800000");
            assertThat(logRetentionMs(node, "plain")).isEqualTo(1_800_000L);
            assertThat(logRetentionMs(node, "tuned")).isEqualTo(7000L);
            assertThat(node.node().logManager().config().cleanerConfig().threads()).isEqualTo(2);
            assertThat(node.node().logManager().config().producerIdExpirationMs()).isEqualTo(60_000L);

            alter(admin, THIS_BROKER, delete("log.retention.ms"));
            assertThat(logRetentionMs(node, "plain")).isEqualTo(3_600_000L);
            alter(admin, CLUSTER_DEFAULT, delete("log.retention.ms"));
            assertThat(logRetentionMs(node, "plain")).isEqualTo(604_800_000L);
            ConfigEntry reverted = describe(admin, PLAIN).get("retention.ms");
            assertThat(reverted.value()).isEqualTo("604800000");
            assertThat(reverted.source()).isEqualTo(ConfigSource.DEFAULT_CONFIG);
            assertThat(describe(admin, CLUSTER_DEFAULT).entries()).extracting(ConfigEntry::name)
                    .containsExactlyInAnyOrder("log.cleaner.threads", "producer.id.expiration.ms");
            assertThat(describe(admin, THIS_BROKER).get("log.retention.ms").source())
                    .isEqualTo(ConfigSource.DEFAULT_CONFIG);
        }
    }

    @Test
    void brokerLoggerLevelsAreDescribedAndChangedAtRuntime() throws Exception {
        ConfigResource loggers = new ConfigResource(ConfigResource.Type.BROKER_LOGGER, "1");
        try (FjordTestNode node = FjordTestNode.start(data, Map.of()); Admin admin = admin(node)) {
            ConfigEntry root = describe(admin, loggers).get("root");
            assertThat(root.source()).isEqualTo(ConfigSource.DYNAMIC_BROKER_LOGGER_CONFIG);
            assertThat(root.value()).isNotNull();

            String logger = "io.fjord.server.FjordNode";
            alter(admin, loggers, set(logger, "TRACE"));
            assertThat(describe(admin, loggers).get(logger).value()).isEqualTo("TRACE");
            assertThat(org.slf4j.LoggerFactory.getLogger(logger).isTraceEnabled()).isTrue();

            alter(admin, loggers, delete(logger));
            assertThat(describe(admin, loggers).get(logger).value()).isEqualTo(root.value());
            assertThatThrownBy(() -> alter(admin, loggers, set(logger, "LOUD")))
                    .hasCauseInstanceOf(InvalidConfigurationException.class);
            assertThatThrownBy(() -> alter(admin, loggers, delete("root")))
                    .hasCauseInstanceOf(InvalidRequestException.class);
        }
    }

    @Test
    void aClusterWideMessageMaxBytesLimitsProduceAtOnce() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, Map.of()); Admin admin = admin(node);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers(),
                     ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000,
                     ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000),
                     new ByteArraySerializer(), new ByteArraySerializer())) {
            admin.createTopics(List.of(new NewTopic("plain", 1, (short) 1))).all().get(20, TimeUnit.SECONDS);
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>("plain", new byte[4096]);
            producer.send(record).get(20, TimeUnit.SECONDS);

            alter(admin, CLUSTER_DEFAULT, set("message.max.bytes", "1024"));
            ConfigEntry limit = describe(admin, PLAIN).get("max.message.bytes");
            assertThat(limit.value()).isEqualTo("1024");
            assertThat(limit.source()).isEqualTo(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
            assertThatThrownBy(() -> producer.send(record).get(20, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(RecordTooLargeException.class);

            alter(admin, CLUSTER_DEFAULT, delete("message.max.bytes"));
            producer.send(record).get(20, TimeUnit.SECONDS);
        }
    }
}
