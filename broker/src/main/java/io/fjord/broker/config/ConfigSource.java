package io.fjord.broker.config;

/** Where a described value comes from, with the ids of the DescribeConfigs {@code ConfigSource} field. Immutable. */
public enum ConfigSource {
    UNKNOWN(0),
    DYNAMIC_TOPIC_CONFIG(1),
    /** Kafka's logger configs; Fjord never reports it. */
    DYNAMIC_BROKER_LOGGER_CONFIG(2),
    DYNAMIC_BROKER_CONFIG(3),
    DYNAMIC_DEFAULT_BROKER_CONFIG(4),
    STATIC_BROKER_CONFIG(5),
    DEFAULT_CONFIG(6);

    private final byte id;

    ConfigSource(int id) {
        this.id = (byte) id;
    }

    public byte id() {
        return id;
    }
}
