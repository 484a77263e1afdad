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
 * @param settlingHeartbeatIntervalMs {@code group.consumer.settling.heartbeat.interval.ms} (Fjord's, not Kafka's): the
 *        shorter interval told to members while their group settles (see {@link #heartbeatIntervalMs(boolean)})
 */
public record ConsumerGroupConfig(int heartbeatIntervalMs, int sessionTimeoutMs, int maxSize, List<String> assignors,
        int maxRegexLength, int settlingHeartbeatIntervalMs) {
    public static final List<String> KNOWN_ASSIGNORS = List.of("uniform", "range");

    public ConsumerGroupConfig {
        assignors = List.copyOf(assignors);
        if (heartbeatIntervalMs < 1 || sessionTimeoutMs <= heartbeatIntervalMs || maxSize < 1
                || maxRegexLength < 1 || settlingHeartbeatIntervalMs < 1) {
            throw new ConfigException("invalid consumer group setting");
        }
        if (assignors.isEmpty() || !KNOWN_ASSIGNORS.containsAll(assignors)) {
            throw new ConfigException("group.consumer.assignors must name some of " + KNOWN_ASSIGNORS);
        }
    }

    public static ConsumerGroupConfig defaults() {
        return new ConsumerGroupConfig(5_000, 45_000, Integer.MAX_VALUE, KNOWN_ASSIGNORS, 1_000, 500);
    }

    /**
     * The interval a heartbeat response tells a member. A member learns of a new target assignment, or that another
     * member released a partition it waits for, only at its next heartbeat; so while its group settles (not Stable,
     * or its target assignment was computed within the last full interval) the coordinator asks for heartbeats every
     * {@code settlingHeartbeatIntervalMs}, and for the configured interval once the group is quiet. Kafka always
     * answers with the configured interval; setting both to the same value gives Kafka's behaviour.
     */
    public int heartbeatIntervalMs(boolean settling) {
        return settling ? Math.min(settlingHeartbeatIntervalMs, heartbeatIntervalMs) : heartbeatIntervalMs;
    }

    /**
     * These settings with a group's own session timeout and heartbeat interval (null: keep this one's). A pair that
     * is no longer consistent (the session not above the interval, after the broker's defaults changed) is ignored.
     */
    public ConsumerGroupConfig withGroupTimeouts(Integer groupSessionTimeoutMs, Integer groupHeartbeatIntervalMs) {
        int session = groupSessionTimeoutMs != null ? groupSessionTimeoutMs : sessionTimeoutMs;
        int heartbeat = groupHeartbeatIntervalMs != null ? groupHeartbeatIntervalMs : heartbeatIntervalMs;
        boolean unchanged = session == sessionTimeoutMs && heartbeat == heartbeatIntervalMs;
        if (heartbeat < 1 || session <= heartbeat || unchanged) {
            return this;
        }
        return new ConsumerGroupConfig(heartbeat, session, maxSize, assignors, maxRegexLength,
                settlingHeartbeatIntervalMs);
    }

    public String defaultAssignor() {
        return assignors.get(0);
    }
}
