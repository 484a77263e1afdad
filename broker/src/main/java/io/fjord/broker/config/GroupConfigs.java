package io.fjord.broker.config;

import static io.fjord.broker.config.ConfigType.BOOLEAN;
import static io.fjord.broker.config.ConfigType.INT;
import static io.fjord.broker.config.ConfigType.LIST;
import static io.fjord.broker.config.ConfigType.LONG;
import static io.fjord.broker.config.ConfigType.STRING;
import static io.fjord.broker.config.Validators.any;
import static io.fjord.broker.config.Validators.atLeast;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The per-group configurations of Kafka 4.4 ({@code kafka-configs --entity-type groups}, ConfigResource type GROUP):
 * their types, own allowed values, the broker settings that give their defaults ({@code group.consumer.*},
 * {@code group.share.*}, {@code group.streams.*}) and the broker bounds a value must lie within. Fjord has KIP-848
 * consumer groups only; the share and streams keys are accepted, validated and stored as Kafka does, for groups Fjord
 * cannot yet run. The broker settings Fjord does not define (share and streams ones) take Kafka 4.4's defaults.
 * Internal keys are accepted but not described, as in Kafka. Immutable and thread-safe.
 */
public final class GroupConfigs {
    public static final String CONSUMER_SESSION_TIMEOUT_MS = "consumer.session.timeout.ms";
    public static final String CONSUMER_HEARTBEAT_INTERVAL_MS = "consumer.heartbeat.interval.ms";
    /** Kafka 4.4's only streams task assignor, the default of {@code group.streams.assignors}. */
    private static final List<String> STREAMS_ASSIGNORS = List.of("sticky");

    /**
     * One group config.
     *
     * @param definition   type, Kafka's default and own allowed values
     * @param brokerName   the broker setting whose value is the default (described as the synonym)
     * @param minName      the broker setting bounding the value from below, or null
     * @param maxName      the broker setting bounding the value from above, or null
     * @param internal     accepted but not described
     */
    private record Key(ConfigDefinition definition, String brokerName, String minName, String maxName,
            boolean internal) {
    }

    /** Kafka 4.4's defaults of the broker settings above that Fjord does not define. */
    private static final Map<String, String> KAFKA_BROKER_DEFAULTS = Map.ofEntries(
            Map.entry("group.consumer.assignment.interval.ms", "1000"),
            Map.entry("group.share.session.timeout.ms", "45000"),
            Map.entry("group.share.min.session.timeout.ms", "45000"),
            Map.entry("group.share.max.session.timeout.ms", "60000"),
            Map.entry("group.share.heartbeat.interval.ms", "5000"),
            Map.entry("group.share.min.heartbeat.interval.ms", "5000"),
            Map.entry("group.share.max.heartbeat.interval.ms", "15000"),
            Map.entry("group.share.record.lock.duration.ms", "30000"),
            Map.entry("group.share.min.record.lock.duration.ms", "15000"),
            Map.entry("group.share.max.record.lock.duration.ms", "60000"),
            Map.entry("group.share.delivery.count.limit", "5"),
            Map.entry("group.share.min.delivery.count.limit", "2"),
            Map.entry("group.share.max.delivery.count.limit", "10"),
            Map.entry("group.share.partition.max.record.locks", "2000"),
            Map.entry("group.share.min.partition.max.record.locks", "100"),
            Map.entry("group.share.max.partition.max.record.locks", "4000"),
            Map.entry("group.share.assignment.interval.ms", "1000"),
            Map.entry("group.streams.session.timeout.ms", "45000"),
            Map.entry("group.streams.min.session.timeout.ms", "45000"),
            Map.entry("group.streams.max.session.timeout.ms", "60000"),
            Map.entry("group.streams.heartbeat.interval.ms", "5000"),
            Map.entry("group.streams.min.heartbeat.interval.ms", "5000"),
            Map.entry("group.streams.max.heartbeat.interval.ms", "15000"),
            Map.entry("group.streams.num.standby.replicas", "0"),
            Map.entry("group.streams.max.standby.replicas", "2"),
            Map.entry("group.streams.initial.rebalance.delay.ms", "3000"),
            Map.entry("group.streams.assignment.interval.ms", "1000"),
            Map.entry("group.streams.rack.aware.assignment.tags", ""),
            Map.entry("group.streams.assignors", String.join(",", STREAMS_ASSIGNORS)),
            Map.entry("group.streams.min.task.offset.interval.ms", "15000"));

