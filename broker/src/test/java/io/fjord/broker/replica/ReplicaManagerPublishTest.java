package io.fjord.broker.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.ImageConfigResolver;
import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.config.ConfigResolver;
import io.fjord.metadata.image.MetadataChanges;
import io.fjord.metadata.image.MetadataDelta;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.records.ConfigRecord;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.PartitionRecord;
import io.fjord.metadata.records.TopicRecord;
import io.fjord.storage.LogConfig;
import io.fjord.storage.LogManager;
import io.fjord.storage.LogManagerConfig;
import io.fjord.storage.TopicPartition;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dynamic broker configs in the metadata reach every log that does not override them, as in Kafka. */
class ReplicaManagerPublishTest {
    private static final int NODE_ID = 1;

    @TempDir
    Path directory;
    private LogManager logManager;
    private ReplicaManager publisher;
    private ImageConfigResolver configs;
    private MetadataImage image = MetadataImage.EMPTY;
    private long offset;

    @BeforeEach
    void start() {
        logManager = new LogManager(LogManagerConfig.fromProperties(Map.of(LogManagerConfig.LOG_DIRS,
                directory.toString())), InstantSource.system());
        logManager.startup();
        configs = new ImageConfigResolver(ConfigResolver.ofStatic(BrokerConfig.fromMap(Map.of("node.id", "1",
                "process.roles", "broker,controller", "log.retention.hours", "24"))), NODE_ID);
        publisher = new ReplicaManager(new ReplicaManager.Settings(30_000, 100), NODE_ID, logManager, configs,
                new NoReplicaFetchers(), (api, request) -> new java.util.concurrent.CompletableFuture<>(), () -> 1,
                InstantSource.system(), partition -> { });
    }

    @AfterEach
    void stop() {
        publisher.close();
        logManager.shutdown();
    }

    private void replay(MetadataRecord... records) {
        MetadataDelta delta = new MetadataDelta(image);
        for (MetadataRecord record : records) {
            delta.replay(record, ++offset);
        }
        MetadataImage previous = image;
        image = delta.apply();
        // As the metadata loader publishes: with the delta's changes, so only the touched topics are visited.
        publisher.publish(previous, image, delta.changes());
    }

    private void createTopic(String name) {
        UUID id = UUID.randomUUID();
        replay(new TopicRecord(name, id), new PartitionRecord(id, 0, List.of(NODE_ID), List.of(NODE_ID), NODE_ID, 0,
                0));
    }

    private LogConfig logConfig(String topic) {
        return logManager.getLog(new TopicPartition(topic, 0)).orElseThrow().config();
    }

    /** The publisher trusts the change set: an entry costs what it changed, not a walk over every topic. */
    @Test
    void aPublishVisitsOnlyTheTopicsTheChangeNames() {
        createTopic("first");
        MetadataDelta delta = new MetadataDelta(image);
        UUID unnamedId = UUID.randomUUID();
        UUID namedId = UUID.randomUUID();
        for (UUID id : List.of(unnamedId, namedId)) {
            delta.replay(new TopicRecord(id == namedId ? "named" : "unnamed", id), ++offset);
            delta.replay(new PartitionRecord(id, 0, List.of(NODE_ID), List.of(NODE_ID), NODE_ID, 0, 0), ++offset);
        }
        MetadataImage next = delta.apply();

        publisher.publish(image, next, new MetadataChanges(Set.of(namedId), Set.of(), Set.of(), Set.of(), Set.of(),
                Set.of()));

        assertThat(logManager.getLog(new TopicPartition("named", 0))).isPresent();
        assertThat(logManager.getLog(new TopicPartition("unnamed", 0))).isEmpty();
        assertThat(logManager.getLog(new TopicPartition("first", 0))).isPresent();
        // Without a change set (two unrelated images) everything is compared.
        publisher.publish(image, next);
        assertThat(logManager.getLog(new TopicPartition("unnamed", 0))).isPresent();
    }

    @Test
    void clusterDefaultsAndPerBrokerConfigsApplyToLogsWithoutOverridesAndDeletionReverts() {
        createTopic("plain");
        createTopic("tuned");
        replay(new ConfigRecord(ConfigRecord.TOPIC, "tuned", "retention.ms", "7000"));
        assertThat(logConfig("plain").retentionMs()).isEqualTo(86_400_000L);

        replay(new ConfigRecord(ConfigRecord.BROKER, "", "log.retention.ms", "5000"),
                new ConfigRecord(ConfigRecord.BROKER, "", "log.segment.bytes", "1048576"));
        assertThat(logConfig("plain").retentionMs()).isEqualTo(5000L);
        assertThat(logConfig("plain").segmentBytes()).isEqualTo(1_048_576);
        assertThat(logConfig("tuned").retentionMs()).isEqualTo(7000L);
        assertThat(logConfig("tuned").segmentBytes()).isEqualTo(1_048_576);

        // This node's own dynamic config wins over the cluster default; another node's does not apply here.
        replay(new ConfigRecord(ConfigRecord.BROKER, "1", "log.segment.bytes", "2097152"),
                new ConfigRecord(ConfigRecord.BROKER, "2", "log.retention.ms", "1"));
        assertThat(logConfig("plain").segmentBytes()).isEqualTo(2_097_152);
        assertThat(logConfig("plain").retentionMs()).isEqualTo(5000L);

        createTopic("later");
        assertThat(logConfig("later").retentionMs()).isEqualTo(5000L);
        assertThat(logConfig("later").segmentBytes()).isEqualTo(2_097_152);

        replay(new ConfigRecord(ConfigRecord.BROKER, "", "log.retention.ms", null),
                new ConfigRecord(ConfigRecord.BROKER, "1", "log.segment.bytes", null));
        assertThat(logConfig("plain").retentionMs()).isEqualTo(86_400_000L);
        assertThat(logConfig("plain").segmentBytes()).isEqualTo(1_048_576);
        assertThat(logConfig("later").retentionMs()).isEqualTo(86_400_000L);
        assertThat(logConfig("tuned").retentionMs()).isEqualTo(7000L);
        assertThat(image.brokerConfig("")).isEqualTo(Map.of("log.segment.bytes", "1048576"));
        assertThat(image.brokerConfig("1")).isEmpty();
    }

    @Test
    void theResolverFollowsTheImageAndIsReusedWhileBrokerConfigsStayTheSame() {
        ConfigResolver initial = configs.resolve(image);
        assertThat(initial.effectiveTopicConfigs(Map.of()).get("retention.ms")).isEqualTo("86400000");
        createTopic("plain");
        assertThat(configs.resolve(image)).isSameAs(initial);

        replay(new ConfigRecord(ConfigRecord.BROKER, "", "log.retention.ms", "3600000"));
        assertThat(configs.resolve(image)).isNotSameAs(initial);
        assertThat(configs.resolve(image).effectiveTopicConfigs(Map.of()).get("retention.ms")).isEqualTo("3600000");
    }
}
