package io.fjord.broker.config;

/** Where a described value comes from, with the ids of the DescribeConfigs {@code ConfigSource} field. Immutable. */
public enum ConfigSource {
    UNKNOWN(0),
    /** Kafka calls it TOPIC_CONFIG: a topic's own override. */
    DYNAMIC_TOPIC_CONFIG(1),
    DYNAMIC_BROKER_CONFIG(2),
    DYNAMIC_DEFAULT_BROKER_CONFIG(3),
    STATIC_BROKER_CONFIG(4),
    DEFAULT_CONFIG(5),
    /** Kafka's logger configs: the levels of a BROKER_LOGGER resource. */
    DYNAMIC_BROKER_LOGGER_CONFIG(6),
    /** Kafka's GROUP_CONFIG (the Admin client's DYNAMIC_GROUP_CONFIG): a group's own override. */
    GROUP_CONFIG(8);

    private final byte id;

    ConfigSource(int id) {
        this.id = (byte) id;
    }

    public byte id() {
        return id;
    }
}