    private static final Map<String, Key> KEYS;

    static {
        Map<String, Key> keys = new LinkedHashMap<>();
        bounded(keys, "consumer", "session.timeout.ms", 45_000, "The timeout to detect client failures when using "
                + "the consumer group protocol.");
        bounded(keys, "consumer", "heartbeat.interval.ms", 5_000, "The heartbeat interval given to the members of a "
                + "consumer group.");
        put(keys, intKey("consumer.assignment.interval.ms", 1_000, 0, "The interval between assignment updates for "
                + "a consumer group."), "group.consumer.assignment.interval.ms", null, null, false);
        internal(keys, "consumer.assignor.offload.enable", BOOLEAN, "false");
        bounded(keys, "share", "session.timeout.ms", 45_000, "The timeout to detect client failures when using the "
                + "share group protocol.");
        bounded(keys, "share", "heartbeat.interval.ms", 5_000, "The heartbeat interval given to the members of a "
                + "share group.");
        put(keys, intKey("share.record.lock.duration.ms", 30_000, 1_000, "The record acquisition lock duration in "
                        + "milliseconds for share groups."), "group.share.record.lock.duration.ms",
                "group.share.min.record.lock.duration.ms", "group.share.max.record.lock.duration.ms", false);
        put(keys, intKey("share.delivery.count.limit", 5, 2, "The maximum number of delivery attempts for a record "
                        + "delivered to a share group."), "group.share.delivery.count.limit",
                "group.share.min.delivery.count.limit", "group.share.max.delivery.count.limit", false);
        put(keys, intKey("share.partition.max.record.locks", 2_000, 100, "Share-group record lock limit per "
                        + "share-partition."), "group.share.partition.max.record.locks",
                "group.share.min.partition.max.record.locks", "group.share.max.partition.max.record.locks", false);
        put(keys, definition("share.auto.offset.reset", STRING, "latest", autoOffsetReset(), "The strategy to "
                + "initialize the share-partition start offset: earliest, latest, or by_duration:<ISO-8601 "
                + "duration> back from now."), "share.auto.offset.reset", null, null, false);
        put(keys, definition("share.isolation.level", STRING, "read_uncommitted",
                Validators.oneOf("read_committed", "read_uncommitted"), "Controls how to read records written "
                        + "transactionally."), "share.isolation.level", null, null, false);
        put(keys, definition("share.renew.acknowledge.enable", BOOLEAN, "true", any(), "Whether the renew "
                + "acknowledge type is enabled for the share group."), "share.renew.acknowledge.enable", null, null,
                false);
        put(keys, intKey("share.assignment.interval.ms", 1_000, 0, "The interval between assignment updates for a "
                + "share group."), "group.share.assignment.interval.ms", null, null, false);
        internal(keys, "share.assignor.offload.enable", BOOLEAN, "false");
        bounded(keys, "streams", "session.timeout.ms", 45_000, "The timeout to detect client failures when using "
                + "the streams group protocol.");
        bounded(keys, "streams", "heartbeat.interval.ms", 5_000, "The heartbeat interval given to the members.");
        put(keys, intKey("streams.num.standby.replicas", 0, 0, "The number of standby replicas for each task."),
                "group.streams.num.standby.replicas", null, "group.streams.max.standby.replicas", false);
        put(keys, intKey("streams.initial.rebalance.delay.ms", 3_000, 0, "The amount of time the group "
                        + "coordinator will wait for more streams clients to join a new group before performing the "
                        + "first rebalance."), "group.streams.initial.rebalance.delay.ms", null, null, false);
        put(keys, intKey("streams.assignment.interval.ms", 1_000, 0, "The interval between assignment updates for "
                + "a streams group."), "group.streams.assignment.interval.ms", null, null, false);
        put(keys, definition("streams.rack.aware.assignment.tags", LIST, "", any(), "List of client tag keys used "
                        + "to distribute standby replicas across Kafka Streams instances."),
                "group.streams.rack.aware.assignment.tags", null, null, false);
        put(keys, definition("streams.assignor.name", STRING, null, any(), "The task assignor to use for this "
                + "streams group, by short name from the broker's group.streams.assignors."),
                "group.streams.assignors", null, null, false);
        internal(keys, "streams.assignor.offload.enable", BOOLEAN, "false");
        put(keys, intKey("streams.task.offset.interval.ms", 60_000, 0, ""), null,
                "group.streams.min.task.offset.interval.ms", null, true);
        internal(keys, "streams.num.warmup.replicas", INT, "2");
        internal(keys, "streams.acceptable.recovery.lag", LONG, "10000");
        put(keys, definition("errors.deadletterqueue.topic.name", STRING, "", any(), "The name of the topic to be "
                + "used as the dead-letter queue (DLQ) topic for this share group; blank for none."),
                "errors.deadletterqueue.topic.name", null, null, false);
        put(keys, definition("errors.deadletterqueue.copy.record.enable", BOOLEAN, "false", any(), "Whether to "
                + "copy the original record onto the DLQ topic, or only context headers."),
                "errors.deadletterqueue.copy.record.enable", null, null, false);
        KEYS = Collections.unmodifiableMap(keys);
    }

