package io.fjord.broker.config;

/**
 * Checks a parsed configuration value. Implementations are immutable and thread-safe. A null value (a configuration
 * whose default is null and which is not set) is never passed.
 */
public interface ConfigValidator {
    /**
     * @throws ConfigException naming {@code name} and {@code value} when the value is not allowed
     */
    void ensureValid(String name, Object value);

    /** The allowed values as Kafka's documentation prints them, e.g. {@code [1,...]}; empty when any value goes. */
    String describe();
}
