package io.fjord.broker.coordinator.group;

/**
 * The settings of each KIP-848 group: the coordinator's {@link ConsumerGroupConfig}, with the group's own
 * {@code consumer.session.timeout.ms} and {@code consumer.heartbeat.interval.ms} where its group configs set them
 * (Kafka's dynamic group configs, ConfigResource type GROUP). Implementations answer on the shard's thread and must be
 * deterministic between two changes the driver makes on that thread.
 */
@FunctionalInterface
public interface ConsumerGroupSettings {
    ConsumerGroupConfig forGroup(String groupId);

    /** Every group with the same settings. */
    static ConsumerGroupSettings fixed(ConsumerGroupConfig config) {
        return groupId -> config;
    }
}
