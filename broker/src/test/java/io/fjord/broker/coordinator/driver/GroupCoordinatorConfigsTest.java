package io.fjord.broker.coordinator.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.config.ConfigException;
import io.fjord.broker.coordinator.group.ConsumerGroupConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The KIP-848 settings: Kafka's defaults, names and class names of assignors, and Kafka's start-up checks. */
class GroupCoordinatorConfigsTest {
    private static BrokerConfig config(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(Map.of("node.id", "1", "process.roles", "broker,controller"));
        all.putAll(settings);
        return BrokerConfig.fromMap(all);
    }

    @Test
    void kafkasDefaults() {
        BrokerConfig defaults = config(Map.of());
        ConsumerGroupConfig consumer = GroupCoordinatorConfigs.consumerGroups(defaults);
        assertThat(consumer.heartbeatIntervalMs()).isEqualTo(5_000);
        assertThat(consumer.sessionTimeoutMs()).isEqualTo(45_000);
        assertThat(consumer.maxSize()).isEqualTo(Integer.MAX_VALUE);
        assertThat(consumer.assignors()).containsExactly("uniform", "range");
        assertThat(GroupCoordinatorConfigs.consumerProtocolEnabled(defaults)).isTrue();
        assertThat(defaults.list("group.coordinator.rebalance.protocols"))
                .containsExactly("classic", "consumer", "streams");
        GroupCoordinatorConfigs.validate(defaults);
    }

    @Test
    void assignorsByNameOrKafkasClassNameInTheGivenOrder() {
        assertThat(GroupCoordinatorConfigs.consumerGroups(config(Map.of("group.consumer.assignors",
                "org.apache.kafka.coordinator.group.assignor.RangeAssignor,uniform"))).assignors())
                .containsExactly("range", "uniform");
        assertThatThrownBy(() -> GroupCoordinatorConfigs.consumerGroups(config(Map.of("group.consumer.assignors",
                "com.example.Sticky")))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("group.consumer.assignors").hasMessageContaining("com.example.Sticky");
        assertThatThrownBy(() -> GroupCoordinatorConfigs.consumerGroups(config(Map.of("group.consumer.assignors",
                "range,org.apache.kafka.coordinator.group.assignor.RangeAssignor"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("twice");
        assertThatThrownBy(() -> config(Map.of("group.consumer.assignors", ""))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("group.consumer.assignors");
    }

    @Test
    void shortTimersNeedLowerBoundsAsOnKafka() {
        Map<String, String> shortTimers = Map.of("group.consumer.heartbeat.interval.ms", "500",
                "group.consumer.session.timeout.ms", "6000");
        assertThatThrownBy(() -> GroupCoordinatorConfigs.validate(config(shortTimers)))
                .isInstanceOf(ConfigException.class).hasMessage("Invalid value 500 for configuration "
                        + "group.consumer.heartbeat.interval.ms: group.consumer.heartbeat.interval.ms must be greater "
                        + "than or equal to group.consumer.min.heartbeat.interval.ms");
        Map<String, String> withBounds = new HashMap<>(shortTimers);
        withBounds.putAll(Map.of("group.consumer.min.heartbeat.interval.ms", "500",
                "group.consumer.min.session.timeout.ms", "6000"));
        ConsumerGroupConfig consumer = GroupCoordinatorConfigs.consumerGroups(config(withBounds));
        assertThat(List.of(consumer.heartbeatIntervalMs(), consumer.sessionTimeoutMs())).containsExactly(500, 6000);
    }

    @Test
    void eachCheckNamesItsKey() {
        Map<Map<String, String>, String> cases = Map.of(
                Map.of("group.consumer.min.heartbeat.interval.ms", "20000"),
                "group.consumer.max.heartbeat.interval.ms must be greater than or equal to "
                        + "group.consumer.min.heartbeat.interval.ms",
                Map.of("group.consumer.heartbeat.interval.ms", "16000"),
                "group.consumer.heartbeat.interval.ms must be less than or equal to "
                        + "group.consumer.max.heartbeat.interval.ms",
                Map.of("group.consumer.max.session.timeout.ms", "40000"),
                "group.consumer.max.session.timeout.ms must be greater than or equal to "
                        + "group.consumer.min.session.timeout.ms",
                Map.of("group.consumer.session.timeout.ms", "70000"),
                "group.consumer.session.timeout.ms must be less than or equal to "
                        + "group.consumer.max.session.timeout.ms",
                Map.of("group.consumer.session.timeout.ms", "5000", "group.consumer.min.session.timeout.ms", "5000",
                        "group.consumer.heartbeat.interval.ms", "5000"),
                "group.consumer.heartbeat.interval.ms must be less than group.consumer.session.timeout.ms",
                Map.of("group.coordinator.rebalance.protocols", "consumer"),
                "Disabling the 'classic' protocol is not supported.");
        cases.forEach((settings, message) -> assertThatThrownBy(() -> GroupCoordinatorConfigs.validate(
                config(settings))).as("%s", settings).isInstanceOf(ConfigException.class)
                .hasMessageContaining(message).hasMessageNotContaining("\n"));
        assertThat(GroupCoordinatorConfigs.consumerProtocolEnabled(config(Map.of(
                "group.coordinator.rebalance.protocols", "classic")))).isFalse();
    }
}
