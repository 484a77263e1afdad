package io.fjord.broker.coordinator.group;

import io.fjord.broker.config.ConfigException;
import java.util.List;

/**
 * The settings of KIP-848 consumer groups, by their Kafka names, with Kafka's defaults. Immutable.
 *
 * @param heartbeatIntervalMs {@code group.consumer.heartbeat.interval.ms}: told to members in every heartbeat
 * @param sessionTimeoutMs {@code group.consumer.session.timeout.ms}: a member silent this long is removed
 * @param maxSize {@code group.consumer.max.size}
 * @param assignors {@code group.consumer.assignors}: the server-side assignors members may name, the first being
 *        the default; Fjord has {@code uniform} and {@code range}
 * @param maxRegexLength the longest subscription regular expression accepted (Fjord's limit: Java's regex engine
 *        backtracks where Kafka's RE2/J does not, so patterns are kept short)
 */
public record ConsumerGroupConfig(int heartbeatIntervalMs, int sessionTimeoutMs, int maxSize, List<String> assignors,
        int maxRegexLength) {
    public static final List<String> KNOWN_ASSIGNORS = List.of("uniform", "range");

    public ConsumerGroupConfig {
        assignors = List.copyOf(assignors);
        if (heartbeatIntervalMs < 1 || sessionTimeoutMs <= heartbeatIntervalMs || maxSize < 1
                || maxRegexLength < 1) {
            throw new ConfigException("invalid consumer group setting");
        }
        if (assignors.isEmpty() || !KNOWN_ASSIGNORS.containsAll(assignors)) {
            throw new ConfigException("group.consumer.assignors must name some of " + KNOWN_ASSIGNORS);
        }
    }

    public static ConsumerGroupConfig defaults() {
        return new ConsumerGroupConfig(5_000, 45_000, Integer.MAX_VALUE, KNOWN_ASSIGNORS, 1_000);
    }

    public String defaultAssignor() {
        return assignors.get(0);
    }
}
