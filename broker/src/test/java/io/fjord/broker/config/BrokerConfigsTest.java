package io.fjord.broker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class BrokerConfigsTest {

    /** Kafka 4's documented defaults of commonly described broker configs. */
    private static final Map<String, String> KAFKA_DEFAULTS = new TreeMap<>(Map.ofEntries(
            Map.entry("num.partitions", "1"),
            Map.entry("default.replication.factor", "1"),
            Map.entry("auto.create.topics.enable", "true"),
            Map.entry("delete.topic.enable", "true"),
            Map.entry("min.insync.replicas", "1"),
            Map.entry("unclean.leader.election.enable", "false"),
            Map.entry("offsets.topic.num.partitions", "50"),
            Map.entry("offsets.topic.replication.factor", "3"),
            Map.entry("offsets.topic.segment.bytes", "104857600"),
            Map.entry("offsets.retention.minutes", "10080"),
            Map.entry("group.initial.rebalance.delay.ms", "3000"),
            Map.entry("group.min.session.timeout.ms", "6000"),
            Map.entry("group.max.session.timeout.ms", "1800000"),
            Map.entry("group.max.size", "2147483647"),
            Map.entry("transaction.state.log.num.partitions", "50"),
            Map.entry("transaction.state.log.replication.factor", "3"),
            Map.entry("transaction.state.log.min.isr", "2"),
            Map.entry("transaction.state.log.segment.bytes", "104857600"),
            Map.entry("transactional.id.expiration.ms", "604800000"),
            Map.entry("producer.id.expiration.ms", "86400000"),
            Map.entry("message.max.bytes", "1048588"),
            Map.entry("compression.type", "producer"),
            Map.entry("socket.request.max.bytes", "104857600"),
            Map.entry("socket.send.buffer.bytes", "102400"),
            Map.entry("socket.receive.buffer.bytes", "102400"),
            Map.entry("queued.max.request.bytes", "-1"),
            Map.entry("queued.max.requests", "500"),
            Map.entry("num.io.threads", "8"),
            Map.entry("background.threads", "10"),
            Map.entry("connections.max.idle.ms", "600000"),
            Map.entry("max.connections", "2147483647"),
            Map.entry("replica.lag.time.max.ms", "30000"),
            Map.entry("replica.fetch.max.bytes", "1048576"),
            Map.entry("fetch.max.bytes", "57671680"),
            Map.entry("max.incremental.fetch.session.cache.slots", "1000"),
            Map.entry("log.dir", "/tmp/kafka-logs"),
            Map.entry("log.segment.bytes", "1073741824"),
            Map.entry("log.roll.hours", "168"),
            Map.entry("log.retention.hours", "168"),
            Map.entry("log.retention.bytes", "-1"),
            Map.entry("log.retention.check.interval.ms", "300000"),
            Map.entry("log.cleanup.policy", "delete"),
            Map.entry("log.index.size.max.bytes", "10485760"),
            Map.entry("log.flush.scheduler.interval.ms", "9223372036854775807"),
            Map.entry("log.message.timestamp.after.max.ms", "3600000"),
            Map.entry("num.recovery.threads.per.data.dir", "2"),
            Map.entry("log.cleaner.enable", "true"),
            Map.entry("log.cleaner.threads", "1"),
            Map.entry("log.cleaner.dedupe.buffer.size", "134217728"),
            Map.entry("log.cleaner.io.buffer.size", "524288"),
            Map.entry("log.cleaner.backoff.ms", "15000"),
            Map.entry("log.cleaner.min.cleanable.ratio", "0.5"),
            Map.entry("listeners", "PLAINTEXT://:9092")));

    @Test
    void defaultsAreKafkas() {
        Map<String, String> actual = new TreeMap<>();
        for (String name : KAFKA_DEFAULTS.keySet()) {
            actual.put(name, BrokerConfigs.definition(name).orElseThrow().defaultValue());
        }
        assertThat(actual).isEqualTo(KAFKA_DEFAULTS);
        assertThat(BrokerConfigs.definition("log.retention.ms").orElseThrow().defaultValue()).isNull();
        assertThat(BrokerConfigs.definition("log.dirs").orElseThrow().defaultValue()).isNull();
    }

    @Test
    void everyTopicConfigsServerDefaultIsABrokerConfigOfACompatibleType() {
        for (ConfigDefinition topic : TopicConfigs.all()) {
            for (BrokerSynonym synonym : TopicConfigs.brokerSynonyms(topic.name())) {
                ConfigDefinition broker = BrokerConfigs.definition(synonym.brokerConfigName()).orElseThrow();
                if (synonym.millisecondsPerUnit() == 1 && broker.defaultValue() != null) {
                    assertThat(broker.type()).as(broker.name()).isEqualTo(topic.type());
                    assertThat(broker.defaultValue()).as(broker.name()).isEqualTo(topic.defaultValue());
                }
            }
        }
    }

    @Test
    void dynamicUpdateModesFollowKafka() {
        assertThat(mode("log.retention.ms")).isEqualTo(DynamicUpdateMode.CLUSTER_WIDE);
        assertThat(mode("log.retention.hours")).isEqualTo(DynamicUpdateMode.READ_ONLY);
        assertThat(mode("log.segment.bytes")).isEqualTo(DynamicUpdateMode.CLUSTER_WIDE);
        assertThat(mode("message.max.bytes")).isEqualTo(DynamicUpdateMode.CLUSTER_WIDE);
        assertThat(mode("listeners")).isEqualTo(DynamicUpdateMode.PER_BROKER);
        assertThat(mode("node.id")).isEqualTo(DynamicUpdateMode.READ_ONLY);
        assertThat(mode("num.partitions")).isEqualTo(DynamicUpdateMode.READ_ONLY);
        assertThat(mode("log.cleaner.threads")).isEqualTo(DynamicUpdateMode.CLUSTER_WIDE);
        assertThat(mode("log.cleaner.enable")).isEqualTo(DynamicUpdateMode.READ_ONLY);
        // Every first server-default synonym of a topic config can change cluster-wide, as in Kafka.
        for (String topicName : TopicConfigs.names()) {
            TopicConfigs.serverDefaultProperty(topicName).ifPresent(broker ->
                    assertThat(mode(broker)).as(broker).isEqualTo(DynamicUpdateMode.CLUSTER_WIDE));
        }
    }

    @Test
    void passwordsAreSensitive() {
        assertThat(BrokerConfigs.definition("ssl.keystore.password").orElseThrow().sensitive()).isTrue();
        assertThat(BrokerConfigs.definition("ssl.keystore.location").orElseThrow().sensitive()).isFalse();
    }

    @Test
    void listenerPrefixedNamesTakeTheirBaseDefinition() {
        ConfigDefinition prefixed = BrokerConfigs.definition("listener.name.internal.ssl.keystore.password")
                .orElseThrow();
        assertThat(prefixed.name()).isEqualTo("listener.name.internal.ssl.keystore.password");
        assertThat(prefixed.sensitive()).isTrue();
        assertThat(prefixed.updateMode()).isEqualTo(DynamicUpdateMode.PER_BROKER);
        assertThat(BrokerConfigs.definition("listener.name.sasl_ssl.plain.sasl.jaas.config").orElseThrow().type())
                .isEqualTo(ConfigType.PASSWORD);
        assertThat(BrokerConfigs.isKnown("listener.name.internal.something.else")).isTrue();
        assertThat(BrokerConfigs.definition("listener.name.internal.something.else")).isEmpty();
        assertThat(BrokerConfigs.isKnown("no.such.config")).isFalse();
    }

    @Test
    void synonymsGroupTheNamesOfOneTopicDefault() {
        assertThat(BrokerConfigs.synonyms("log.retention.hours"))
                .containsExactly("log.retention.ms", "log.retention.minutes", "log.retention.hours");
        assertThat(BrokerConfigs.synonyms("log.roll.ms")).containsExactly("log.roll.ms", "log.roll.hours");
        assertThat(BrokerConfigs.synonyms("num.io.threads")).containsExactly("num.io.threads");
        assertThat(BrokerConfigs.synonyms("listener.name.internal.ssl.key.password"))
                .containsExactly("listener.name.internal.ssl.key.password", "ssl.key.password");
    }

    private static DynamicUpdateMode mode(String name) {
        return BrokerConfigs.definition(name).orElseThrow().updateMode();
    }
}
