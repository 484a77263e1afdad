package io.fjord.broker.config;

import io.fjord.broker.config.DescribedConfig.Synonym;
import io.fjord.storage.LogConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves effective configuration values from Kafka's layers, highest precedence first: a topic's overrides, this
 * broker's dynamic configs, the cluster-wide dynamic broker defaults, {@code server.properties}, and the built-in
 * defaults. Answers DescribeConfigs for topics and brokers, validates topic configs for CreateTopics and AlterConfigs,
 * and builds a topic's storage {@link LogConfig}. Immutable and thread-safe when the maps given are not changed
 * afterwards (they are copied); the effective topic configs it has resolved are remembered in a concurrent, bounded
 * cache, which changes no answer.
 */
public final class ConfigResolver {
    /** Distinct override sets whose effective topic configs are remembered; past this the cache starts again. */
    static final int EFFECTIVE_TOPIC_CONFIGS_CACHED_MAX = 1024;

    private final BrokerConfig staticConfig;
    private final Map<String, String> dynamicBrokerConfigs;
    private final Map<String, String> dynamicDefaultConfigs;
    /**
     * Effective topic configs by the overrides they were resolved for. A produce request needs them for its topic,
     * and resolving some 40 values (parsing and formatting each broker synonym) per request cost about a sixth of a
     * produce's handling time; a resolver lives as long as the dynamic broker configs it was made with.
     */
    private final Map<Map<String, String>, Map<String, String>> effectiveTopicConfigsCache = new ConcurrentHashMap<>();

    /**
     * @param staticConfig          the node's {@code server.properties}
     * @param dynamicBrokerConfigs  dynamic configs of this broker (resource name = node id)
     * @param dynamicDefaultConfigs dynamic cluster-wide broker defaults (resource name empty)
     */
    public ConfigResolver(BrokerConfig staticConfig, Map<String, String> dynamicBrokerConfigs,
                          Map<String, String> dynamicDefaultConfigs) {
        this.staticConfig = staticConfig;
        this.dynamicBrokerConfigs = Map.copyOf(dynamicBrokerConfigs);
        this.dynamicDefaultConfigs = Map.copyOf(dynamicDefaultConfigs);
    }

    /** A resolver without dynamic broker configs. */
    public static ConfigResolver ofStatic(BrokerConfig staticConfig) {
        return new ConfigResolver(staticConfig, Map.of(), Map.of());
    }

    /** This resolver's static config under other dynamic broker configs (e.g. those of a newer metadata image). */
    public ConfigResolver withDynamic(Map<String, String> dynamicBrokerConfigs,
                                      Map<String, String> dynamicDefaultConfigs) {
        return new ConfigResolver(staticConfig, dynamicBrokerConfigs, dynamicDefaultConfigs);
    }

    // ----- topics -----

    /** DescribeConfigs of a topic: every topic config, sorted by name, with Kafka's sources and synonyms. */
    public List<DescribedConfig> describeTopic(Map<String, String> topicOverrides) {
        List<DescribedConfig> result = new ArrayList<>();
        for (ConfigDefinition definition : TopicConfigs.all()) {
            result.add(describeTopicConfig(definition, topicOverrides));
        }
        return result;
    }

    private DescribedConfig describeTopicConfig(ConfigDefinition definition, Map<String, String> topicOverrides) {
        String name = definition.name();
        List<Synonym> synonyms = new ArrayList<>();
        String override = topicOverrides.get(name);
        if (override != null) {
            synonyms.add(new Synonym(name, override, ConfigSource.DYNAMIC_TOPIC_CONFIG));
        }
        for (BrokerSynonym brokerSynonym : TopicConfigs.brokerSynonyms(name)) {
            synonyms.addAll(brokerLayers(brokerSynonym.brokerConfigName()));
        }
        String value = override != null ? normalizeLeniently(definition, override) : topicDefault(definition);
        ConfigSource source = synonyms.isEmpty() ? ConfigSource.DEFAULT_CONFIG : synonyms.get(0).source();
        return new DescribedConfig(name, value, source, false, definition.sensitive(), definition.type(), synonyms,
                definition.documentation());
    }

