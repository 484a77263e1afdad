package io.fjord.broker.config;

/**
 * A configuration value that cannot be parsed or is out of range, or a required configuration that is missing. The
 * message is one line and, for a bad value, has Kafka's form {@code Invalid value V for configuration N: reason}.
 * Immutable.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String configName;

    /** A bad value: names the key and the value. */
    public ConfigException(String configName, Object value, String reason) {
        super(oneLine("Invalid value " + value + " for configuration " + configName
                + (reason == null ? "" : ": " + reason)));
        this.configName = configName;
    }

    /** Any other failure, with a message of its own. */
    public ConfigException(String message) {
        super(oneLine(message));
        this.configName = null;
    }

    /** The configuration at fault, or null when the failure is not about one key. */
    public String configName() {
        return configName;
    }

    private static String oneLine(String text) {
        return text.replace("\r", " ").replace("\n", " ");
    }
}
