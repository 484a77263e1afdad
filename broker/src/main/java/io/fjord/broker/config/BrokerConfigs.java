package io.fjord.broker.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The broker configurations Fjord reads or that clients commonly describe, under Kafka's names and with Kafka's
 * defaults, allowed values and dynamic update modes. Also understands Kafka's listener-prefixed form
 * {@code listener.name.<listener>.<config>} (and {@code listener.name.<listener>.<mechanism>.<config>} for SASL).
 * Immutable and thread-safe.
 */
public final class BrokerConfigs {
    public static final String LISTENER_PREFIX = "listener.name.";

    private static final Map<String, ConfigDefinition> DEFINITIONS;

    /** Kafka's reconfigurable SSL configs: changeable at runtime only under a listener prefix. */
    private static final Set<String> LISTENER_ONLY_SECURITY_CONFIGS = Set.of("ssl.keystore.type",
            "ssl.keystore.location", "ssl.keystore.password", "ssl.key.password", "ssl.keystore.key",
            "ssl.keystore.certificate.chain", "ssl.truststore.type", "ssl.truststore.location",
            "ssl.truststore.password", "ssl.truststore.certificates");

    /** Kafka's listener-prefixed configs that may also be set as the cluster-wide default. */
    private static final Set<String> CLUSTER_LEVEL_LISTENER_CONFIGS = Set.of("max.connections",
            "max.connection.creation.rate", "num.network.threads");

    static {
        Map<String, ConfigDefinition> all = new TreeMap<>();
        for (Map<String, ConfigDefinition> part : List.of(ServerBrokerConfigs.DEFINITIONS,
                LogBrokerConfigs.DEFINITIONS)) {
            for (ConfigDefinition definition : part.values()) {
                if (all.put(definition.name(), definition) != null) {
                    throw new IllegalStateException("defined twice: " + definition.name());
                }
            }
        }
        for (ConfigDefinition topic : TopicConfigs.all()) {
            for (BrokerSynonym synonym : TopicConfigs.brokerSynonyms(topic.name())) {
                if (!all.containsKey(synonym.brokerConfigName())) {
                    throw new IllegalStateException("undefined broker synonym " + synonym.brokerConfigName());
                }
            }
        }
        DEFINITIONS = Collections.unmodifiableMap(all);
    }

    private BrokerConfigs() {
    }

    /** Every defined broker configuration, sorted by name. */
    public static Collection<ConfigDefinition> all() {
        return DEFINITIONS.values();
    }

    public static Set<String> names() {
        return DEFINITIONS.keySet();
    }

    /**
     * The definition of {@code name}; for a listener-prefixed name, the definition of the configuration it
     * overrides, renamed to {@code name} and changeable per broker (a listener's {@code max.connections},
     * {@code max.connection.creation.rate} and {@code num.network.threads} also as the cluster-wide default, as in
     * Kafka).
     */
    public static Optional<ConfigDefinition> definition(String name) {
        ConfigDefinition direct = DEFINITIONS.get(name);
        if (direct != null) {
            return Optional.of(direct);
        }
        return listenerOverridden(name).map(base -> new ConfigDefinition(name, base.type(), null, false,
                base.validator(), base.importance(), CLUSTER_LEVEL_LISTENER_CONFIGS.contains(base.name())
                ? DynamicUpdateMode.CLUSTER_WIDE : DynamicUpdateMode.PER_BROKER, base.documentation()));
    }

    /** Whether {@code server.properties} may hold {@code name} without a warning. */
    public static boolean isKnown(String name) {
        return DEFINITIONS.containsKey(name) || isListenerPrefixed(name);
    }

    /**
     * Whether {@code name} is an SSL store config without a listener prefix, which Kafka refuses to change
     * dynamically ("only per-listener using the listener prefix").
     */
    public static boolean isListenerOnlySecurityConfig(String name) {
        return LISTENER_ONLY_SECURITY_CONFIGS.contains(name);
    }

    public static boolean isListenerPrefixed(String name) {
        return name.startsWith(LISTENER_PREFIX) && name.indexOf('.', LISTENER_PREFIX.length()) > 0;
    }

    /** The base configuration a listener-prefixed name overrides, when Fjord defines it. */
    static Optional<ConfigDefinition> listenerOverridden(String name) {
        if (!isListenerPrefixed(name)) {
            return Optional.empty();
        }
        String rest = name.substring(name.indexOf('.', LISTENER_PREFIX.length()) + 1);
        ConfigDefinition base = DEFINITIONS.get(rest);
        if (base == null && rest.indexOf('.') > 0) {
            // listener.name.<listener>.<sasl mechanism>.<config>
            base = DEFINITIONS.get(rest.substring(rest.indexOf('.') + 1));
        }
        return Optional.ofNullable(base);
    }

    /**
     * Kafka's broker synonyms of {@code name}, in precedence order: a listener-prefixed name and its base config, or
     * the names that together set one topic default (e.g. {@code log.retention.ms}, {@code .minutes}, {@code .hours}),
     * or just {@code name}.
     */
    public static List<String> synonyms(String name) {
        if (isListenerPrefixed(name)) {
            List<String> result = new ArrayList<>(List.of(name));
            listenerOverridden(name).ifPresent(base -> result.add(base.name()));
            return List.copyOf(result);
        }
        for (String topicName : TopicConfigs.names()) {
            List<BrokerSynonym> synonyms = TopicConfigs.brokerSynonyms(topicName);
            if (synonyms.stream().anyMatch(synonym -> synonym.brokerConfigName().equals(name))) {
                return synonyms.stream().map(BrokerSynonym::brokerConfigName).toList();
            }
        }
        return List.of(name);
    }
}
