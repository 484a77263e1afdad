package io.fjord.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

class TopicConfigsTest {

    /** The configs kafka-clients still names but Kafka 4 brokers no longer define. */
    private static final Set<String> REMOVED_IN_KAFKA_4 = Set.of("message.downconversion.enable",
            "message.format.version");
    /** Topic configs Kafka defines outside TopicConfig (in its quota configs). */
    private static final Set<String> DEFINED_OUTSIDE_TOPIC_CONFIG = Set.of("leader.replication.throttled.replicas",
            "follower.replication.throttled.replicas");

    /** Kafka 4.4's documented defaults of every topic config. */
    private static final Map<String, String> KAFKA_DEFAULTS = new TreeMap<>(Map.ofEntries(
            Map.entry(TopicConfig.CLEANUP_POLICY_CONFIG, "delete"),
            Map.entry(TopicConfig.COMPRESSION_GZIP_LEVEL_CONFIG, "-1"),
            Map.entry(TopicConfig.COMPRESSION_LZ4_LEVEL_CONFIG, "9"),
            Map.entry(TopicConfig.COMPRESSION_TYPE_CONFIG, "producer"),
            Map.entry(TopicConfig.COMPRESSION_ZSTD_LEVEL_CONFIG, "3"),
            Map.entry(TopicConfig.DELETE_RETENTION_MS_CONFIG, "86400000"),
            Map.entry(TopicConfig.ERRORS_DEADLETTERQUEUE_GROUP_ENABLE_CONFIG, "false"),
            Map.entry(TopicConfig.FILE_DELETE_DELAY_MS_CONFIG, "60000"),
            Map.entry(TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG, "9223372036854775807"),
            Map.entry(TopicConfig.FLUSH_MS_CONFIG, "9223372036854775807"),
            Map.entry("follower.replication.throttled.replicas", ""),
            Map.entry(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, "4096"),
            Map.entry("leader.replication.throttled.replicas", ""),
            Map.entry(TopicConfig.LOCAL_LOG_RETENTION_BYTES_CONFIG, "-2"),
            Map.entry(TopicConfig.LOCAL_LOG_RETENTION_MS_CONFIG, "-2"),
            Map.entry(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG, "9223372036854775807"),
            Map.entry(TopicConfig.MAX_DECOMPRESSED_MESSAGE_BYTES_CONFIG, "2147483639"),
            Map.entry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "1048588"),
            Map.entry(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, "3600000"),
            Map.entry(TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, "9223372036854775807"),
            Map.entry(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "CreateTime"),
            Map.entry(TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.5"),
            Map.entry(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, "0"),
            Map.entry(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "1"),
            Map.entry(TopicConfig.PREALLOCATE_CONFIG, "false"),
            Map.entry(TopicConfig.REMOTE_COPY_LAG_BYTES_CONFIG, "0"),
            Map.entry(TopicConfig.REMOTE_COPY_LAG_MS_CONFIG, "0"),
            Map.entry(TopicConfig.REMOTE_LOG_COPY_DISABLE_CONFIG, "false"),
            Map.entry(TopicConfig.REMOTE_LOG_DELETE_ON_DISABLE_CONFIG, "false"),
            Map.entry(TopicConfig.REMOTE_LOG_STORAGE_ENABLE_CONFIG, "false"),
            Map.entry(TopicConfig.RETENTION_BYTES_CONFIG, "-1"),
            Map.entry(TopicConfig.RETENTION_MS_CONFIG, "604800000"),
            Map.entry(TopicConfig.SEGMENT_BYTES_CONFIG, "1073741824"),
            Map.entry(TopicConfig.SEGMENT_INDEX_BYTES_CONFIG, "10485760"),
            Map.entry(TopicConfig.SEGMENT_JITTER_MS_CONFIG, "0"),
            Map.entry(TopicConfig.SEGMENT_MS_CONFIG, "604800000"),
            Map.entry(TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, "false")));

