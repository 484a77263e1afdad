package io.fjord.broker;

import java.util.Map;

/**
 * The node's loggers and their levels, changed at runtime through Kafka's BROKER_LOGGER config resource (KIP-412).
 * Changes are not durable, as in Kafka: a restart goes back to the logging configuration file. Implementations are
 * thread-safe.
 */
public interface LoggerLevels {
    /** Kafka's name of the root logger. */
    String ROOT_LOGGER = "root";

    /** Every known logger (the root as {@link #ROOT_LOGGER}) with its effective level, sorted by name. */
    Map<String, String> effectiveLevels();

    boolean exists(String loggerName);

    /** Sets a logger's own level to one of Kafka's log levels (FATAL, ERROR, WARN, INFO, DEBUG, TRACE). */
    void setLevel(String loggerName, String level);

    /** Removes a logger's own level so that it inherits its parent's. Not for the root logger. */
    void unsetLevel(String loggerName);

    /** No loggers: for nodes whose logging backend cannot be changed at runtime. */
    LoggerLevels NONE = new LoggerLevels() {
        @Override
        public Map<String, String> effectiveLevels() {
            return Map.of();
        }

        @Override
        public boolean exists(String loggerName) {
            return false;
        }

        @Override
        public void setLevel(String loggerName, String level) {
            throw new IllegalStateException("no logger " + loggerName);
        }

        @Override
        public void unsetLevel(String loggerName) {
            throw new IllegalStateException("no logger " + loggerName);
        }
    };
}
