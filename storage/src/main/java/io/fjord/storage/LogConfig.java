package io.fjord.storage;

import io.fjord.protocol.records.TimestampType;
import io.fjord.storage.internal.ConfigValues;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The settings of one partition log, under Kafka's topic-config names and with Kafka's defaults. Immutable and
 * thread-safe; a config change swaps the whole object.
 *
 * @param segmentBytes            {@code segment.bytes}: roll when a segment would grow past this
 * @param segmentMs               {@code segment.ms}: roll when the first batch of a segment is this old
 * @param segmentJitterMs         {@code segment.jitter.ms}: random reduction of segment.ms per segment
 * @param segmentIndexBytes       {@code segment.index.bytes}: size of each segment's offset and time index files
 * @param indexIntervalBytes      {@code index.interval.bytes}: bytes of log between two index entries
 * @param maxMessageBytes         {@code max.message.bytes}: largest batch accepted
 * @param flushMessages           {@code flush.messages}: fsync after this many unflushed records
 * @param flushMs                 {@code flush.ms}: fsync when the last flush is this old
 * @param retentionMs             {@code retention.ms}: delete segments older than this; -1 keeps forever
 * @param retentionBytes          {@code retention.bytes}: delete old segments while the log is larger; -1 for no limit
 * @param compact                 {@code cleanup.policy} contains {@code compact}
 * @param delete                  {@code cleanup.policy} contains {@code delete}
 * @param deleteRetentionMs       {@code delete.retention.ms}: how long tombstones survive compaction
 * @param minCompactionLagMs      {@code min.compaction.lag.ms}: records younger than this are not compacted
 * @param maxCompactionLagMs      {@code max.compaction.lag.ms}: records older than this make the log eligible
 * @param minCleanableDirtyRatio  {@code min.cleanable.dirty.ratio}: dirty share that makes a log eligible
 * @param timestampType           {@code message.timestamp.type}
 * @param fileDeleteDelayMs       {@code file.delete.delay.ms}: wait before deleting a removed segment's files
 * @param preallocate             {@code preallocate}: create segment files at full size
 */
