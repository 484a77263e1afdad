package io.fjord.broker.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The semantics of IncrementalAlterConfigs operations on one resource's stored overrides: SET replaces, DELETE
 * removes (back to the default), APPEND adds list items not yet present, SUBTRACT removes list items. APPEND and
 * SUBTRACT start from the stored override or, when there is none, the config's default. Values are not validated
 * here; validate the result (e.g. {@link ConfigResolver#validateTopicConfigs}). Stateless and thread-safe.
 */
public final class IncrementalAlterConfigs {
    private IncrementalAlterConfigs() {
    }

    /**
     * The outcome: the new overrides, or an error. Immutable.
     *
     * @param configs the overrides after the operations (null on error)
     * @param error   the error (null on success)
     */
    public record Outcome(Map<String, String> configs, ConfigApiError error) {
        public Outcome {
            configs = configs == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(configs));
        }

        public boolean isError() {
            return error != null;
        }
    }

    /** Applies {@code operations} to a topic's overrides. */
    public static Outcome applyToTopic(Map<String, String> existing, List<AlterConfigOperation> operations) {
        return apply(existing, operations, TopicConfigs::definition, "topic");
    }

    /**
     * Applies {@code operations} to a broker resource's dynamic configs. APPEND and SUBTRACT are refused with the
     * messages of Kafka's broker-side check rather than the topic ones.
     */
    public static Outcome applyToBroker(Map<String, String> existing, List<AlterConfigOperation> operations) {
        Optional<ConfigApiError> malformed = checkOperations(operations);
        if (malformed.isPresent()) {
            return error(malformed.get());
        }
        for (AlterConfigOperation operation : operations) {
            if (operation.type() == AlterConfigOperation.Type.APPEND
                    || operation.type() == AlterConfigOperation.Type.SUBTRACT) {
                Optional<ConfigDefinition> definition = BrokerConfigs.definition(operation.name());
                if (definition.isEmpty()) {
                    return error(ConfigApiError.invalidConfig("Unknown config name: " + operation.name()));
                }
                if (definition.get().type() != ConfigType.LIST) {
                    String verb = operation.type() == AlterConfigOperation.Type.APPEND ? "append" : "subtract";
                    return error(ConfigApiError.invalidConfig("Config value " + verb
                            + " is not allowed for config key: " + operation.name()));
                }
            }
        }
        return apply(existing, operations, BrokerConfigs::definition, "broker");
    }

    /**
     * Applies {@code operations} to a group's overrides. Kafka 4.4 refuses APPEND and SUBTRACT on every group config,
     * its one list (streams.rack.aware.assignment.tags) included, with INVALID_CONFIG.
     */
    public static Outcome applyToGroup(Map<String, String> existing, List<AlterConfigOperation> operations) {
        Optional<ConfigApiError> malformed = checkOperations(operations);
        if (malformed.isPresent()) {
            return error(malformed.get());
        }
        for (AlterConfigOperation operation : operations) {
            if (operation.type() == AlterConfigOperation.Type.APPEND
                    || operation.type() == AlterConfigOperation.Type.SUBTRACT) {
                return error(ConfigApiError.invalidConfig("Can't " + operation.type() + " to key "
                        + operation.name() + " because its type is not LIST."));
            }
        }
        return apply(existing, operations, GroupConfigs::definition, "group");
    }

    /** Kafka's checks of the operations themselves: no key twice, a value for everything but DELETE. */
    public static Optional<ConfigApiError> checkOperations(List<AlterConfigOperation> operations) {
        Set<String> seen = new HashSet<>();
        List<String> nullValued = new ArrayList<>();
        for (AlterConfigOperation operation : operations) {
            if (!seen.add(operation.name())) {
                return Optional.of(ConfigApiError.invalidRequest("Error due to duplicate config keys"));
            }
            if (operation.type() != AlterConfigOperation.Type.DELETE && operation.value() == null) {
                nullValued.add(operation.name());
            }
        }
        if (!nullValued.isEmpty()) {
            return Optional.of(ConfigApiError.invalidRequest("Null value not supported for : "
                    + String.join(", ", nullValued)));
        }
        return Optional.empty();
    }

    /**
     * Applies {@code operations} in order to a copy of {@code existing}.
     *
     * @param definitions the definitions of the resource's configs
     * @param resourceKind "topic" or "broker", for messages
     */
    public static Outcome apply(Map<String, String> existing, List<AlterConfigOperation> operations,
                                Function<String, Optional<ConfigDefinition>> definitions, String resourceKind) {
        Optional<ConfigApiError> malformed = checkOperations(operations);
        if (malformed.isPresent()) {
            return error(malformed.get());
        }
        Map<String, String> result = new LinkedHashMap<>(existing);
        for (AlterConfigOperation operation : operations) {
            String name = operation.name();
            Optional<ConfigDefinition> definition = definitions.apply(name);
            switch (operation.type()) {
                case SET -> result.put(name, operation.value());
                case DELETE -> result.remove(name);
                case APPEND, SUBTRACT -> {
                    if (definition.isEmpty()) {
                        return error(ConfigApiError.invalidConfig("Unknown " + resourceKind + " config name: "
                                + name));
                    }
                    if (definition.get().type() != ConfigType.LIST) {
                        return error(ConfigApiError.invalidConfig("Can't " + operation.type() + " to key " + name
                                + " because its type is not LIST."));
                    }
                    String current = result.containsKey(name) ? result.get(name) : definition.get().defaultValue();
                    List<String> items = new ArrayList<>(split(current));
                    for (String item : split(operation.value())) {
                        if (operation.type() == AlterConfigOperation.Type.APPEND) {
                            if (!items.contains(item)) {
                                items.add(item);
                            }
                        } else {
                            items.removeIf(item::equals);
                        }
                    }
                    result.put(name, String.join(",", items));
                }
                default -> throw new IllegalStateException("unhandled " + operation.type());
            }
        }
        return new Outcome(result, null);
    }

    private static Outcome error(ConfigApiError error) {
        return new Outcome(null, error);
    }

    private static List<String> split(String value) {
        List<String> items = new ArrayList<>();
        if (value == null || value.isBlank()) {
            return items;
        }
        for (String item : value.split(",")) {
            if (!item.trim().isEmpty()) {
                items.add(item.trim());
            }
        }
        return items;
    }
}
