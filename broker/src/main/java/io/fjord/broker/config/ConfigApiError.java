package io.fjord.broker.config;

/**
 * An error to return in a config-related response (CreateTopics, AlterConfigs, IncrementalAlterConfigs), as a Kafka
 * error code and message. Immutable.
 *
 * @param errorCode Kafka's error code
 * @param message   the one-line message for the response's error message field
 */
public record ConfigApiError(short errorCode, String message) {
    /** Kafka's INVALID_CONFIG. */
    public static final short INVALID_CONFIG = 40;
    /** Kafka's INVALID_REQUEST. */
    public static final short INVALID_REQUEST = 42;

    public static ConfigApiError invalidConfig(String message) {
        return new ConfigApiError(INVALID_CONFIG, message);
    }

    public static ConfigApiError invalidRequest(String message) {
        return new ConfigApiError(INVALID_REQUEST, message);
    }
}
