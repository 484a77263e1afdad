package io.fjord.broker.config;

import java.util.Objects;

/**
 * One configuration as Kafka documents it: name, type, default, allowed values, importance, dynamic update mode and a
 * one-line description. Immutable and thread-safe.
 *
 * @param name          the Kafka name
 * @param type          the value type
 * @param defaultValue  the default as Kafka prints it, or null when the default is null (or there is none)
 * @param required      whether a value must be given ({@code server.properties} fails without one)
 * @param validator     the allowed values
 * @param importance    Kafka's importance
 * @param updateMode    whether and where it can change at runtime
 * @param documentation a one-line description
 */
public record ConfigDefinition(String name, ConfigType type, String defaultValue, boolean required,
                               ConfigValidator validator, Importance importance, DynamicUpdateMode updateMode,
                               String documentation) {

    public ConfigDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(validator, "validator");
        Objects.requireNonNull(importance, "importance");
        Objects.requireNonNull(updateMode, "updateMode");
        Objects.requireNonNull(documentation, "documentation");
        if (defaultValue != null) {
            // A definition whose own default is invalid is a programming error; fail at class loading.
            validator.ensureValid(name, type.parse(name, defaultValue));
        }
    }

    /** A definition with a default (possibly null) that need not be set. */
    public static ConfigDefinition optional(String name, ConfigType type, String defaultValue,
                                            ConfigValidator validator, Importance importance,
                                            DynamicUpdateMode updateMode, String documentation) {
        return new ConfigDefinition(name, type, defaultValue, false, validator, importance, updateMode,
                documentation);
    }

    /** A definition without a default that must be set. */
    public static ConfigDefinition mandatory(String name, ConfigType type, ConfigValidator validator,
                                             Importance importance, String documentation) {
        return new ConfigDefinition(name, type, null, true, validator, importance, DynamicUpdateMode.READ_ONLY,
                documentation);
    }

    /** Passwords and other secrets: their values are never described. */
    public boolean sensitive() {
        return type == ConfigType.PASSWORD;
    }

    /** Whether AlterConfigs cannot change it. */
    public boolean readOnly() {
        return !updateMode.isDynamic();
    }

    /**
     * The typed, validated value of {@code raw}.
     *
     * @throws ConfigException naming this configuration and the value
     */
    public Object parse(String raw) {
        Object value = type.parse(name, raw);
        validator.ensureValid(name, value);
        return value;
    }

    /** The typed default, or null. */
    public Object parsedDefault() {
        return defaultValue == null ? null : type.parse(name, defaultValue);
    }

    /** {@code raw} parsed, validated and printed back in Kafka's form (e.g. {@code " 0.50 "} becomes "0.5"). */
    public String normalize(String raw) {
        return type.format(parse(raw));
    }

    /** Kafka's "Valid Values" column. */
    public String validValues() {
        return validator.describe();
    }
}