public record LogConfig(int segmentBytes, long segmentMs, long segmentJitterMs, int segmentIndexBytes,
                        int indexIntervalBytes, int maxMessageBytes, long flushMessages, long flushMs,
                        long retentionMs, long retentionBytes, boolean compact, boolean delete,
                        long deleteRetentionMs, long minCompactionLagMs, long maxCompactionLagMs,
                        double minCleanableDirtyRatio, TimestampType timestampType, long fileDeleteDelayMs,
                        boolean preallocate) {

    public static final String SEGMENT_BYTES = "segment.bytes";
    public static final String SEGMENT_MS = "segment.ms";
    public static final String SEGMENT_JITTER_MS = "segment.jitter.ms";
    public static final String SEGMENT_INDEX_BYTES = "segment.index.bytes";
    public static final String INDEX_INTERVAL_BYTES = "index.interval.bytes";
    public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
    public static final String FLUSH_MESSAGES = "flush.messages";
    public static final String FLUSH_MS = "flush.ms";
    public static final String RETENTION_MS = "retention.ms";
    public static final String RETENTION_BYTES = "retention.bytes";
    public static final String CLEANUP_POLICY = "cleanup.policy";
    public static final String DELETE_RETENTION_MS = "delete.retention.ms";
    public static final String MIN_COMPACTION_LAG_MS = "min.compaction.lag.ms";
    public static final String MAX_COMPACTION_LAG_MS = "max.compaction.lag.ms";
    public static final String MIN_CLEANABLE_DIRTY_RATIO = "min.cleanable.dirty.ratio";
    public static final String MESSAGE_TIMESTAMP_TYPE = "message.timestamp.type";
    public static final String FILE_DELETE_DELAY_MS = "file.delete.delay.ms";
    public static final String PREALLOCATE = "preallocate";

    /** Smallest segment that still holds a batch header. */
    public static final int SEGMENT_BYTES_MIN = 64;
    /** An index smaller than this cannot hold one entry of either kind. */
    public static final int SEGMENT_INDEX_BYTES_MIN = 16;

    public LogConfig {
        require(segmentBytes >= SEGMENT_BYTES_MIN, SEGMENT_BYTES, segmentBytes);
        require(segmentMs >= 1, SEGMENT_MS, segmentMs);
        require(segmentJitterMs >= 0, SEGMENT_JITTER_MS, segmentJitterMs);
        require(segmentIndexBytes >= SEGMENT_INDEX_BYTES_MIN, SEGMENT_INDEX_BYTES, segmentIndexBytes);
        require(indexIntervalBytes >= 0, INDEX_INTERVAL_BYTES, indexIntervalBytes);
        require(maxMessageBytes >= 0, MAX_MESSAGE_BYTES, maxMessageBytes);
        require(flushMessages >= 1, FLUSH_MESSAGES, flushMessages);
        require(flushMs >= 0, FLUSH_MS, flushMs);
        require(retentionMs >= -1, RETENTION_MS, retentionMs);
        require(retentionBytes >= -1, RETENTION_BYTES, retentionBytes);
        require(compact || delete, CLEANUP_POLICY, "none");
        require(deleteRetentionMs >= 0, DELETE_RETENTION_MS, deleteRetentionMs);
        require(minCompactionLagMs >= 0, MIN_COMPACTION_LAG_MS, minCompactionLagMs);
        require(maxCompactionLagMs >= 1, MAX_COMPACTION_LAG_MS, maxCompactionLagMs);
        require(minCleanableDirtyRatio >= 0 && minCleanableDirtyRatio <= 1, MIN_CLEANABLE_DIRTY_RATIO,
                minCleanableDirtyRatio);
        require(fileDeleteDelayMs >= 0, FILE_DELETE_DELAY_MS, fileDeleteDelayMs);
    }

    private static void require(boolean valid, String name, Object value) {
        if (!valid) {
            throw new IllegalArgumentException("Invalid value " + value + " for configuration " + name);
        }
    }

    /** Kafka's defaults for every topic config above. */
    public static LogConfig defaults() {
        return new LogConfig(1024 * 1024 * 1024, 7L * 24 * 60 * 60 * 1000, 0, 10 * 1024 * 1024, 4096,
                1024 * 1024 + 12, Long.MAX_VALUE, Long.MAX_VALUE, 7L * 24 * 60 * 60 * 1000, -1, false, true,
                24L * 60 * 60 * 1000, 0, Long.MAX_VALUE, 0.5, TimestampType.CREATE_TIME, 60_000, false);
    }

    /** The names this class understands. */
    public static Set<String> names() {
        return Set.of(SEGMENT_BYTES, SEGMENT_MS, SEGMENT_JITTER_MS, SEGMENT_INDEX_BYTES, INDEX_INTERVAL_BYTES,
                MAX_MESSAGE_BYTES, FLUSH_MESSAGES, FLUSH_MS, RETENTION_MS, RETENTION_BYTES, CLEANUP_POLICY,
                DELETE_RETENTION_MS, MIN_COMPACTION_LAG_MS, MAX_COMPACTION_LAG_MS, MIN_CLEANABLE_DIRTY_RATIO,
                MESSAGE_TIMESTAMP_TYPE, FILE_DELETE_DELAY_MS, PREALLOCATE);
    }

    /**
     * These settings with the given topic-config overrides applied. Unknown names are ignored (the broker validates
     * names); a bad value raises {@link IllegalArgumentException} naming the key.
     */
    public LogConfig with(Map<String, String> overrides) {
        Map<String, String> merged = new LinkedHashMap<>(toMap());
        merged.putAll(overrides);
        ConfigValues values = new ConfigValues(merged);
        try {
            String policy = values.string(CLEANUP_POLICY, "").replace(" ", "");
            Set<String> policies = Set.of(policy.split(","));
            for (String each : policies) {
                require(each.equals("compact") || each.equals("delete") || each.isEmpty(), CLEANUP_POLICY, policy);
            }
            return new LogConfig(
                    integer(values, SEGMENT_BYTES), number(values, SEGMENT_MS),
                    number(values, SEGMENT_JITTER_MS), integer(values, SEGMENT_INDEX_BYTES),
                    integer(values, INDEX_INTERVAL_BYTES), integer(values, MAX_MESSAGE_BYTES),
                    number(values, FLUSH_MESSAGES), number(values, FLUSH_MS), number(values, RETENTION_MS),
                    number(values, RETENTION_BYTES), policies.contains("compact"), policies.contains("delete"),
                    number(values, DELETE_RETENTION_MS), number(values, MIN_COMPACTION_LAG_MS),
                    number(values, MAX_COMPACTION_LAG_MS), values.doubleValue(MIN_CLEANABLE_DIRTY_RATIO, 0.5, 0, 1),
                    timestampType(values.string(MESSAGE_TIMESTAMP_TYPE, "")), number(values, FILE_DELETE_DELAY_MS),
                    values.booleanValue(PREALLOCATE, false));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid number in topic configuration: " + e.getMessage(), e);
        }
    }

    // Every key is present in the merged map; ranges are checked by the constructor.
    private static int integer(ConfigValues values, String key) {
        return values.intValue(key, 0, Integer.MIN_VALUE);
    }

    private static long number(ConfigValues values, String key) {
        return values.longValue(key, 0, Long.MIN_VALUE);
    }

    private static TimestampType timestampType(String value) {
        try {
            return TimestampType.forConfigName(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid value " + value + " for configuration " + MESSAGE_TIMESTAMP_TYPE);
        }
    }





    /** Every setting by its Kafka name, as strings. */
    public Map<String, String> toMap() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put(SEGMENT_BYTES, Integer.toString(segmentBytes));
        map.put(SEGMENT_MS, Long.toString(segmentMs));
        map.put(SEGMENT_JITTER_MS, Long.toString(segmentJitterMs));
        map.put(SEGMENT_INDEX_BYTES, Integer.toString(segmentIndexBytes));
        map.put(INDEX_INTERVAL_BYTES, Integer.toString(indexIntervalBytes));
        map.put(MAX_MESSAGE_BYTES, Integer.toString(maxMessageBytes));
        map.put(FLUSH_MESSAGES, Long.toString(flushMessages));
        map.put(FLUSH_MS, Long.toString(flushMs));
        map.put(RETENTION_MS, Long.toString(retentionMs));
        map.put(RETENTION_BYTES, Long.toString(retentionBytes));
        map.put(CLEANUP_POLICY, compact && delete ? "compact,delete" : compact ? "compact" : "delete");
        map.put(DELETE_RETENTION_MS, Long.toString(deleteRetentionMs));
        map.put(MIN_COMPACTION_LAG_MS, Long.toString(minCompactionLagMs));
        map.put(MAX_COMPACTION_LAG_MS, Long.toString(maxCompactionLagMs));
        map.put(MIN_CLEANABLE_DIRTY_RATIO, Double.toString(minCleanableDirtyRatio));
        map.put(MESSAGE_TIMESTAMP_TYPE, timestampType.configName());
        map.put(FILE_DELETE_DELAY_MS, Long.toString(fileDeleteDelayMs));
        map.put(PREALLOCATE, Boolean.toString(preallocate));
        return map;
    }

    /** Shorthand for one override, mostly for tests. */
    public LogConfig with(String name, Object value) {
        return with(Map.of(name, String.valueOf(value)));
    }
}
