package io.fjord.broker.config;

/**
 * Kafka's "dynamic update mode" of a broker configuration, plus the mode of topic configurations. Immutable.
 */
public enum DynamicUpdateMode {
    /** Only {@code server.properties} sets it; a change needs a restart. */
    READ_ONLY,
    /** Can be changed at runtime for one broker. */
    PER_BROKER,
    /** Can be changed at runtime for one broker or as the cluster-wide default. */
    CLUSTER_WIDE,
    /** A topic config: every one can be overridden per topic at runtime. */
    PER_TOPIC;

    /** Whether AlterConfigs may change it without a restart. */
    public boolean isDynamic() {
        return this != READ_ONLY;
    }
}