    /** Kafka's "Server Default Property" column. */
    private static final Map<String, String> SERVER_DEFAULT_PROPERTIES = new TreeMap<>(Map.ofEntries(
            Map.entry("cleanup.policy", "log.cleanup.policy"),
            Map.entry("compression.gzip.level", "compression.gzip.level"),
            Map.entry("compression.lz4.level", "compression.lz4.level"),
            Map.entry("compression.type", "compression.type"),
            Map.entry("compression.zstd.level", "compression.zstd.level"),
            Map.entry("delete.retention.ms", "log.cleaner.delete.retention.ms"),
            Map.entry("file.delete.delay.ms", "log.segment.delete.delay.ms"),
            Map.entry("flush.messages", "log.flush.interval.messages"),
            Map.entry("flush.ms", "log.flush.interval.ms"),
            Map.entry("index.interval.bytes", "log.index.interval.bytes"),
            Map.entry("local.retention.bytes", "log.local.retention.bytes"),
            Map.entry("local.retention.ms", "log.local.retention.ms"),
            Map.entry("max.compaction.lag.ms", "log.cleaner.max.compaction.lag.ms"),
            Map.entry("max.decompressed.message.bytes", "max.decompressed.message.bytes"),
            Map.entry("max.message.bytes", "message.max.bytes"),
            Map.entry("message.timestamp.after.max.ms", "log.message.timestamp.after.max.ms"),
            Map.entry("message.timestamp.before.max.ms", "log.message.timestamp.before.max.ms"),
            Map.entry("message.timestamp.type", "log.message.timestamp.type"),
            Map.entry("min.cleanable.dirty.ratio", "log.cleaner.min.cleanable.ratio"),
            Map.entry("min.compaction.lag.ms", "log.cleaner.min.compaction.lag.ms"),
            Map.entry("min.insync.replicas", "min.insync.replicas"),
            Map.entry("preallocate", "log.preallocate"),
            Map.entry("retention.bytes", "log.retention.bytes"),
            Map.entry("retention.ms", "log.retention.ms"),
            Map.entry("segment.bytes", "log.segment.bytes"),
            Map.entry("segment.index.bytes", "log.index.size.max.bytes"),
            Map.entry("segment.jitter.ms", "log.roll.jitter.ms"),
            Map.entry("segment.ms", "log.roll.ms"),
            Map.entry("unclean.leader.election.enable", "unclean.leader.election.enable")));

