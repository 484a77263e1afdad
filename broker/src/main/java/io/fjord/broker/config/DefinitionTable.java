package io.fjord.broker.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Collects definitions while a registry is built; not thread-safe, used only during class initialisation. */
final class DefinitionTable {
    private final Map<String, ConfigDefinition> definitions = new LinkedHashMap<>();
    private final DynamicUpdateMode defaultMode;

    DefinitionTable(DynamicUpdateMode defaultMode) {
        this.defaultMode = defaultMode;
    }

    DefinitionTable define(String name, ConfigType type, Object defaultValue, ConfigValidator validator,
                           Importance importance, String documentation) {
        return define(name, type, defaultValue, validator, importance, defaultMode, documentation);
    }

    DefinitionTable define(String name, ConfigType type, Object defaultValue, ConfigValidator validator,
                           Importance importance, DynamicUpdateMode mode, String documentation) {
        return add(ConfigDefinition.optional(name, type, defaultValue == null ? null : String.valueOf(defaultValue),
                validator, importance, mode, documentation));
    }

    DefinitionTable add(ConfigDefinition definition) {
        if (definitions.putIfAbsent(definition.name(), definition) != null) {
            throw new IllegalStateException("defined twice: " + definition.name());
        }
        return this;
    }

    Map<String, ConfigDefinition> build() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(definitions));
    }
}
