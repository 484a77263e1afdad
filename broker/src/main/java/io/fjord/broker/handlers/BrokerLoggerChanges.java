package io.fjord.broker.handlers;

import io.fjord.broker.LoggerLevels;
import io.fjord.broker.config.AlterConfigOperation;
import io.fjord.broker.config.ConfigApiError;
import io.fjord.broker.config.IncrementalAlterConfigs;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * IncrementalAlterConfigs on Kafka's BROKER_LOGGER resource (KIP-412): the resource names this node, each operation
 * SETs a logger's level or DELETEs it (the logger then inherits), checked before any is applied, with Kafka's errors.
 * Levels are set at once and are not durable. Thread-safe when the logger levels are.
 */
final class BrokerLoggerChanges {
    /** Kafka's valid log levels, sorted as Kafka lists them in its error message. */
    static final List<String> LOG_LEVELS = List.of("DEBUG", "ERROR", "FATAL", "INFO", "TRACE", "WARN");
    private static final Set<String> VALID_LOG_LEVELS = Set.copyOf(LOG_LEVELS);

    private BrokerLoggerChanges() {
    }

    /**
     * Checks and, unless {@code validateOnly}, applies the operations.
     *
     * @return the error for the resource, or empty when all were (or would be) applied
     */
    static Optional<ConfigApiError> apply(int nodeId, String resourceName, List<AlterConfigOperation> operations,
                                          boolean validateOnly, LoggerLevels loggers) {
        Optional<ConfigApiError> malformed = IncrementalAlterConfigs.checkOperations(operations);
        if (malformed.isPresent()) {
            return malformed;
        }
        Optional<ConfigApiError> wrongNode = checkNodeId(nodeId, resourceName);
        if (wrongNode.isPresent()) {
            return wrongNode;
        }
        for (AlterConfigOperation operation : operations) {
            Optional<ConfigApiError> invalid = check(operation, loggers);
            if (invalid.isPresent()) {
                return invalid;
            }
        }
        if (!validateOnly) {
            for (AlterConfigOperation operation : operations) {
                if (operation.type() == AlterConfigOperation.Type.SET) {
                    loggers.setLevel(operation.name(), operation.value());
                } else {
                    loggers.unsetLevel(operation.name());
                }
            }
        }
        return Optional.empty();
    }

    /** Kafka's check that a BROKER_LOGGER resource names this node. */
    static Optional<ConfigApiError> checkNodeId(int nodeId, String resourceName) {
        int requested;
        try {
            requested = Integer.parseInt(resourceName);
        } catch (NumberFormatException e) {
            return Optional.of(ConfigApiError.invalidRequest("Node id must be an integer, but it is: "
                    + resourceName));
        }
        if (requested != nodeId) {
            return Optional.of(ConfigApiError.invalidRequest("Unexpected node id. Expected " + nodeId
                    + ", but received " + resourceName));
        }
        return Optional.empty();
    }

    private static Optional<ConfigApiError> check(AlterConfigOperation operation, LoggerLevels loggers) {
        String logger = operation.name();
        switch (operation.type()) {
            case SET -> {
                if (!loggers.exists(logger)) {
                    return Optional.of(ConfigApiError.invalidConfig("Logger " + logger + " does not exist!"));
                }
                if (!VALID_LOG_LEVELS.contains(operation.value())) {
                    return Optional.of(ConfigApiError.invalidConfig("Cannot set the log level of " + logger + " to "
                            + operation.value() + " as it is not a supported log level. Valid log levels are "
                            + String.join(", ", LOG_LEVELS)));
                }
            }
            case DELETE -> {
                if (!loggers.exists(logger)) {
                    return Optional.of(ConfigApiError.invalidConfig("Logger " + logger + " does not exist!"));
                }
                if (logger.equals(LoggerLevels.ROOT_LOGGER)) {
                    return Optional.of(ConfigApiError.invalidRequest("Removing the log level of the "
                            + LoggerLevels.ROOT_LOGGER + " logger is not allowed"));
                }
            }
            default -> {
                return Optional.of(ConfigApiError.invalidRequest(operation.type()
                        + " operation is not allowed for the BROKER_LOGGER resource"));
            }
        }
        return Optional.empty();
    }
}
