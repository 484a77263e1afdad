package io.fjord.broker.config;

import static io.fjord.broker.config.ConfigType.BOOLEAN;
import static io.fjord.broker.config.ConfigType.DOUBLE;
import static io.fjord.broker.config.ConfigType.INT;
import static io.fjord.broker.config.ConfigType.LIST;
import static io.fjord.broker.config.ConfigType.LONG;
import static io.fjord.broker.config.ConfigType.STRING;
import static io.fjord.broker.config.Importance.MEDIUM;
import static io.fjord.broker.config.Validators.any;
import static io.fjord.broker.config.Validators.atLeast;
import static io.fjord.broker.config.Validators.between;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Every topic-level configuration of Kafka 4.4 ({@code kafka-configs --entity-type topics}, CreateTopics configs),
 * with Kafka's types, defaults and allowed values, and the broker configurations that supply each one's default.
 * {@code message.downconversion.enable} and {@code message.format.version} are gone since Kafka 4.0 and are unknown
 * here too. Immutable and thread-safe.
 */
public final class TopicConfigs {
    public static final String CLEANUP_POLICY = "cleanup.policy";
    public static final String COMPRESSION_TYPE = "compression.type";
    public static final String MIN_COMPACTION_LAG_MS = "min.compaction.lag.ms";
    public static final String MAX_COMPACTION_LAG_MS = "max.compaction.lag.ms";
    public static final String RETENTION_MS = "retention.ms";
    public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";

    /** The compression types a topic or broker accepts, in Kafka's order. */
    static final String[] COMPRESSION_TYPES = {"uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"};
    static final int GZIP_LEVEL_DEFAULT = -1;
    static final int LZ4_LEVEL_DEFAULT = 9;
    static final int LZ4_LEVEL_MIN = 1;
    static final int LZ4_LEVEL_MAX = 17;
    static final int ZSTD_LEVEL_DEFAULT = 3;
    static final int ZSTD_LEVEL_MIN = -131_072;
    static final int ZSTD_LEVEL_MAX = 22;
    static final int SEGMENT_BYTES_MIN = 1024 * 1024;
    static final int SEGMENT_BYTES_DEFAULT = 1024 * 1024 * 1024;
    static final long WEEK_MS = 7L * 24 * 60 * 60 * 1000;
    static final long DAY_MS = 24L * 60 * 60 * 1000;
    static final int MAX_MESSAGE_BYTES_DEFAULT = 1024 * 1024 + 12;
    static final int INDEX_SIZE_MAX_BYTES_DEFAULT = 10 * 1024 * 1024;
    /** Kafka 4.4's {@code max.decompressed.message.bytes} default: the largest array a JVM allocates. */
    static final int MAX_DECOMPRESSED_MESSAGE_BYTES_DEFAULT = Integer.MAX_VALUE - 8;

    private static final Map<String, ConfigDefinition> DEFINITIONS;
    private static final Map<String, List<BrokerSynonym>> SYNONYMS;