    private static Set<String> kafkaClientTopicConfigNames() throws IllegalAccessException {
        Set<String> names = new HashSet<>();
        for (Field field : TopicConfig.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class
                    && field.getName().endsWith("_CONFIG")) {
                names.add((String) field.get(null));
            }
        }
        return names;
    }

    @Test
    void namesAreExactlyKafkasTopicConfigs() throws IllegalAccessException {
        Set<String> expected = new HashSet<>(kafkaClientTopicConfigNames());
        expected.removeAll(REMOVED_IN_KAFKA_4);
        expected.addAll(DEFINED_OUTSIDE_TOPIC_CONFIG);

        assertThat(TopicConfigs.names()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(TopicConfigs.names()).doesNotContainAnyElementsOf(REMOVED_IN_KAFKA_4);
        assertThat(List.copyOf(TopicConfigs.names())).isSorted();
    }

    @Test
    void defaultsAreKafkasDocumentedDefaults() {
        Map<String, String> actual = new TreeMap<>();
        TopicConfigs.all().forEach(definition -> actual.put(definition.name(), definition.defaultValue()));
        assertThat(actual).isEqualTo(KAFKA_DEFAULTS);
    }

    @Test
    void serverDefaultPropertiesAreKafkas() {
        assertThat(TopicConfigs.serverDefaultProperties()).isEqualTo(SERVER_DEFAULT_PROPERTIES);
        assertThat(TopicConfigs.brokerSynonyms("retention.ms")).extracting(BrokerSynonym::brokerConfigName)
                .containsExactly("log.retention.ms", "log.retention.minutes", "log.retention.hours");
        assertThat(TopicConfigs.brokerSynonyms("flush.ms")).extracting(BrokerSynonym::brokerConfigName)
                .containsExactly("log.flush.interval.ms", "log.flush.scheduler.interval.ms");
        assertThat(TopicConfigs.brokerSynonyms("remote.storage.enable")).isEmpty();
    }

    @Test
    void typeNamesMatchKafkasConfigDefTypes() {
        for (ConfigDef.Type kafkaType : ConfigDef.Type.values()) {
            assertThat(ConfigType.valueOf(kafkaType.name()).name()).isEqualTo(kafkaType.name());
        }
        assertThat(TopicConfigs.definition("cleanup.policy").orElseThrow().type()).isEqualTo(ConfigType.LIST);
        assertThat(TopicConfigs.definition("segment.bytes").orElseThrow().type()).isEqualTo(ConfigType.INT);
        assertThat(TopicConfigs.definition("retention.ms").orElseThrow().type()).isEqualTo(ConfigType.LONG);
        assertThat(TopicConfigs.definition("min.cleanable.dirty.ratio").orElseThrow().type())
                .isEqualTo(ConfigType.DOUBLE);
        assertThat(TopicConfigs.definition("preallocate").orElseThrow().type()).isEqualTo(ConfigType.BOOLEAN);
    }

    @Test
    void segmentBytesMustBeAtLeastOneMebibyte() {
        ConfigDefinition segmentBytes = TopicConfigs.definition("segment.bytes").orElseThrow();
        assertThat(segmentBytes.parse("1048576")).isEqualTo(1_048_576);
        assertThatThrownBy(() -> segmentBytes.parse("1048575")).isInstanceOf(ConfigException.class)
                .hasMessage("Invalid value 1048575 for configuration segment.bytes: Value must be at least 1048576");
        assertThatThrownBy(() -> segmentBytes.parse("big"))
                .hasMessage("Invalid value big for configuration segment.bytes: Not a number of type INT");
    }

    @Test
    void enumerationsAndRangesAreChecked() {
        ConfigDefinition compression = TopicConfigs.definition("compression.type").orElseThrow();
        for (String codec : List.of("producer", "uncompressed", "gzip", "snappy", "lz4", "zstd")) {
            assertThat(compression.parse(codec)).isEqualTo(codec);
        }
        assertThatThrownBy(() -> compression.parse("brotli")).hasMessage("Invalid value brotli for configuration "
                + "compression.type: String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer");

        ConfigDefinition gzip = TopicConfigs.definition("compression.gzip.level").orElseThrow();
        assertThat(gzip.parse("-1")).isEqualTo(-1);
        assertThat(gzip.parse("9")).isEqualTo(9);
        assertThatThrownBy(() -> gzip.parse("0")).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> gzip.parse("10")).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> TopicConfigs.definition("compression.lz4.level").orElseThrow().parse("18"))
                .hasMessageEndingWith("Value must be no more than 17");
        assertThat(TopicConfigs.definition("compression.zstd.level").orElseThrow().parse("-131072"))
                .isEqualTo(-131_072);

        ConfigDefinition ratio = TopicConfigs.definition("min.cleanable.dirty.ratio").orElseThrow();
        assertThat(ratio.normalize(" 0.50 ")).isEqualTo("0.5");
        assertThatThrownBy(() -> ratio.parse("1.5")).hasMessageContaining("min.cleanable.dirty.ratio");

        ConfigDefinition timestampType = TopicConfigs.definition("message.timestamp.type").orElseThrow();
        assertThat(timestampType.parse("LogAppendTime")).isEqualTo("LogAppendTime");
        assertThatThrownBy(() -> timestampType.parse("logappendtime")).isInstanceOf(ConfigException.class);

        assertThat(TopicConfigs.definition("retention.ms").orElseThrow().parse("-1")).isEqualTo(-1L);
        assertThatThrownBy(() -> TopicConfigs.definition("retention.ms").orElseThrow().parse("-2"))
                .hasMessageEndingWith("Value must be at least -1");
        assertThatThrownBy(() -> TopicConfigs.definition("preallocate").orElseThrow().parse("yes"))
                .hasMessage("Invalid value yes for configuration preallocate: "
                        + "Expected value to be either true or false");
    }

    @Test
    void cleanupPolicyIsAListOfCompactAndDelete() {
        ConfigDefinition policy = TopicConfigs.definition("cleanup.policy").orElseThrow();
        assertThat(policy.parse("compact, delete")).isEqualTo(List.of("compact", "delete"));
        assertThat(policy.normalize("compact, delete")).isEqualTo("compact,delete");
        assertThat(policy.parse("")).isEqualTo(List.of());
        assertThatThrownBy(() -> policy.parse("compacted")).hasMessage(
                "Invalid value compacted for configuration cleanup.policy: String must be one of: compact, delete");
        assertThatThrownBy(() -> policy.parse("delete,delete")).hasMessageContaining("Duplicate value delete");
    }

    @Test
    void throttledReplicasAreAWildcardOrPartitionBrokerPairs() {
        ConfigDefinition throttled = TopicConfigs.definition("leader.replication.throttled.replicas").orElseThrow();
        assertThat(throttled.parse("*")).isEqualTo(List.of("*"));
        assertThat(throttled.parse("0:1, 1:2")).isEqualTo(List.of("0:1", "1:2"));
        assertThat(throttled.parse("")).isEqualTo(List.of());
        assertThatThrownBy(() -> throttled.parse("0-1")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("[partitionId]:[brokerId]");
        assertThatThrownBy(() -> throttled.parse("*,0:1")).isInstanceOf(ConfigException.class);
    }

    @Test
    void topicConfigsAreNeitherReadOnlyNorSensitive() {
        assertThat(TopicConfigs.all()).allSatisfy(definition -> {
            assertThat(definition.readOnly()).isFalse();
            assertThat(definition.sensitive()).isFalse();
            assertThat(definition.documentation()).isNotBlank().doesNotContain("\n");
        });
    }
}
