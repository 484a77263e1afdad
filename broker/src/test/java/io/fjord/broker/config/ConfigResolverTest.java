package io.fjord.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.broker.config.DescribedConfig.Synonym;
import io.fjord.storage.LogConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigResolverTest {
    private static final String BASE = "node.id=1\nprocess.roles=broker,controller\n";

    private static ConfigResolver resolver(String extraProperties, Map<String, String> dynamicBroker,
                                           Map<String, String> dynamicDefault) {
        return new ConfigResolver(BrokerConfig.parse(BASE + extraProperties), dynamicBroker, dynamicDefault);
    }

    private static DescribedConfig entry(List<DescribedConfig> entries, String name) {
        return entries.stream().filter(entry -> entry.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void describesEveryTopicConfigWithDefaultsWhenNothingIsSet() {
        List<DescribedConfig> described = resolver("", Map.of(), Map.of()).describeTopic(Map.of());

        assertThat(described).extracting(DescribedConfig::name).containsExactlyElementsOf(TopicConfigs.names());
        DescribedConfig retention = entry(described, "retention.ms");
        assertThat(retention.value()).isEqualTo("604800000");
        assertThat(retention.source()).isEqualTo(ConfigSource.DEFAULT_CONFIG);
        assertThat(retention.readOnly()).isFalse();
        assertThat(retention.type()).isEqualTo(ConfigType.LONG);
        assertThat(retention.synonyms())
                .containsExactly(new Synonym("log.retention.hours", "168", ConfigSource.DEFAULT_CONFIG));
        DescribedConfig remote = entry(described, "remote.storage.enable");
        assertThat(remote.value()).isEqualTo("false");
        assertThat(remote.source()).isEqualTo(ConfigSource.DEFAULT_CONFIG);
        assertThat(remote.synonyms()).isEmpty();
        assertThat(entry(described, "flush.ms").value()).isEqualTo(Long.toString(Long.MAX_VALUE));
        assertThat(entry(described, "cleanup.policy").value()).isEqualTo("delete");
    }

    @Test
    void brokerLayersSupplyTopicDefaultsInKafkasPrecedence() {
        ConfigResolver resolver = resolver("log.retention.hours=24\nlog.segment.bytes=2097152\n",
                Map.of("compression.type", "zstd"), Map.of("log.retention.ms", "1000", "compression.type", "lz4"));
        List<DescribedConfig> described = resolver.describeTopic(Map.of());

        DescribedConfig retention = entry(described, "retention.ms");
        assertThat(retention.value()).isEqualTo("1000");
        assertThat(retention.source()).isEqualTo(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
        assertThat(retention.synonyms()).containsExactly(
                new Synonym("log.retention.ms", "1000", ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG),
                new Synonym("log.retention.hours", "24", ConfigSource.STATIC_BROKER_CONFIG),
                new Synonym("log.retention.hours", "168", ConfigSource.DEFAULT_CONFIG));
        DescribedConfig segmentBytes = entry(described, "segment.bytes");
        assertThat(segmentBytes.value()).isEqualTo("2097152");
        assertThat(segmentBytes.source()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG);
        DescribedConfig compression = entry(described, "compression.type");
        assertThat(compression.value()).isEqualTo("zstd");
        assertThat(compression.source()).isEqualTo(ConfigSource.DYNAMIC_BROKER_CONFIG);
        assertThat(compression.synonyms()).extracting(Synonym::source).containsExactly(
                ConfigSource.DYNAMIC_BROKER_CONFIG, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
                ConfigSource.DEFAULT_CONFIG);
    }

    @Test
    void hoursAndMinutesAreConvertedAndNegativeRetentionMeansUnlimited() {
        assertThat(resolver("log.retention.minutes=5\n", Map.of(), Map.of())
                .effectiveTopicConfigs(Map.of())).containsEntry("retention.ms", "300000");
        assertThat(resolver("log.retention.hours=-5\n", Map.of(), Map.of())
                .effectiveTopicConfigs(Map.of())).containsEntry("retention.ms", "-1");
        assertThat(resolver("log.roll.hours=1\n", Map.of(), Map.of())
                .effectiveTopicConfigs(Map.of())).containsEntry("segment.ms", "3600000");
        assertThat(resolver("log.roll.hours=1\nlog.roll.ms=5000\n", Map.of(), Map.of())
                .effectiveTopicConfigs(Map.of())).containsEntry("segment.ms", "5000");
        assertThat(resolver("log.flush.scheduler.interval.ms=2000\n", Map.of(), Map.of())
                .effectiveTopicConfigs(Map.of())).containsEntry("flush.ms", "2000");
    }

    @Test
    void aTopicOverrideComesFirst() {
        ConfigResolver resolver = resolver("log.retention.hours=24\n", Map.of(), Map.of());
        DescribedConfig retention = entry(resolver.describeTopic(Map.of("retention.ms", "5000",
                "min.cleanable.dirty.ratio", "0.25")), "retention.ms");

        assertThat(retention.value()).isEqualTo("5000");
        assertThat(retention.source()).isEqualTo(ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(retention.synonyms()).first()
                .isEqualTo(new Synonym("retention.ms", "5000", ConfigSource.DYNAMIC_TOPIC_CONFIG));
        assertThat(retention.synonyms()).hasSize(3);
    }

    @Test
    void describesTheBrokerWithSourcesReadOnlyFlagsAndHiddenPasswords() {
        ConfigResolver resolver = resolver("ssl.keystore.password=hunter2\nnum.io.threads=4\n"
                        + "listener.name.internal.ssl.key.password=k\n",
                Map.of("num.io.threads", "16"), Map.of("log.retention.ms", "60000"));
        List<DescribedConfig> described = resolver.describeBroker();

        DescribedConfig ioThreads = entry(described, "num.io.threads");
        assertThat(ioThreads.value()).isEqualTo("16");
        assertThat(ioThreads.source()).isEqualTo(ConfigSource.DYNAMIC_BROKER_CONFIG);
        assertThat(ioThreads.readOnly()).isFalse();
        assertThat(ioThreads.synonyms()).extracting(Synonym::value).containsExactly("16", "4", "8");

        DescribedConfig password = entry(described, "ssl.keystore.password");
        assertThat(password.value()).isNull();
        assertThat(password.sensitive()).isTrue();
        assertThat(password.type()).isEqualTo(ConfigType.PASSWORD);
        assertThat(password.source()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG);
        assertThat(password.synonyms()).extracting(Synonym::value).containsOnlyNulls();
        DescribedConfig prefixed = entry(described, "listener.name.internal.ssl.key.password");
        assertThat(prefixed.value()).isNull();
        assertThat(prefixed.sensitive()).isTrue();

        DescribedConfig nodeId = entry(described, "node.id");
        assertThat(nodeId.value()).isEqualTo("1");
        assertThat(nodeId.readOnly()).isTrue();
        assertThat(nodeId.source()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG);

        DescribedConfig hours = entry(described, "log.retention.hours");
        assertThat(hours.value()).isEqualTo("168");
        assertThat(hours.readOnly()).isTrue();
        // Kafka reports the source of the highest-precedence synonym.
        assertThat(hours.source()).isEqualTo(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);

        DescribedConfig rack = entry(described, "broker.rack");
        assertThat(rack.value()).isNull();
        assertThat(rack.source()).isEqualTo(ConfigSource.DEFAULT_CONFIG);
        assertThat(rack.synonyms()).isEmpty();
    }

    @Test
    void theDefaultBrokerResourceListsOnlyDynamicDefaults() {
        ConfigResolver resolver = resolver("num.io.threads=4\n", Map.of("num.io.threads", "16"),
                Map.of("log.retention.ms", "60000"));
        List<DescribedConfig> described = resolver.describeBrokerDefaults();

        assertThat(described).extracting(DescribedConfig::name).containsExactly("log.retention.ms");
        assertThat(described.get(0).value()).isEqualTo("60000");
        assertThat(described.get(0).synonyms()).extracting(Synonym::source)
                .containsOnly(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
    }

    @Test
    void validatesTopicConfigsWithKafkasErrors() {
        ConfigResolver resolver = ConfigResolver.ofStatic(BrokerConfig.parse(BASE));

        assertThat(resolver.validateTopicConfigs(Map.of("retention.ms", "1000", "cleanup.policy", "compact")))
                .isEmpty();
        assertThat(resolver.validateTopicConfigs(Map.of("retention.msx", "1000")))
                .contains(ConfigApiError.invalidConfig("Unknown topic config name: retention.msx"));
        assertThat(resolver.validateTopicConfigs(Map.of("message.downconversion.enable", "true")))
                .contains(ConfigApiError.invalidConfig("Unknown topic config name: message.downconversion.enable"));
        assertThat(resolver.validateTopicConfigs(Map.of("retention.ms", "soon"))).contains(
                ConfigApiError.invalidConfig("Invalid value soon for configuration retention.ms: "
                        + "Not a number of type LONG"));
        assertThat(resolver.validateTopicConfigs(Map.of("min.compaction.lag.ms", "10", "max.compaction.lag.ms", "5")))
                .contains(ConfigApiError.invalidConfig(
                        "conflict topic config setting min.compaction.lag.ms (10) > max.compaction.lag.ms (5)"));
        Map<String, String> withNull = new java.util.HashMap<>();
        withNull.put("retention.ms", null);
        assertThat(resolver.validateTopicConfigs(withNull)).hasValueSatisfying(error -> {
            assertThat(error.errorCode()).isEqualTo(ConfigApiError.INVALID_CONFIG);
            assertThat(error.message()).isEqualTo("Null value not supported for topic configs: retention.ms");
        });
    }

    @Test
    void buildsTheStorageLogConfig() {
        ConfigResolver resolver = resolver("log.segment.bytes=2097152\nlog.retention.hours=1\n", Map.of(),
                Map.of("log.cleaner.min.cleanable.ratio", "0.3"));
        LogConfig config = resolver.logConfig(Map.of("cleanup.policy", "compact,delete", "max.message.bytes",
                "2000", "message.timestamp.type", "LogAppendTime"));

        assertThat(config.segmentBytes()).isEqualTo(2_097_152);
        assertThat(config.retentionMs()).isEqualTo(3_600_000L);
        assertThat(config.minCleanableDirtyRatio()).isEqualTo(0.3);
        assertThat(config.compact()).isTrue();
        assertThat(config.delete()).isTrue();
        assertThat(config.maxMessageBytes()).isEqualTo(2000);
        assertThat(config.timestampType().configName()).isEqualTo("LogAppendTime");
        assertThat(ConfigResolver.ofStatic(BrokerConfig.parse(BASE)).logConfig(Map.of()))
                .isEqualTo(LogConfig.defaults());
    }

    @Test
    void anEmptyCleanupPolicyKeepsEverything() {
        LogConfig config = ConfigResolver.ofStatic(BrokerConfig.parse(BASE)).logConfig(Map.of("cleanup.policy", ""));
        assertThat(config.compact()).isFalse();
        assertThat(config.retentionMs()).isEqualTo(-1);
        assertThat(config.retentionBytes()).isEqualTo(-1);
        assertThatThrownBy(() -> ConfigResolver.ofStatic(BrokerConfig.parse(BASE))
                .logConfig(Map.of("segment.index.bytes", "8")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("segment.index.bytes");
    }

    @Test
    void validatesBrokerAlterationsAsKafkasBrokerDoes() {
        assertThat(ConfigResolver.validateBrokerConfigs(Map.of("log.retention.ms", "1000"), false)).isEmpty();
        assertThat(ConfigResolver.validateBrokerConfigs(Map.of("num.partitions", "3", "log.dirs", "/x"), true))
                .contains(ConfigApiError.invalidRequest(
                        "Cannot update these configs dynamically: [log.dirs, num.partitions]"));
        assertThat(ConfigResolver.validateBrokerConfigs(Map.of("listeners", "PLAINTEXT://:9092"), false)).contains(
                ConfigApiError.invalidRequest("Cannot update these configs at default cluster level, broker id must "
                        + "be specified: [listeners]"));
        assertThat(ConfigResolver.validateBrokerConfigs(Map.of("listeners", "PLAINTEXT://:9092"), true)).isEmpty();
        // A listener's connection limits may be the cluster-wide default too, as in Kafka; its SSL stores not.
        assertThat(ConfigResolver.validateBrokerConfigs(Map.of("listener.name.external.max.connections", "10",
                "listener.name.external.max.connection.creation.rate", "5"), false)).isEmpty();
        assertThat(ConfigResolver.validateBrokerConfigs(Map.of("listener.name.external.ssl.keystore.location",
                "/k.jks"), false)).isPresent();
        // Kafka answers INVALID_REQUEST for a bad broker value too (KAFKA-13609), naming the key.
        assertThat(ConfigResolver.validateBrokerConfigs(Map.of("num.io.threads", "0"), true)).contains(
                ConfigApiError.invalidRequest("Invalid value 0 for configuration num.io.threads: "
                        + "Value must be at least 1"));
        assertThat(ConfigResolver.validateBrokerConfigs(Map.of("log.retention.ms", "soon"), false))
                .hasValueSatisfying(error -> {
                    assertThat(error.errorCode()).isEqualTo(ConfigApiError.INVALID_REQUEST);
                    assertThat(error.message()).contains("log.retention.ms");
                });
        assertThat(ConfigResolver.validateBrokerConfigs(Map.of("ssl.keystore.location", "/k"), true)).contains(
                ConfigApiError.invalidRequest("These security configs can be dynamically updated only per-listener "
                        + "using the listener prefix: [ssl.keystore.location]"));
        assertThat(ConfigResolver.validateBrokerConfigs(
                Map.of("listener.name.external.ssl.keystore.location", "/k"), true)).isEmpty();
        // Read-only is reported before a bad value, as Kafka checks in that order.
        assertThat(ConfigResolver.validateBrokerConfigs(Map.of("num.io.threads", "0", "node.id", "3"), true))
                .hasValueSatisfying(error -> assertThat(error.message())
                        .isEqualTo("Cannot update these configs dynamically: [node.id]"));
        // Kafka accepts custom (unknown) broker configs dynamically.
        assertThat(ConfigResolver.validateBrokerConfigs(Map.of("my.plugin.setting", "x"), false)).isEmpty();
    }

    @Test
    void effectiveTopicConfigsAreResolvedOnceForEqualOverridesAndCannotBeChanged() {
        ConfigResolver resolver = resolver("log.retention.hours=24\n", Map.of(), Map.of());
        Map<String, String> overrides = new HashMap<>(Map.of("min.insync.replicas", "2"));

        Map<String, String> first = resolver.effectiveTopicConfigs(overrides);
        // The produce path asks per request: equal overrides get the map resolved before, not a new resolution.
        assertThat(resolver.effectiveTopicConfigs(Map.of("min.insync.replicas", "2"))).isSameAs(first);
        assertThat(first).containsEntry("min.insync.replicas", "2").containsEntry("retention.ms", "86400000");
        assertThatThrownBy(() -> first.put("retention.ms", "1")).isInstanceOf(UnsupportedOperationException.class);

        overrides.put("min.insync.replicas", "3"); // the caller's map changing later changes nothing remembered
        assertThat(resolver.effectiveTopicConfigs(overrides)).containsEntry("min.insync.replicas", "3");
        assertThat(resolver.effectiveTopicConfigs(Map.of("min.insync.replicas", "2"))).isSameAs(first);
        assertThat(resolver.withDynamic(Map.of("log.retention.ms", "5000"), Map.of())
                .effectiveTopicConfigs(Map.of("min.insync.replicas", "2"))).containsEntry("retention.ms", "5000");
    }

    @Test
    void effectiveTopicConfigsCacheStaysBounded() {
        ConfigResolver resolver = resolver("", Map.of(), Map.of());
        for (int i = 0; i < 3 * ConfigResolver.EFFECTIVE_TOPIC_CONFIGS_CACHED_MAX; i++) {
            assertThat(resolver.effectiveTopicConfigs(Map.of("retention.ms", Integer.toString(i))))
                    .containsEntry("retention.ms", Integer.toString(i));
        }
        assertThat(resolver.cachedEffectiveTopicConfigs()).isLessThanOrEqualTo(
                ConfigResolver.EFFECTIVE_TOPIC_CONFIGS_CACHED_MAX);
    }

    @Test
    void dynamicLayersComeFromWithDynamicAndReachTopicsWithoutOverrides() {
        ConfigResolver base = resolver("log.retention.hours=24\n", Map.of(), Map.of());
        ConfigResolver dynamic = base.withDynamic(Map.of("log.segment.bytes", "2097152"),
                Map.of("log.retention.ms", "5000", "log.segment.bytes", "1048576"));

        assertThat(dynamic.effectiveTopicConfigs(Map.of())).containsEntry("retention.ms", "5000")
                .containsEntry("segment.bytes", "2097152");
        assertThat(dynamic.effectiveTopicConfigs(Map.of("retention.ms", "7"))).containsEntry("retention.ms", "7");
        assertThat(dynamic.logConfig(Map.of()).retentionMs()).isEqualTo(5000L);
        assertThat(base.effectiveTopicConfigs(Map.of())).containsEntry("retention.ms", "86400000");

        DescribedConfig perBroker = entry(dynamic.describeBroker(), "log.segment.bytes");
        assertThat(perBroker.value()).isEqualTo("2097152");
        assertThat(perBroker.source()).isEqualTo(ConfigSource.DYNAMIC_BROKER_CONFIG);
        assertThat(perBroker.readOnly()).isFalse();
        assertThat(perBroker.synonyms()).extracting(Synonym::source).containsExactly(
                ConfigSource.DYNAMIC_BROKER_CONFIG, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
                ConfigSource.DEFAULT_CONFIG);
        assertThat(entry(dynamic.describeBroker(), "log.dirs").readOnly()).isTrue();
        List<DescribedConfig> defaults = dynamic.describeBrokerDefaults();
        assertThat(defaults).extracting(DescribedConfig::name).containsExactly("log.retention.ms",
                "log.segment.bytes");
        assertThat(entry(defaults, "log.segment.bytes").synonyms()).containsExactly(
                new Synonym("log.segment.bytes", "1048576", ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG));
    }

    @Test
    void customDynamicBrokerConfigsAreDescribedAsSensitive() {
        DescribedConfig custom = entry(resolver("", Map.of("my.plugin.setting", "x"), Map.of()).describeBroker(),
                "my.plugin.setting");
        assertThat(custom.value()).isNull();
        assertThat(custom.sensitive()).isTrue();
        assertThat(custom.source()).isEqualTo(ConfigSource.DYNAMIC_BROKER_CONFIG);
    }
}