    static {
        DefinitionTable table = new DefinitionTable(DynamicUpdateMode.PER_TOPIC)
                .define(CLEANUP_POLICY, LIST, "delete", Validators.listOf(true, "compact", "delete"), MEDIUM,
                        "Retention policy of old segments: delete, compact, both, or none (empty list)")
                .define("compression.gzip.level", INT, GZIP_LEVEL_DEFAULT, Validators.gzipLevel(), MEDIUM,
                        "The compression level to use if compression.type is gzip")
                .define("compression.lz4.level", INT, LZ4_LEVEL_DEFAULT, between(LZ4_LEVEL_MIN, LZ4_LEVEL_MAX),
                        MEDIUM, "The compression level to use if compression.type is lz4")
                .define(COMPRESSION_TYPE, STRING, "producer", Validators.oneOf(COMPRESSION_TYPES), MEDIUM,
                        "Final compression type of the topic; producer keeps the producer's codec")
                .define("compression.zstd.level", INT, ZSTD_LEVEL_DEFAULT, between(ZSTD_LEVEL_MIN, ZSTD_LEVEL_MAX),
                        MEDIUM, "The compression level to use if compression.type is zstd")
                .define("delete.retention.ms", LONG, DAY_MS, atLeast(0), MEDIUM,
                        "How long delete tombstones are kept on compacted topics")
                .define("errors.deadletterqueue.group.enable", BOOLEAN, false, any(), MEDIUM,
                        "Whether share groups may use this topic as a dead-letter queue")
                .define("file.delete.delay.ms", LONG, 60_000L, atLeast(0), MEDIUM,
                        "The time to wait before deleting a file from the filesystem")
                .define("flush.messages", LONG, Long.MAX_VALUE, atLeast(1), MEDIUM,
                        "Force an fsync after this many messages")
                .define("flush.ms", LONG, Long.MAX_VALUE, atLeast(0), MEDIUM,
                        "Force an fsync when unflushed data is this old")
                .define("follower.replication.throttled.replicas", LIST, "", Validators.throttledReplicas(), MEDIUM,
                        "Replicas whose log replication is throttled on the follower side, or *")
                .define("index.interval.bytes", INT, 4096, atLeast(0), MEDIUM,
                        "Bytes of log between two offset index entries")
                .define("leader.replication.throttled.replicas", LIST, "", Validators.throttledReplicas(), MEDIUM,
                        "Replicas whose log replication is throttled on the leader side, or *")
                .define("local.retention.bytes", LONG, -2L, atLeast(-2), MEDIUM,
                        "Local log size kept with tiered storage; -2 means retention.bytes")
                .define("local.retention.ms", LONG, -2L, atLeast(-2), MEDIUM,
                        "Local log time kept with tiered storage; -2 means retention.ms")
                .define(MAX_COMPACTION_LAG_MS, LONG, Long.MAX_VALUE, atLeast(1), MEDIUM,
                        "The maximum time a message remains ineligible for compaction")
                .define("max.decompressed.message.bytes", INT, MAX_DECOMPRESSED_MESSAGE_BYTES_DEFAULT, atLeast(0),
                        MEDIUM, "The largest decompressed record the broker accepts")
                .define("max.message.bytes", INT, MAX_MESSAGE_BYTES_DEFAULT, atLeast(0), MEDIUM,
                        "The largest record batch size allowed (after compression)")
                .define("message.timestamp.after.max.ms", LONG, 3_600_000L, atLeast(0), MEDIUM,
                        "How far a CreateTime timestamp may lie ahead of the broker's clock")
                .define("message.timestamp.before.max.ms", LONG, Long.MAX_VALUE, atLeast(0), MEDIUM,
                        "How far a CreateTime timestamp may lie behind the broker's clock")
                .define("message.timestamp.type", STRING, "CreateTime",
                        Validators.oneOf("CreateTime", "LogAppendTime"), MEDIUM,
                        "Whether record timestamps are the create time or the log append time")
                .define("min.cleanable.dirty.ratio", DOUBLE, 0.5, Validators.betweenDecimal(0, 1), MEDIUM,
                        "Dirty share of the log that makes it eligible for compaction")
                .define(MIN_COMPACTION_LAG_MS, LONG, 0L, atLeast(0), MEDIUM,
                        "The minimum time a message remains uncompacted")
                .define(MIN_INSYNC_REPLICAS, INT, 1, atLeast(1), MEDIUM,
                        "In-sync replicas needed for an acks=all write to succeed")
                .define("preallocate", BOOLEAN, false, any(), MEDIUM,
                        "Preallocate segment files on disk when they are created")
                .define("remote.copy.lag.bytes", LONG, 0L, atLeast(-1), MEDIUM,
                        "Newer local bytes after which a segment may be copied to remote storage")
                .define("remote.copy.lag.ms", LONG, 0L, atLeast(-1), MEDIUM,
                        "Age after which a segment may be copied to remote storage")
                .define("remote.log.copy.disable", BOOLEAN, false, any(), MEDIUM,
                        "Stop copying segments of this topic to remote storage")
                .define("remote.log.delete.on.disable", BOOLEAN, false, any(), MEDIUM,
                        "Delete remote data when tiered storage is turned off for the topic")
                .define("remote.storage.enable", BOOLEAN, false, any(), MEDIUM,
                        "Enable tiered storage for the topic")
                .define("retention.bytes", LONG, -1L, any(), MEDIUM,
                        "The largest a partition may grow before old segments are deleted; -1 for no limit")
                .define(RETENTION_MS, LONG, WEEK_MS, atLeast(-1), MEDIUM,
                        "How long a segment is kept before deletion; -1 for no limit")
                .define("segment.bytes", INT, SEGMENT_BYTES_DEFAULT, atLeast(SEGMENT_BYTES_MIN), MEDIUM,
                        "The segment file size of the log")
                .define("segment.index.bytes", INT, INDEX_SIZE_MAX_BYTES_DEFAULT, atLeast(4), MEDIUM,
                        "The size of the index that maps offsets to file positions")
                .define("segment.jitter.ms", LONG, 0L, atLeast(0), MEDIUM,
                        "The maximum random jitter subtracted from the scheduled segment roll time")
                .define("segment.ms", LONG, WEEK_MS, atLeast(1), MEDIUM,
                        "Roll the active segment when it is this old")
                .define("unclean.leader.election.enable", BOOLEAN, false, any(), MEDIUM,
                        "Allow replicas outside the ISR to become leader as a last resort");
        DEFINITIONS = table.build();

        Map<String, List<BrokerSynonym>> synonyms = new LinkedHashMap<>();
        synonyms.put("segment.bytes", List.of(BrokerSynonym.same("log.segment.bytes")));
        synonyms.put("segment.ms", List.of(BrokerSynonym.same("log.roll.ms"),
                new BrokerSynonym("log.roll.hours", BrokerSynonym.HOUR_MS)));
        synonyms.put("segment.jitter.ms", List.of(BrokerSynonym.same("log.roll.jitter.ms"),
                new BrokerSynonym("log.roll.jitter.hours", BrokerSynonym.HOUR_MS)));
        synonyms.put("segment.index.bytes", List.of(BrokerSynonym.same("log.index.size.max.bytes")));
        synonyms.put("flush.messages", List.of(BrokerSynonym.same("log.flush.interval.messages")));
        synonyms.put("flush.ms", List.of(BrokerSynonym.same("log.flush.interval.ms"),
                BrokerSynonym.same("log.flush.scheduler.interval.ms")));
        synonyms.put("retention.bytes", List.of(BrokerSynonym.same("log.retention.bytes")));
        synonyms.put(RETENTION_MS, List.of(BrokerSynonym.same("log.retention.ms"),
                new BrokerSynonym("log.retention.minutes", BrokerSynonym.MINUTE_MS),
                new BrokerSynonym("log.retention.hours", BrokerSynonym.HOUR_MS)));
        synonyms.put("max.message.bytes", List.of(BrokerSynonym.same("message.max.bytes")));
        synonyms.put("max.decompressed.message.bytes", List.of(BrokerSynonym.same("max.decompressed.message.bytes")));
        synonyms.put("index.interval.bytes", List.of(BrokerSynonym.same("log.index.interval.bytes")));
        synonyms.put("delete.retention.ms", List.of(BrokerSynonym.same("log.cleaner.delete.retention.ms")));
        synonyms.put(MIN_COMPACTION_LAG_MS, List.of(BrokerSynonym.same("log.cleaner.min.compaction.lag.ms")));
        synonyms.put(MAX_COMPACTION_LAG_MS, List.of(BrokerSynonym.same("log.cleaner.max.compaction.lag.ms")));
        synonyms.put("file.delete.delay.ms", List.of(BrokerSynonym.same("log.segment.delete.delay.ms")));
        synonyms.put("min.cleanable.dirty.ratio", List.of(BrokerSynonym.same("log.cleaner.min.cleanable.ratio")));
        synonyms.put(CLEANUP_POLICY, List.of(BrokerSynonym.same("log.cleanup.policy")));
        for (String sameName : List.of("unclean.leader.election.enable", MIN_INSYNC_REPLICAS, COMPRESSION_TYPE,
                "compression.gzip.level", "compression.lz4.level", "compression.zstd.level")) {
            synonyms.put(sameName, List.of(BrokerSynonym.same(sameName)));
        }
        for (String logPrefixed : List.of("preallocate", "message.timestamp.type", "message.timestamp.before.max.ms",
                "message.timestamp.after.max.ms", "local.retention.ms", "local.retention.bytes")) {
            synonyms.put(logPrefixed, List.of(BrokerSynonym.same("log." + logPrefixed)));
        }
        for (String name : synonyms.keySet()) {
            if (!DEFINITIONS.containsKey(name)) {
                throw new IllegalStateException("synonyms for an undefined topic config: " + name);
            }
        }
        SYNONYMS = Map.copyOf(synonyms);
    }

