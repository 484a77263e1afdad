package io.fjord.broker.coordinator.driver;

import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.coordinator.group.GroupCoordinatorConfig;

/** Reads the group coordinator's settings from the broker config (Kafka's names). Stateless. */
public final class GroupCoordinatorConfigs {
    /** Kafka's fixed wait for a new member's JoinGroup during a rebalance (5 minutes). */
    private static final int NEW_MEMBER_JOIN_TIMEOUT_MS = 300_000;

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
}