    private GroupConfigs() {
    }

    private static void bounded(Map<String, Key> keys, String kind, String suffix, int defaultValue,
            String documentation) {
        String name = kind + "." + suffix;
        String min = suffix.replace("session", "min.session").replace("heartbeat", "min.heartbeat");
        String max = suffix.replace("session", "max.session").replace("heartbeat", "max.heartbeat");
        put(keys, intKey(name, defaultValue, 1, documentation), "group." + name, "group." + kind + "." + min,
                "group." + kind + "." + max, false);
    }

    private static void internal(Map<String, Key> keys, String name, ConfigType type, String defaultValue) {
        put(keys, definition(name, type, defaultValue, any(), ""), null, null, null, true);
    }

    private static void put(Map<String, Key> keys, ConfigDefinition definition, String brokerName, String minName,
            String maxName, boolean internal) {
        keys.put(definition.name(), new Key(definition, brokerName, minName, maxName, internal));
    }

    private static ConfigDefinition intKey(String name, int defaultValue, int min, String documentation) {
        return definition(name, INT, Integer.toString(defaultValue), atLeast(min), documentation);
    }

    private static ConfigDefinition definition(String name, ConfigType type, String defaultValue,
            ConfigValidator validator, String documentation) {
        return ConfigDefinition.optional(name, type, defaultValue, validator, Importance.MEDIUM,
                DynamicUpdateMode.PER_TOPIC, documentation);
    }

    /** Kafka's share.auto.offset.reset values: earliest, latest, or by_duration: and a non-negative duration. */
    private static ConfigValidator autoOffsetReset() {
        return new ConfigValidator() {
            @Override
            public void ensureValid(String name, Object value) {
                String strategy = String.valueOf(value).toLowerCase(Locale.ROOT).trim();
                if (strategy.equals("earliest") || strategy.equals("latest")) {
                    return;
                }
                if (strategy.startsWith("by_duration:")) {
                    try {
                        if (!Duration.parse(strategy.substring("by_duration:".length()).toUpperCase(Locale.ROOT))
                                .isNegative()) {
                            return;
                        }
                    } catch (DateTimeParseException e) {
                        // refused below
                    }
                }
                throw new ConfigException(name, value, "Invalid value `" + value + "` for configuration " + name
                        + ". The value must be either 'earliest', 'latest' or of the format "
                        + "'by_duration:<PnDTnHnMn.nS>'.");
            }

            @Override
            public String describe() {
                return "[latest, earliest, by_duration:PnDTnHnMn.nS]";
            }
        };
    }

    public static boolean isKnown(String name) {
        return KEYS.containsKey(name);
    }

    public static Optional<ConfigDefinition> definition(String name) {
        Key key = KEYS.get(name);
        return key == null ? Optional.empty() : Optional.of(key.definition());
    }

    /** The described (non-internal) group configs, sorted by name. */
    public static List<ConfigDefinition> described() {
        return KEYS.values().stream().filter(key -> !key.internal()).map(Key::definition)
                .sorted(java.util.Comparator.comparing(ConfigDefinition::name)).toList();
    }

    /** The broker setting that gives the config's default, or null. */
    public static String brokerSynonym(String name) {
        Key key = KEYS.get(name);
        return key == null ? null : key.brokerName();
    }