    private TopicConfigs() {
    }

    /** Every topic configuration, sorted by name. */
    public static Collection<ConfigDefinition> all() {
        return DEFINITIONS.values();
    }

    /** Every topic configuration name, sorted. */
    public static Set<String> names() {
        return DEFINITIONS.keySet();
    }

    public static Optional<ConfigDefinition> definition(String name) {
        return Optional.ofNullable(DEFINITIONS.get(name));
    }

    public static boolean isKnown(String name) {
        return DEFINITIONS.containsKey(name);
    }

    /**
     * The broker configurations that supply {@code topicConfigName}'s default, in Kafka's precedence (the first one
     * set wins); empty for the topic configs without a server default.
     */
    public static List<BrokerSynonym> brokerSynonyms(String topicConfigName) {
        return SYNONYMS.getOrDefault(topicConfigName, List.of());
    }

    /** Kafka's "Server Default Property" column: the broker config of highest precedence, if any. */
    public static Optional<String> serverDefaultProperty(String topicConfigName) {
        List<BrokerSynonym> synonyms = brokerSynonyms(topicConfigName);
        return synonyms.isEmpty() ? Optional.empty() : Optional.of(synonyms.get(0).brokerConfigName());
    }

    /** Every topic config with its server default property, for documentation and tests. */
    public static Map<String, String> serverDefaultProperties() {
        Map<String, String> result = new TreeMap<>();
        for (String name : DEFINITIONS.keySet()) {
            serverDefaultProperty(name).ifPresent(broker -> result.put(name, broker));
        }
        return result;
    }
}
