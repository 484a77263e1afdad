package io.fjord.broker.config;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The static configuration of a node, read from a Kafka-style {@code server.properties}: every defined broker
 * configuration parsed to its type with Kafka's default when absent. Unknown keys are collected for a warning, not
 * rejected. Immutable and thread-safe.
 */
public final class BrokerConfig {
    private final Map<String, String> originals;
    private final Map<String, Object> values;
    private final List<String> unknownKeys;

    private BrokerConfig(Map<String, String> originals) {
        this.originals = Collections.unmodifiableMap(new TreeMap<>(originals));
        Map<String, Object> parsed = new HashMap<>();
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, String> entry : this.originals.entrySet()) {
            Optional<ConfigDefinition> definition = BrokerConfigs.definition(entry.getKey());
            if (definition.isPresent()) {
                parsed.put(entry.getKey(), definition.get().parse(entry.getValue()));
            } else if (!BrokerConfigs.isKnown(entry.getKey())) {
                unknown.add(entry.getKey());
            }
        }
        for (ConfigDefinition definition : BrokerConfigs.all()) {
            if (!parsed.containsKey(definition.name())) {
                if (definition.required()) {
                    throw new ConfigException("Missing required configuration \"" + definition.name()
                            + "\" which has no default value.");
                }
                Object defaultValue = definition.parsedDefault();
                if (defaultValue != null) {
                    parsed.put(definition.name(), defaultValue);
                }
            }
        }
        this.values = Collections.unmodifiableMap(parsed);
        this.unknownKeys = List.copyOf(unknown);
    }

    /**
     * Parses {@code server.properties} text.
     *
     * @throws ConfigException naming the first key whose value is malformed or out of range, or a missing required key
     */
    public static BrokerConfig parse(String propertiesText) {
        return fromProperties(load(new StringReader(propertiesText)));
    }

    /** Reads and parses a {@code server.properties} file. */
    public static BrokerConfig load(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return fromProperties(load(reader));
        }
    }

    public static BrokerConfig fromProperties(Properties properties) {
        Map<String, String> map = new HashMap<>();
        for (String name : properties.stringPropertyNames()) {
            map.put(name, properties.getProperty(name));
        }
        return fromMap(map);
    }

    public static BrokerConfig fromMap(Map<String, String> properties) {
        Map<String, String> trimmedKeys = new HashMap<>();
        properties.forEach((key, value) -> trimmedKeys.put(key.trim(), value));
        return new BrokerConfig(trimmedKeys);
    }

    private static Properties load(Reader reader) {
        Properties properties = new Properties();
        try {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("Cannot read the properties: " + e.getMessage());
        }
        return properties;
    }

    /** The keys and values as written, sorted by key. */
    public Map<String, String> originals() {
        return originals;
    }

    /** Keys that no Fjord broker configuration knows, sorted: to be warned about. */
    public List<String> unknownKeys() {
        return unknownKeys;
    }

    /** Whether the file sets {@code name}. */
    public boolean isSet(String name) {
        return originals.containsKey(name);
    }

    /** The typed value (Boolean, String, Integer, Short, Long, Double or List of String), or null when unset. */
    public Object value(String name) {
        if (!values.containsKey(name) && BrokerConfigs.definition(name).isEmpty()) {
            throw new IllegalArgumentException("Unknown broker configuration " + name);
        }
        return values.get(name);
    }

    public int intValue(String name) {
        return ((Number) required(name)).intValue();
    }

    public long longValue(String name) {
        return ((Number) required(name)).longValue();
    }

    public double doubleValue(String name) {
        return ((Number) required(name)).doubleValue();
    }

    public boolean booleanValue(String name) {
        return (Boolean) required(name);
    }

    /** The string value, or null when unset without a default. */
    public String string(String name) {
        Object value = value(name);
        return value == null ? null : String.valueOf(value);
    }

    @SuppressWarnings("unchecked")
    public List<String> list(String name) {
        Object value = value(name);
        return value == null ? List.of() : (List<String>) value;
    }

    private Object required(String name) {
        Object value = value(name);
        if (value == null) {
            throw new IllegalStateException(name + " is not set and has no default");
        }
        return value;
    }

    public int nodeId() {
        return intValue("node.id");
    }

    public List<String> processRoles() {
        return list("process.roles");
    }

    /** {@code listeners} as raw URIs, e.g. {@code PLAINTEXT://:9092}. */
    public List<String> listeners() {
        return list("listeners");
    }

    /** {@code advertised.listeners}, or {@code listeners} when not set, as Kafka does. */
    public List<String> advertisedListeners() {
        return value("advertised.listeners") == null ? listeners() : list("advertised.listeners");
    }

    public List<String> controllerListenerNames() {
        return list("controller.listener.names");
    }

    public String listenerSecurityProtocolMap() {
        return string("listener.security.protocol.map");
    }

    /** {@code inter.broker.listener.name}, or null when the listener follows security.inter.broker.protocol. */
    public String interBrokerListenerName() {
        return string("inter.broker.listener.name");
    }

    /** {@code log.dirs}, or {@code log.dir} when not set. */
    public List<String> logDirs() {
        return value("log.dirs") == null ? List.of(string("log.dir")) : list("log.dirs");
    }

    /** {@code metadata.log.dir}, or the first log directory when not set. */
    public String metadataLogDir() {
        String metadataLogDir = string("metadata.log.dir");
        return metadataLogDir != null ? metadataLogDir : logDirs().get(0);
    }

    public String brokerRack() {
        return string("broker.rack");
    }

    /**
     * The settings as written plus the Kafka default of {@code log.dir} when neither log.dir nor log.dirs is set, for
     * {@code LogManagerConfig.fromProperties} (whose own fallback directory differs from Kafka's).
     */
    public Map<String, String> logManagerProperties() {
        Map<String, String> result = new HashMap<>(originals);
        if (!isSet("log.dirs") && !isSet("log.dir")) {
            result.put("log.dir", string("log.dir"));
        }
        return result;
    }
}
