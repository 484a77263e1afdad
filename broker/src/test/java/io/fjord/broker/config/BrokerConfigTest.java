package io.fjord.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.storage.LogManagerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerConfigTest {

    /** Kafka's config/server.properties for a combined KRaft node, abridged. */
    private static final String KAFKA_SAMPLE = """
            # The role of this server.
            process.roles=broker,controller
            node.id=1
            controller.quorum.bootstrap.servers=localhost:9093
            listeners=PLAINTEXT://:9092,CONTROLLER://:9093
            inter.broker.listener.name=PLAINTEXT
            advertised.listeners=PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093
            controller.listener.names=CONTROLLER
            listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL
            num.network.threads=3
            num.io.threads=8
            socket.send.buffer.bytes=102400
            socket.receive.buffer.bytes=102400
            socket.request.max.bytes=104857600
            log.dirs=/tmp/kraft-combined-logs
            num.partitions=1
            num.recovery.threads.per.data.dir=1
            offsets.topic.replication.factor=1
            share.coordinator.state.topic.replication.factor=1
            share.coordinator.state.topic.min.isr=1
            transaction.state.log.replication.factor=1
            transaction.state.log.min.isr=1
            log.retention.hours=168
            log.segment.bytes=1073741824
            log.retention.check.interval.ms=300000
            """;

    @Test
    void parsesKafkasSampleServerProperties() {
        BrokerConfig config = BrokerConfig.parse(KAFKA_SAMPLE);

        assertThat(config.nodeId()).isEqualTo(1);
        assertThat(config.processRoles()).containsExactly("broker", "controller");
        assertThat(config.listeners()).containsExactly("PLAINTEXT://:9092", "CONTROLLER://:9093");
        assertThat(config.advertisedListeners())
                .containsExactly("PLAINTEXT://localhost:9092", "CONTROLLER://localhost:9093");
        assertThat(config.controllerListenerNames()).containsExactly("CONTROLLER");
        assertThat(config.interBrokerListenerName()).isEqualTo("PLAINTEXT");
        assertThat(config.logDirs()).containsExactly("/tmp/kraft-combined-logs");
        assertThat(config.metadataLogDir()).isEqualTo("/tmp/kraft-combined-logs");
        assertThat(config.intValue("offsets.topic.replication.factor")).isEqualTo(1);
        assertThat(config.value("offsets.topic.replication.factor")).isEqualTo((short) 1);
        assertThat(config.longValue("log.retention.check.interval.ms")).isEqualTo(300_000L);
        // Defaults fill what the file leaves out.
        assertThat(config.booleanValue("auto.create.topics.enable")).isTrue();
        assertThat(config.intValue("message.max.bytes")).isEqualTo(1_048_588);
        assertThat(config.value("log.retention.ms")).isNull();
        assertThat(config.brokerRack()).isNull();
        // Share-group settings are not modelled yet: reported, not fatal.
        assertThat(config.unknownKeys()).containsExactly("share.coordinator.state.topic.min.isr",
                "share.coordinator.state.topic.replication.factor");
    }

    @Test
    void anInvalidValueFailsWithOneLineNamingKeyAndValue() {
        assertThatThrownBy(() -> BrokerConfig.parse("node.id=1\nprocess.roles=broker\nnum.partitions=abc\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Invalid value abc for configuration num.partitions: Not a number of type INT")
                .satisfies(e -> assertThat(((ConfigException) e).configName()).isEqualTo("num.partitions"));
        assertThatThrownBy(() -> BrokerConfig.parse("node.id=1\nprocess.roles=broker\nlog.segment.bytes=1000\n"))
                .hasMessage("Invalid value 1000 for configuration log.segment.bytes: Value must be at least 1048576");
        assertThatThrownBy(() -> BrokerConfig.parse("node.id=1\nprocess.roles=observer\n"))
                .hasMessage("Invalid value observer for configuration process.roles: "
                        + "String must be one of: broker, controller");
    }

    @Test
    void replicaSelectorClassTakesKafkasRackAwareSelectorAndRefusesAnyOtherClass() {
        assertThat(BrokerConfig.parse("node.id=1\nprocess.roles=broker\n").string("replica.selector.class"))
                .isNull();
        assertThat(BrokerConfig.parse("node.id=1\nprocess.roles=broker\nreplica.selector.class="
                + "org.apache.kafka.common.replica.RackAwareReplicaSelector\n").string("replica.selector.class"))
                .isEqualTo("org.apache.kafka.common.replica.RackAwareReplicaSelector");
        assertThatThrownBy(() -> BrokerConfig.parse("node.id=1\nprocess.roles=broker\n"
                + "replica.selector.class=com.example.NearestReplicaSelector\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Invalid value com.example.NearestReplicaSelector for configuration "
                        + "replica.selector.class: String must be one of: "
                        + "org.apache.kafka.common.replica.RackAwareReplicaSelector");
    }

    @Test
    void requiredConfigsMustBeSet() {
        assertThatThrownBy(() -> BrokerConfig.parse("process.roles=broker\n"))
                .hasMessage("Missing required configuration \"node.id\" which has no default value.");
        assertThatThrownBy(() -> BrokerConfig.parse("node.id=3\n"))
                .hasMessage("Missing required configuration \"process.roles\" which has no default value.");
    }

    @Test
    void fallsBackAsKafkaDoes() {
        BrokerConfig config = BrokerConfig.parse("node.id=2\nprocess.roles=broker\nlog.dir=/data/one\n");
        assertThat(config.logDirs()).containsExactly("/data/one");
        assertThat(config.advertisedListeners()).containsExactly("PLAINTEXT://:9092");
        assertThat(BrokerConfig.parse("node.id=2\nprocess.roles=broker\n").logDirs())
                .containsExactly("/tmp/kafka-logs");
    }

    @Test
    void valuesAreTrimmedButPasswordsAreNot() {
        BrokerConfig config = BrokerConfig.parse(
                "node.id = 4 \nprocess.roles=broker\nbroker.rack= rack-a \nssl.key.password= secret \n");
        assertThat(config.nodeId()).isEqualTo(4);
        assertThat(config.brokerRack()).isEqualTo("rack-a");
        // java.util.Properties drops the leading blanks of every value; the trailing ones stay in a password.
        assertThat(config.string("ssl.key.password")).isEqualTo("secret ");
        assertThat(config.unknownKeys()).isEmpty();
    }

    @Test
    void listenerPrefixedKeysAreNotUnknown() {
        BrokerConfig config = BrokerConfig.parse("node.id=1\nprocess.roles=broker\n"
                + "listener.name.internal.ssl.keystore.location=/etc/ks.jks\nlistener.name.internal.max.connections=x\n"
                .replace("max.connections=x", "max.connections=10"));
        assertThat(config.unknownKeys()).isEmpty();
        assertThat(config.value("listener.name.internal.max.connections")).isEqualTo(10);
    }

    @Test
    void feedsTheLogManagerConfig(@TempDir Path directory) throws Exception {
        Path file = directory.resolve("server.properties");
        Files.writeString(file, "node.id=1\nprocess.roles=broker\nlog.dirs=" + directory.resolve("data")
                + "\nlog.segment.bytes=2097152\nlog.retention.minutes=5\n");
        BrokerConfig config = BrokerConfig.load(file);

        LogManagerConfig logManagerConfig = LogManagerConfig.fromProperties(config.logManagerProperties());

        assertThat(logManagerConfig.logDirs()).containsExactly(directory.resolve("data").toAbsolutePath());
        assertThat(logManagerConfig.defaultLogConfig().segmentBytes()).isEqualTo(2_097_152);
        assertThat(logManagerConfig.defaultLogConfig().retentionMs()).isEqualTo(300_000L);
        assertThat(BrokerConfig.parse("node.id=1\nprocess.roles=broker\n").logManagerProperties())
                .containsEntry("log.dir", "/tmp/kafka-logs");
        assertThat(List.copyOf(config.originals().keySet())).isSorted();
    }
}
