package io.fjord.broker.coordinator.driver;

import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.config.ConfigException;
import io.fjord.broker.coordinator.group.ConsumerGroupConfig;
import io.fjord.broker.coordinator.group.GroupCoordinatorConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads the group coordinator's settings from the broker config (Kafka's names) and makes Kafka's start-up checks
 * across them: a bad combination raises a one-line {@link ConfigException} naming the key. Stateless.
 */
public final class GroupCoordinatorConfigs {
    /** Kafka's fixed wait for a new member's JoinGroup during a rebalance (5 minutes). */
    private static final int NEW_MEMBER_JOIN_TIMEOUT_MS = 300_000;
    /** Fjord's bound on a subscription regular expression (Java's engine backtracks; see TopicRegex). */
    private static final int MAX_REGEX_LENGTH = 1_000;
    /** Kafka's built-in assignors' class names, which {@code group.consumer.assignors} may give instead of names. */
    private static final Map<String, String> ASSIGNOR_CLASSES = Map.of(
            "org.apache.kafka.coordinator.group.assignor.UniformAssignor", "uniform",
            "org.apache.kafka.coordinator.group.assignor.RangeAssignor", "range");
    private static final String PROTOCOLS = "group.coordinator.rebalance.protocols";

    private GroupCoordinatorConfigs() {
    }

    public static GroupCoordinatorConfig from(BrokerConfig config) {
        return new GroupCoordinatorConfig(config.intValue("group.min.session.timeout.ms"),
                config.intValue("group.max.session.timeout.ms"),
                config.intValue("group.initial.rebalance.delay.ms"), config.intValue("group.max.size"),
                config.intValue("offset.metadata.max.bytes"),
                config.longValue("offsets.retention.minutes") * 60_000L,
                config.longValue("offsets.retention.check.interval.ms"), NEW_MEMBER_JOIN_TIMEOUT_MS);
    }

    /**
     * The KIP-848 settings, after Kafka's checks in Kafka's order: heartbeat interval bounds, session timeout bounds,
     * the heartbeat interval below the session timeout; assignors by name ({@code uniform}, {@code range}) or
     * Kafka's class names for them.
     */
    public static ConsumerGroupConfig consumerGroups(BrokerConfig config) {
        int heartbeatMs = config.intValue("group.consumer.heartbeat.interval.ms");
        int minHeartbeatMs = config.intValue("group.consumer.min.heartbeat.interval.ms");
        int maxHeartbeatMs = config.intValue("group.consumer.max.heartbeat.interval.ms");
        int sessionMs = config.intValue("group.consumer.session.timeout.ms");
        int minSessionMs = config.intValue("group.consumer.min.session.timeout.ms");
        int maxSessionMs = config.intValue("group.consumer.max.session.timeout.ms");
        atLeast("group.consumer.max.heartbeat.interval.ms", maxHeartbeatMs,
                "group.consumer.min.heartbeat.interval.ms", minHeartbeatMs);
        atLeast("group.consumer.heartbeat.interval.ms", heartbeatMs,
                "group.consumer.min.heartbeat.interval.ms", minHeartbeatMs);
        atMost("group.consumer.heartbeat.interval.ms", heartbeatMs,
                "group.consumer.max.heartbeat.interval.ms", maxHeartbeatMs);
        atLeast("group.consumer.max.session.timeout.ms", maxSessionMs,
                "group.consumer.min.session.timeout.ms", minSessionMs);
        atLeast("group.consumer.session.timeout.ms", sessionMs,
                "group.consumer.min.session.timeout.ms", minSessionMs);
        atMost("group.consumer.session.timeout.ms", sessionMs,
                "group.consumer.max.session.timeout.ms", maxSessionMs);
        if (heartbeatMs >= sessionMs) {
            throw new ConfigException("group.consumer.heartbeat.interval.ms", heartbeatMs,
                    "group.consumer.heartbeat.interval.ms must be less than group.consumer.session.timeout.ms");
        }
        return new ConsumerGroupConfig(heartbeatMs, sessionMs, config.intValue("group.consumer.max.size"),
                assignors(config.list("group.consumer.assignors")), MAX_REGEX_LENGTH,
                config.intValue("group.consumer.settling.heartbeat.interval.ms"));
    }

    /** Whether {@code group.coordinator.rebalance.protocols} enables KIP-848 consumer groups. */
    public static boolean consumerProtocolEnabled(BrokerConfig config) {
        return protocols(config).contains("consumer");
    }

    /** Every start-up check of the group settings (Kafka refuses to start on any of them). */
    public static void validate(BrokerConfig config) {
        protocols(config);
        from(config);
        consumerGroups(config);
    }

    private static List<String> protocols(BrokerConfig config) {
        List<String> protocols = config.list(PROTOCOLS);
        if (!protocols.contains("classic")) {
            throw new ConfigException(PROTOCOLS, String.join(",", protocols),
                    "Disabling the 'classic' protocol is not supported.");
        }
        return protocols;
    }

    private static List<String> assignors(List<String> configured) {
        List<String> names = new ArrayList<>();
        for (String assignor : configured) {
            String name = ASSIGNOR_CLASSES.getOrDefault(assignor, assignor);
            if (!ConsumerGroupConfig.KNOWN_ASSIGNORS.contains(name)) {
                throw new ConfigException("group.consumer.assignors", assignor,
                        "unknown assignor; Fjord has " + String.join(", ", ConsumerGroupConfig.KNOWN_ASSIGNORS)
                                + " (or Kafka's class names for them)");
            }
            if (names.contains(name)) {
                throw new ConfigException("group.consumer.assignors", String.join(",", configured),
                        "names the assignor " + name + " twice");
            }
            names.add(name);
        }
        return names;
    }

    private static void atLeast(String key, int value, String boundKey, int bound) {
        if (value < bound) {
            throw new ConfigException(key, value, key + " must be greater than or equal to " + boundKey);
        }
    }

    private static void atMost(String key, int value, String boundKey, int bound) {
        if (value > bound) {
            throw new ConfigException(key, value, key + " must be less than or equal to " + boundKey);
        }
    }
}
