package io.fjord.broker.coordinator.group;

import io.fjord.broker.config.ConfigException;

/**
 * The group coordinator's settings, by their Kafka names, with Kafka's defaults. Immutable.
 *
 * @param groupMinSessionTimeoutMs {@code group.min.session.timeout.ms}
 * @param groupMaxSessionTimeoutMs {@code group.max.session.timeout.ms}
 * @param groupInitialRebalanceDelayMs {@code group.initial.rebalance.delay.ms}: how long a new group waits for
 *        more members before its first generation
 * @param groupMaxSize {@code group.max.size}
 * @param offsetMetadataMaxBytes {@code offset.metadata.max.bytes}
 * @param offsetsRetentionMs {@code offsets.retention.minutes} in milliseconds
 * @param offsetsRetentionCheckIntervalMs {@code offsets.retention.check.interval.ms}
 * @param newMemberJoinTimeoutMs how long a new member's JoinGroup may wait in a rebalance (Kafka's fixed 5 minutes)
 */
public record GroupCoordinatorConfig(int groupMinSessionTimeoutMs, int groupMaxSessionTimeoutMs,
        int groupInitialRebalanceDelayMs, int groupMaxSize, int offsetMetadataMaxBytes, long offsetsRetentionMs,
        long offsetsRetentionCheckIntervalMs, int newMemberJoinTimeoutMs) {

    public GroupCoordinatorConfig {
        if (groupMinSessionTimeoutMs < 0 || groupMaxSessionTimeoutMs < groupMinSessionTimeoutMs) {
            throw new ConfigException("group.max.session.timeout.ms must be at least group.min.session.timeout.ms");
        }
        if (groupInitialRebalanceDelayMs < 0 || groupMaxSize < 1 || offsetMetadataMaxBytes < 0
                || offsetsRetentionMs < 1 || offsetsRetentionCheckIntervalMs < 1 || newMemberJoinTimeoutMs < 1) {
            throw new ConfigException("invalid group coordinator setting");
        }
    }

    public static GroupCoordinatorConfig defaults() {
        return new GroupCoordinatorConfig(6_000, 1_800_000, 3_000, Integer.MAX_VALUE, 4_096,
                10_080L * 60_000L, 600_000L, 300_000);
    }
}