    /** Kafka 4.4's default of a broker setting Fjord does not define (share and streams groups), or null. */
    public static String kafkaBrokerDefault(String brokerName) {
        return KAFKA_BROKER_DEFAULTS.get(brokerName);
    }

    /**
     * Checks the overrides a group would have after AlterConfigs / IncrementalAlterConfigs, as Kafka 4.4 does: known
     * names, values of the right type within the config's own range, within the broker's bounds, a session timeout
     * above the heartbeat interval, a registered streams assignor and no duplicate rack tags. Every failure is
     * INVALID_CONFIG.
     *
     * @param brokerValue the effective value of a broker setting ({@code group.consumer.min.session.timeout.ms}, ...)
     */
    public static Optional<ConfigApiError> validate(Map<String, String> configs, Function<String, String> brokerValue) {
        Map<String, Object> parsed = new TreeMap<>();
        for (Map.Entry<String, String> entry : new TreeMap<>(configs).entrySet()) {
            Key key = KEYS.get(entry.getKey());
            if (key == null) {
                return Optional.of(ConfigApiError.invalidConfig("Unknown group config name: " + entry.getKey()));
            }
            try {
                parsed.put(entry.getKey(), key.definition().parse(entry.getValue()));
            } catch (ConfigException e) {
                return Optional.of(ConfigApiError.invalidConfig(e.getMessage()));
            }
        }
        for (Map.Entry<String, Object> entry : parsed.entrySet()) {
            Optional<String> problem = outOfBounds(KEYS.get(entry.getKey()), entry.getValue(), brokerValue);
            if (problem.isEmpty()) {
                problem = specialRules(entry.getKey(), entry.getValue(), brokerValue);
            }
            if (problem.isPresent()) {
                return Optional.of(ConfigApiError.invalidConfig(problem.get()));
            }
        }
        for (String kind : List.of("consumer", "share", "streams")) {
            String session = kind + ".session.timeout.ms";
            String heartbeat = kind + ".heartbeat.interval.ms";
            if (parsed.containsKey(session) || parsed.containsKey(heartbeat)) {
                int sessionMs = effectiveInt(parsed, session, brokerValue);
                int heartbeatMs = effectiveInt(parsed, heartbeat, brokerValue);
                if (sessionMs <= heartbeatMs) {
                    return Optional.of(ConfigApiError.invalidConfig(session + " must be greater than " + heartbeat));
                }
            }
        }
        return Optional.empty();
    }

    private static int effectiveInt(Map<String, Object> parsed, String name, Function<String, String> brokerValue) {
        Object value = parsed.get(name);
        return value != null ? (Integer) value : Integer.parseInt(brokerValue.apply(KEYS.get(name).brokerName()));
    }

    private static Optional<String> outOfBounds(Key key, Object value, Function<String, String> brokerValue) {
        if (key.minName() == null && key.maxName() == null) {
            return Optional.empty();
        }
        long number = ((Number) value).longValue();
        Long min = key.minName() == null ? null : Long.parseLong(brokerValue.apply(key.minName()));
        Long max = key.maxName() == null ? null : Long.parseLong(brokerValue.apply(key.maxName()));
        String name = key.definition().name();
        if (min != null && max != null && (number < min || number > max)) {
            return Optional.of(name + " must be in the range " + min + " to " + max + " inclusive.");
        }
        if (min != null && number < min) {
            return Optional.of(name + " must be greater than or equal to " + min);
        }
        if (max != null && number > max) {
            return Optional.of(name + " must be less than or equal to " + max);
        }
        return Optional.empty();
    }

    private static Optional<String> specialRules(String name, Object value, Function<String, String> brokerValue) {
        if (name.equals("streams.rack.aware.assignment.tags")) {
            List<?> tags = (List<?>) value;
            if (tags.size() != tags.stream().distinct().count()) {
                return Optional.of(name + " must not contain duplicate tag keys.");
            }
        } else if (name.equals("streams.assignor.name")) {
            List<String> registered = new ArrayList<>();
            for (String assignor : brokerValue.apply("group.streams.assignors").split(",")) {
                if (!assignor.isBlank()) {
                    registered.add(assignor.trim());
                }
            }
            if (!registered.contains(String.valueOf(value).trim())) {
                return Optional.of(name + " '" + value + "' is not a registered task assignor. Registered "
                        + "assignors are: " + registered + ".");
            }
        }
        return Optional.empty();
    }
}