    /**
     * Every topic config's effective value for a topic with these overrides, sorted by name; unmodifiable, and the
     * same map for equal overrides while it stays cached.
     */
    public Map<String, String> effectiveTopicConfigs(Map<String, String> topicOverrides) {
        Map<String, String> cached = effectiveTopicConfigsCache.get(topicOverrides);
        if (cached != null) {
            return cached;
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (ConfigDefinition definition : TopicConfigs.all()) {
            String override = topicOverrides.get(definition.name());
            result.put(definition.name(), override != null ? normalizeLeniently(definition, override)
                    : topicDefault(definition));
        }
        Map<String, String> effective = Collections.unmodifiableMap(result);
        if (effectiveTopicConfigsCache.size() >= EFFECTIVE_TOPIC_CONFIGS_CACHED_MAX) {
            effectiveTopicConfigsCache.clear(); // many distinct override sets: keep the memory bounded
        }
        // A copy as the key: the caller's map may change later (HashMap, since overrides may hold null values).
        effectiveTopicConfigsCache.put(new HashMap<>(topicOverrides), effective);
        return effective;
    }

    /** How many override sets have their effective configs remembered; for tests. */
    int cachedEffectiveTopicConfigs() {
        return effectiveTopicConfigsCache.size();
    }

    /**
     * The value a topic without an override gets: the first of its broker synonyms that is set in any layer, unit
     * converted, else the first broker synonym's default, else the topic config's own default.
     */
    public String topicDefault(ConfigDefinition topicDefinition) {
        List<BrokerSynonym> synonyms = TopicConfigs.brokerSynonyms(topicDefinition.name());
        for (BrokerSynonym synonym : synonyms) {
            String raw = brokerValue(synonym.brokerConfigName());
            if (raw != null) {
                return convert(topicDefinition, synonym, raw);
            }
        }
        for (BrokerSynonym synonym : synonyms) {
            String defaultValue = BrokerConfigs.definition(synonym.brokerConfigName()).orElseThrow().defaultValue();
            if (defaultValue != null) {
                return convert(topicDefinition, synonym, defaultValue);
            }
        }
        return topicDefinition.defaultValue();
    }

    private static String convert(ConfigDefinition topicDefinition, BrokerSynonym synonym, String raw) {
        ConfigDefinition broker = BrokerConfigs.definition(synonym.brokerConfigName()).orElseThrow();
        Object parsed;
        try {
            parsed = broker.parse(raw);
        } catch (ConfigException e) {
            return raw; // dynamic values are validated when set; a bad one is shown as stored
        }
        if (synonym.millisecondsPerUnit() == 1) {
            return broker.type().format(parsed);
        }
        long amount = ((Number) parsed).longValue();
        long millis;
        try {
            millis = Math.multiplyExact(amount, synonym.millisecondsPerUnit());
        } catch (ArithmeticException e) {
            millis = amount < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        // As in Kafka, any negative retention means unlimited.
        if (topicDefinition.name().equals(TopicConfigs.RETENTION_MS) && millis < 0) {
            millis = -1;
        }
        return Long.toString(millis);
    }

    private static String normalizeLeniently(ConfigDefinition definition, String raw) {
        try {
            return definition.normalize(raw);
        } catch (ConfigException e) {
            return raw;
        }
    }

    /**
     * Checks topic configs as CreateTopics and AlterConfigs do: every name must be a topic config and every value
     * valid, and min.compaction.lag.ms may not exceed max.compaction.lag.ms.
     *
     * @return Kafka's INVALID_CONFIG error for the first problem, or empty when all is well
     */
    public Optional<ConfigApiError> validateTopicConfigs(Map<String, String> configs) {
        List<String> nullValued = new ArrayList<>();
        for (Map.Entry<String, String> entry : new TreeMap<>(configs).entrySet()) {
            if (!TopicConfigs.isKnown(entry.getKey())) {
                return Optional.of(ConfigApiError.invalidConfig("Unknown topic config name: " + entry.getKey()));
            }
            if (entry.getValue() == null) {
                nullValued.add(entry.getKey());
            }
        }
        if (!nullValued.isEmpty()) {
            return Optional.of(ConfigApiError.invalidConfig("Null value not supported for topic configs: "
                    + String.join(",", nullValued)));
        }
        Map<String, Object> parsed = new HashMap<>();
        for (Map.Entry<String, String> entry : new TreeMap<>(configs).entrySet()) {
            try {
                parsed.put(entry.getKey(), TopicConfigs.definition(entry.getKey()).orElseThrow()
                        .parse(entry.getValue()));
            } catch (ConfigException e) {
                return Optional.of(ConfigApiError.invalidConfig(e.getMessage()));
            }
        }
        Map<String, String> effective = effectiveTopicConfigs(configs);
        long minLag = Long.parseLong(effective.get(TopicConfigs.MIN_COMPACTION_LAG_MS));
        long maxLag = Long.parseLong(effective.get(TopicConfigs.MAX_COMPACTION_LAG_MS));
        if (minLag > maxLag) {
            return Optional.of(ConfigApiError.invalidConfig("conflict topic config setting "
                    + TopicConfigs.MIN_COMPACTION_LAG_MS + " (" + minLag + ") > " + TopicConfigs.MAX_COMPACTION_LAG_MS
                    + " (" + maxLag + ")"));
        }
        return Optional.empty();
    }

    /**
     * The storage settings of a topic with these overrides. An empty cleanup.policy (Kafka 4's "retain forever")
     * becomes delete with unlimited retention, which deletes nothing.
     *
     * @throws ConfigException when a value is invalid or the storage layer cannot take it
     */
    public LogConfig logConfig(Map<String, String> topicOverrides) {
        Map<String, String> effective = effectiveTopicConfigs(topicOverrides);
        Map<String, String> storage = new HashMap<>();
        for (String name : LogConfig.names()) {
            storage.put(name, effective.get(name));
        }
        if (effective.get(TopicConfigs.CLEANUP_POLICY).isBlank()) {
            storage.put(TopicConfigs.CLEANUP_POLICY, "delete");
            storage.put(TopicConfigs.RETENTION_MS, "-1");
            storage.put("retention.bytes", "-1");
        }
        try {
            return LogConfig.defaults().with(storage);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    // ----- groups -----

    /**
     * DescribeConfigs of a group: every described group config, sorted by name; a value comes from the group's
     * override, else from its broker setting ({@code group.consumer.session.timeout.ms}, ...) in the broker's layers,
     * else Kafka's default, with those places as synonyms.
     */
    public List<DescribedConfig> describeGroup(Map<String, String> groupOverrides) {
        List<DescribedConfig> result = new ArrayList<>();
        for (ConfigDefinition definition : GroupConfigs.described()) {
            String name = definition.name();
            List<Synonym> synonyms = new ArrayList<>();
            String override = groupOverrides.get(name);
            if (override != null) {
                synonyms.add(new Synonym(name, normalizeLeniently(definition, override),
                        ConfigSource.GROUP_CONFIG));
            }
            String brokerName = GroupConfigs.brokerSynonym(name);
            if (BrokerConfigs.definition(brokerName).isPresent()) {
                synonyms.addAll(brokerLayers(brokerName));
            } else {
                String kafkaDefault = GroupConfigs.kafkaBrokerDefault(brokerName);
                synonyms.add(new Synonym(brokerName, kafkaDefault != null ? kafkaDefault
                        : definition.defaultValue(), ConfigSource.DEFAULT_CONFIG));
            }
            Synonym first = synonyms.get(0);
            String value = first.value();
            if (first.source() != ConfigSource.GROUP_CONFIG && definition.type() == ConfigType.STRING
                    && value != null && value.contains(",")) {
                value = value.substring(0, value.indexOf(',')).trim(); // the first of group.streams.assignors
            }
            result.add(new DescribedConfig(name, value, first.source(), false, false, definition.type(), synonyms,
                    definition.documentation()));
        }
        return result;
    }

    /** The effective value of a broker setting a group config refers to (its default, else Kafka's default). */
    public String groupBrokerValue(String brokerName) {
        String value = brokerValue(brokerName);
        if (value == null) {
            value = BrokerConfigs.definition(brokerName).map(ConfigDefinition::defaultValue)
                    .orElse(GroupConfigs.kafkaBrokerDefault(brokerName));
        }
        return value == null ? null : value.trim();
    }

    /** Checks a group's overrides after an alteration (see {@link GroupConfigs#validate}). */
    public Optional<ConfigApiError> validateGroupConfigs(Map<String, String> groupOverrides) {
        return GroupConfigs.validate(groupOverrides, this::groupBrokerValue);
    }

    // ----- brokers -----

    /** DescribeConfigs of this broker: every broker config plus any listener-prefixed ones set, sorted by name. */
    public List<DescribedConfig> describeBroker() {
        TreeSet<String> names = new TreeSet<>(BrokerConfigs.names());
        for (Map<String, String> layer : List.of(dynamicBrokerConfigs, dynamicDefaultConfigs,
                staticConfig.originals())) {
            layer.keySet().stream().filter(BrokerConfigs::isListenerPrefixed).forEach(names::add);
        }
        // Custom configs set dynamically are part of the broker's configuration in Kafka too.
        names.addAll(dynamicBrokerConfigs.keySet());
        names.addAll(dynamicDefaultConfigs.keySet());
        List<DescribedConfig> result = new ArrayList<>();
        for (String name : names) {
            result.add(describeBrokerConfig(name, true));
        }
        return result;
    }

    /** DescribeConfigs of the cluster-wide default broker resource: only the dynamic defaults that are set. */
    public List<DescribedConfig> describeBrokerDefaults() {
        List<DescribedConfig> result = new ArrayList<>();
        for (String name : new TreeSet<>(dynamicDefaultConfigs.keySet())) {
            result.add(describeBrokerConfig(name, false));
        }
        return result;
    }

    private DescribedConfig describeBrokerConfig(String name, boolean perBroker) {
        Optional<ConfigDefinition> definition = BrokerConfigs.definition(name);
        // As Kafka does, a config whose type is unknown is treated as sensitive.
        boolean sensitive = definition.map(ConfigDefinition::sensitive).orElse(true);
        List<Synonym> synonyms = new ArrayList<>();
        for (String synonymName : BrokerConfigs.synonyms(name)) {
            for (Synonym synonym : brokerLayers(synonymName)) {
                if (perBroker || synonym.source() == ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG) {
                    synonyms.add(synonym);
                }
            }
        }
        String set = perBroker ? brokerValue(name) : dynamicDefaultConfigs.get(name);
        String raw = set == null && perBroker ? definition.map(ConfigDefinition::defaultValue).orElse(null) : set;
        String value = sensitive || raw == null ? null : definition.map(d -> normalizeLeniently(d, raw)).orElse(raw);
        ConfigSource source = synonyms.isEmpty() ? ConfigSource.DEFAULT_CONFIG : synonyms.get(0).source();
        boolean readOnly = definition.map(ConfigDefinition::readOnly).orElse(false);
        return new DescribedConfig(name, value, source, readOnly, sensitive,
                definition.map(ConfigDefinition::type).orElse(ConfigType.PASSWORD), synonyms,
                definition.map(ConfigDefinition::documentation).orElse(""));
    }

    /** The broker value of {@code name} in the highest layer that sets it, or null. */
    public String brokerValue(String name) {
        String value = dynamicBrokerConfigs.get(name);
        if (value == null) {
            value = dynamicDefaultConfigs.get(name);
        }
        if (value == null) {
            value = staticConfig.originals().get(name);
        }
        return value;
    }

    /** The places that set broker config {@code name}, highest precedence first, ending with its default if any. */
    private List<Synonym> brokerLayers(String name) {
        Optional<ConfigDefinition> definition = BrokerConfigs.definition(name);
        boolean sensitive = definition.map(ConfigDefinition::sensitive).orElse(true);
        List<Synonym> layers = new ArrayList<>();
        addLayer(layers, name, dynamicBrokerConfigs.get(name), ConfigSource.DYNAMIC_BROKER_CONFIG, sensitive);
        addLayer(layers, name, dynamicDefaultConfigs.get(name), ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, sensitive);
        addLayer(layers, name, staticConfig.originals().get(name), ConfigSource.STATIC_BROKER_CONFIG, sensitive);
        addLayer(layers, name, definition.map(ConfigDefinition::defaultValue).orElse(null),
                ConfigSource.DEFAULT_CONFIG, sensitive);
        return layers;
    }

    private static void addLayer(List<Synonym> layers, String name, String value, ConfigSource source,
                                 boolean sensitive) {
        if (value != null) {
            layers.add(new Synonym(name, sensitive ? null : value, source));
        }
    }

    /**
     * Checks the dynamic configs a broker resource would have after AlterConfigs / IncrementalAlterConfigs, in
     * Kafka's order: no read-only config, no SSL store config without a listener prefix, every value valid, and for
     * the cluster-wide default resource ({@code perBroker} false) no per-broker-only config. Names Fjord does not
     * define are accepted and stored, as Kafka accepts custom broker configs. As in Kafka (KAFKA-13609), every
     * failure is INVALID_REQUEST, invalid values included.
     */
    public static Optional<ConfigApiError> validateBrokerConfigs(Map<String, String> configs, boolean perBroker) {
        Map<String, String> sorted = new TreeMap<>(configs);
        List<String> notDynamic = new ArrayList<>();
        List<String> unprefixedSecurity = new ArrayList<>();
        List<String> perBrokerOnly = new ArrayList<>();
        for (String name : sorted.keySet()) {
            Optional<ConfigDefinition> definition = BrokerConfigs.definition(name);
            if (definition.isPresent() && definition.get().readOnly()) {
                notDynamic.add(name);
            }
            if (BrokerConfigs.isListenerOnlySecurityConfig(name)) {
                unprefixedSecurity.add(name);
            }
            if (definition.isPresent() && definition.get().updateMode() == DynamicUpdateMode.PER_BROKER) {
                perBrokerOnly.add(name);
            }
        }
        if (!notDynamic.isEmpty()) {
            return Optional.of(ConfigApiError.invalidRequest("Cannot update these configs dynamically: "
                    + notDynamic));
        }
        if (!unprefixedSecurity.isEmpty()) {
            return Optional.of(ConfigApiError.invalidRequest("These security configs can be dynamically updated "
                    + "only per-listener using the listener prefix: " + unprefixedSecurity));
        }
        for (Map.Entry<String, String> entry : sorted.entrySet()) {
            Optional<ConfigDefinition> definition = BrokerConfigs.definition(entry.getKey());
            if (definition.isPresent() && entry.getValue() != null) {
                try {
                    definition.get().parse(entry.getValue());
                } catch (ConfigException e) {
                    return Optional.of(ConfigApiError.invalidRequest(e.getMessage()));
                }
            }
        }
        if (!perBroker && !perBrokerOnly.isEmpty()) {
            return Optional.of(ConfigApiError.invalidRequest(
                    "Cannot update these configs at default cluster level, broker id must be specified: "
                            + perBrokerOnly));
        }
        return Optional.empty();
    }
}
