package io.fjord.storage;

import io.fjord.storage.internal.ConfigValues;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The broker settings of the {@link LogManager}, under Kafka's {@code server.properties} names and with Kafka's
 * defaults, plus the broker-wide topic defaults ({@code log.*} names) turned into the {@link LogConfig} every topic
 * starts from. Immutable and thread-safe.
 *
 * @param logDirs                             {@code log.dirs} (falls back to {@code log.dir}): the data directories
 * @param retentionCheckIntervalMs            {@code log.retention.check.interval.ms}: period of the retention pass
 * @param flushSchedulerIntervalMs            {@code log.flush.scheduler.interval.ms}: period of the flush.ms check
 * @param flushOffsetCheckpointIntervalMs     {@code log.flush.offset.checkpoint.interval.ms}: recovery points
 * @param flushStartOffsetCheckpointIntervalMs {@code log.flush.start.offset.checkpoint.interval.ms}: log starts
 * @param recoveryThreadsPerDataDir           {@code num.recovery.threads.per.data.dir}: loaders per directory
 * @param backgroundThreads                   {@code background.threads}: threads of the log scheduler
 * @param segmentOpenFilesMax                 {@code log.segment.open.files.max} (Fjord): inactive segments kept open
 * @param segmentOpenIdleMs                   {@code log.segment.open.idle.ms} (Fjord): close segments idle this long
 * @param defaultLogConfig                    the topic defaults derived from the broker's {@code log.*} settings
 * @param cleanerConfig                       the {@code log.cleaner.*} settings of compaction
 * @param producerIdExpirationMs              {@code producer.id.expiration.ms}: idle time after which a producer's
 *                                            state is removed
 * @param producerIdExpirationCheckIntervalMs {@code producer.id.expiration.check.interval.ms}: period of that check
 * @param highWatermarkCheckpointIntervalMs   {@code replica.high.watermark.checkpoint.interval.ms}: period of the
 *                                            high-watermark checkpoint ({@code replication-offset-checkpoint})
 */
public record LogManagerConfig(List<Path> logDirs, long retentionCheckIntervalMs, long flushSchedulerIntervalMs,
                               long flushOffsetCheckpointIntervalMs, long flushStartOffsetCheckpointIntervalMs,
                               int recoveryThreadsPerDataDir, int backgroundThreads, int segmentOpenFilesMax,
                               long segmentOpenIdleMs, LogConfig defaultLogConfig,
                               LogCleanerConfig cleanerConfig, long producerIdExpirationMs,
                               long producerIdExpirationCheckIntervalMs, long highWatermarkCheckpointIntervalMs) {

    public static final String LOG_DIRS = "log.dirs";
    public static final String LOG_DIR = "log.dir";
    public static final String LOG_DIR_DEFAULT = "/tmp/kraft-combined-logs";
    public static final String RETENTION_CHECK_INTERVAL_MS = "log.retention.check.interval.ms";
    public static final String FLUSH_SCHEDULER_INTERVAL_MS = "log.flush.scheduler.interval.ms";
    public static final String FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS = "log.flush.offset.checkpoint.interval.ms";
    public static final String FLUSH_START_OFFSET_CHECKPOINT_INTERVAL_MS =
            "log.flush.start.offset.checkpoint.interval.ms";
    public static final String NUM_RECOVERY_THREADS_PER_DATA_DIR = "num.recovery.threads.per.data.dir";
    public static final String BACKGROUND_THREADS = "background.threads";
    public static final String SEGMENT_OPEN_FILES_MAX = "log.segment.open.files.max";
    public static final String SEGMENT_OPEN_IDLE_MS = "log.segment.open.idle.ms";

    public static final String LOG_SEGMENT_BYTES = "log.segment.bytes";
    public static final String LOG_ROLL_MS = "log.roll.ms";
    public static final String LOG_ROLL_HOURS = "log.roll.hours";
    public static final String LOG_ROLL_JITTER_MS = "log.roll.jitter.ms";
    public static final String LOG_ROLL_JITTER_HOURS = "log.roll.jitter.hours";
    public static final String LOG_INDEX_SIZE_MAX_BYTES = "log.index.size.max.bytes";
    public static final String LOG_INDEX_INTERVAL_BYTES = "log.index.interval.bytes";
    public static final String MESSAGE_MAX_BYTES = "message.max.bytes";
    public static final String LOG_FLUSH_INTERVAL_MESSAGES = "log.flush.interval.messages";
    public static final String LOG_FLUSH_INTERVAL_MS = "log.flush.interval.ms";
    public static final String LOG_RETENTION_MS = "log.retention.ms";
    public static final String LOG_RETENTION_MINUTES = "log.retention.minutes";
    public static final String LOG_RETENTION_HOURS = "log.retention.hours";
    public static final String LOG_RETENTION_BYTES = "log.retention.bytes";
    public static final String LOG_CLEANUP_POLICY = "log.cleanup.policy";
    public static final String LOG_CLEANER_DELETE_RETENTION_MS = "log.cleaner.delete.retention.ms";
    public static final String LOG_CLEANER_MIN_COMPACTION_LAG_MS = "log.cleaner.min.compaction.lag.ms";
    public static final String LOG_CLEANER_MAX_COMPACTION_LAG_MS = "log.cleaner.max.compaction.lag.ms";
    public static final String LOG_CLEANER_MIN_CLEANABLE_RATIO = "log.cleaner.min.cleanable.ratio";
    public static final String LOG_MESSAGE_TIMESTAMP_TYPE = "log.message.timestamp.type";
    public static final String LOG_SEGMENT_DELETE_DELAY_MS = "log.segment.delete.delay.ms";
    public static final String LOG_PREALLOCATE = "log.preallocate";
    public static final String PRODUCER_ID_EXPIRATION_MS = "producer.id.expiration.ms";
    public static final String PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS = "producer.id.expiration.check.interval.ms";
    public static final String HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS = "replica.high.watermark.checkpoint.interval.ms";

    private static final long HOUR_MS = 60L * 60 * 1000;
    private static final long MINUTE_MS = 60L * 1000;
    /** Upper bound on threads, so a typo cannot start thousands. */
    private static final int THREADS_MAX = 256;

    public LogManagerConfig {
        logDirs = List.copyOf(logDirs);
        require(!logDirs.isEmpty(), LOG_DIRS, logDirs);
        require(retentionCheckIntervalMs >= 1, RETENTION_CHECK_INTERVAL_MS, retentionCheckIntervalMs);
        require(flushSchedulerIntervalMs >= 1, FLUSH_SCHEDULER_INTERVAL_MS, flushSchedulerIntervalMs);
        require(flushOffsetCheckpointIntervalMs >= 1, FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS,
                flushOffsetCheckpointIntervalMs);
        require(flushStartOffsetCheckpointIntervalMs >= 1, FLUSH_START_OFFSET_CHECKPOINT_INTERVAL_MS,
                flushStartOffsetCheckpointIntervalMs);
        require(recoveryThreadsPerDataDir >= 1 && recoveryThreadsPerDataDir <= THREADS_MAX,
                NUM_RECOVERY_THREADS_PER_DATA_DIR, recoveryThreadsPerDataDir);
        require(backgroundThreads >= 1 && backgroundThreads <= THREADS_MAX, BACKGROUND_THREADS, backgroundThreads);
        require(segmentOpenFilesMax >= 1, SEGMENT_OPEN_FILES_MAX, segmentOpenFilesMax);
        require(segmentOpenIdleMs >= 0, SEGMENT_OPEN_IDLE_MS, segmentOpenIdleMs);
        require(producerIdExpirationMs >= 1, PRODUCER_ID_EXPIRATION_MS, producerIdExpirationMs);
        require(producerIdExpirationCheckIntervalMs >= 1, PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS,
                producerIdExpirationCheckIntervalMs);
        require(highWatermarkCheckpointIntervalMs >= 1, HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS,
                highWatermarkCheckpointIntervalMs);
        if (defaultLogConfig == null || cleanerConfig == null) {
            throw new IllegalArgumentException("defaultLogConfig and cleanerConfig must not be null");
        }
    }

    private static void require(boolean valid, String key, Object value) {
        if (!valid) {
            throw new IllegalArgumentException("Invalid value " + value + " for configuration " + key);
        }
    }

    /** Kafka's defaults, with the data in {@code logDir}. */
    public static LogManagerConfig defaults(Path logDir) {
        return fromProperties(Map.of(LOG_DIRS, logDir.toString()));
    }

    /**
     * Reads the settings from broker properties; absent keys take Kafka's defaults and unknown keys are ignored.
     *
     * @throws IllegalArgumentException naming the key whose value is malformed or out of range
     */
    public static LogManagerConfig fromProperties(Map<String, String> properties) {
        ConfigValues values = new ConfigValues(properties);
        List<String> dirNames = values.isSet(LOG_DIRS) ? values.list(LOG_DIRS, List.of())
                : values.list(LOG_DIR, List.of(LOG_DIR_DEFAULT));
        List<Path> dirs = new ArrayList<>();
        for (String name : dirNames) {
            Path dir = Path.of(name).toAbsolutePath().normalize();
            if (dirs.contains(dir)) {
                throw values.invalid(values.isSet(LOG_DIRS) ? LOG_DIRS : LOG_DIR, "lists " + dir + " twice");
            }
            dirs.add(dir);
        }
        long flushSchedulerIntervalMs = values.longValue(FLUSH_SCHEDULER_INTERVAL_MS, Long.MAX_VALUE, 1);
        return new LogManagerConfig(dirs,
                values.longValue(RETENTION_CHECK_INTERVAL_MS, 300_000, 1),
                flushSchedulerIntervalMs,
                values.longValue(FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS, 60_000, 1),
                values.longValue(FLUSH_START_OFFSET_CHECKPOINT_INTERVAL_MS, 60_000, 1),
                values.intValue(NUM_RECOVERY_THREADS_PER_DATA_DIR, 2, 1),
                values.intValue(BACKGROUND_THREADS, 10, 1),
                values.intValue(SEGMENT_OPEN_FILES_MAX, 10_000, 1),
                values.longValue(SEGMENT_OPEN_IDLE_MS, 600_000, 0),
                topicDefaults(values, flushSchedulerIntervalMs),
                LogCleanerConfig.fromProperties(properties),
                values.longValue(PRODUCER_ID_EXPIRATION_MS, 86_400_000, 1),
                values.longValue(PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS, 600_000, 1),
                values.longValue(HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS, 5_000, 1));
    }

    /** Maps the broker's {@code log.*} defaults onto topic configs, blaming the broker key for a bad value. */
    private static LogConfig topicDefaults(ConfigValues values, long flushSchedulerIntervalMs) {
        LogConfig defaults = LogConfig.defaults();
        TopicDefaults topic = new TopicDefaults(values, defaults);
        topic.set(LOG_SEGMENT_BYTES, LogConfig.SEGMENT_BYTES,
                values.intValue(LOG_SEGMENT_BYTES, defaults.segmentBytes(), Integer.MIN_VALUE));
        topic.set(values.isSet(LOG_ROLL_MS) ? LOG_ROLL_MS : LOG_ROLL_HOURS, LogConfig.SEGMENT_MS,
                values.isSet(LOG_ROLL_MS) ? values.longValue(LOG_ROLL_MS, 0, 1)
                        : values.times(LOG_ROLL_HOURS, values.intValue(LOG_ROLL_HOURS, 168, 1), HOUR_MS));
        topic.set(values.isSet(LOG_ROLL_JITTER_MS) ? LOG_ROLL_JITTER_MS : LOG_ROLL_JITTER_HOURS,
                LogConfig.SEGMENT_JITTER_MS, values.isSet(LOG_ROLL_JITTER_MS)
                        ? values.longValue(LOG_ROLL_JITTER_MS, 0, 0)
                        : values.times(LOG_ROLL_JITTER_HOURS, values.intValue(LOG_ROLL_JITTER_HOURS, 0, 0), HOUR_MS));
        topic.set(LOG_INDEX_SIZE_MAX_BYTES, LogConfig.SEGMENT_INDEX_BYTES,
                values.intValue(LOG_INDEX_SIZE_MAX_BYTES, defaults.segmentIndexBytes(), Integer.MIN_VALUE));
        topic.set(LOG_INDEX_INTERVAL_BYTES, LogConfig.INDEX_INTERVAL_BYTES,
                values.intValue(LOG_INDEX_INTERVAL_BYTES, defaults.indexIntervalBytes(), Integer.MIN_VALUE));
        topic.set(MESSAGE_MAX_BYTES, LogConfig.MAX_MESSAGE_BYTES,
                values.intValue(MESSAGE_MAX_BYTES, defaults.maxMessageBytes(), Integer.MIN_VALUE));
        topic.set(LOG_FLUSH_INTERVAL_MESSAGES, LogConfig.FLUSH_MESSAGES,
                values.longValue(LOG_FLUSH_INTERVAL_MESSAGES, defaults.flushMessages(), Long.MIN_VALUE));
        // As in Kafka, an unset log.flush.interval.ms means log.flush.scheduler.interval.ms.
        topic.set(LOG_FLUSH_INTERVAL_MS, LogConfig.FLUSH_MS,
                values.longValue(LOG_FLUSH_INTERVAL_MS, flushSchedulerIntervalMs, Long.MIN_VALUE));
        topic.set(retentionKey(values), LogConfig.RETENTION_MS, retentionMs(values));
        topic.set(LOG_RETENTION_BYTES, LogConfig.RETENTION_BYTES,
                values.longValue(LOG_RETENTION_BYTES, defaults.retentionBytes(), Long.MIN_VALUE));
        topic.set(LOG_CLEANUP_POLICY, LogConfig.CLEANUP_POLICY,
                String.join(",", values.list(LOG_CLEANUP_POLICY, List.of("delete"))));
        topic.set(LOG_CLEANER_DELETE_RETENTION_MS, LogConfig.DELETE_RETENTION_MS,
                values.longValue(LOG_CLEANER_DELETE_RETENTION_MS, defaults.deleteRetentionMs(), Long.MIN_VALUE));
        topic.set(LOG_CLEANER_MIN_COMPACTION_LAG_MS, LogConfig.MIN_COMPACTION_LAG_MS,
                values.longValue(LOG_CLEANER_MIN_COMPACTION_LAG_MS, defaults.minCompactionLagMs(), Long.MIN_VALUE));
        topic.set(LOG_CLEANER_MAX_COMPACTION_LAG_MS, LogConfig.MAX_COMPACTION_LAG_MS,
                values.longValue(LOG_CLEANER_MAX_COMPACTION_LAG_MS, defaults.maxCompactionLagMs(), Long.MIN_VALUE));
        topic.set(LOG_CLEANER_MIN_CLEANABLE_RATIO, LogConfig.MIN_CLEANABLE_DIRTY_RATIO,
                values.doubleValue(LOG_CLEANER_MIN_CLEANABLE_RATIO, defaults.minCleanableDirtyRatio(), 0, 1));
        topic.set(LOG_MESSAGE_TIMESTAMP_TYPE, LogConfig.MESSAGE_TIMESTAMP_TYPE,
                values.string(LOG_MESSAGE_TIMESTAMP_TYPE, defaults.timestampType().configName()));
        topic.set(LOG_SEGMENT_DELETE_DELAY_MS, LogConfig.FILE_DELETE_DELAY_MS,
                values.longValue(LOG_SEGMENT_DELETE_DELAY_MS, defaults.fileDeleteDelayMs(), Long.MIN_VALUE));
        topic.set(LOG_PREALLOCATE, LogConfig.PREALLOCATE, values.booleanValue(LOG_PREALLOCATE, defaults.preallocate()));
        return topic.result();
    }

    /** Kafka's precedence: {@code log.retention.ms} over {@code .minutes} over {@code .hours}. */
    private static String retentionKey(ConfigValues values) {
        if (values.isSet(LOG_RETENTION_MS)) {
            return LOG_RETENTION_MS;
        }
        return values.isSet(LOG_RETENTION_MINUTES) ? LOG_RETENTION_MINUTES : LOG_RETENTION_HOURS;
    }

    /** Retention in ms by Kafka's precedence; any negative value means unlimited (-1), as in Kafka. */
    private static long retentionMs(ConfigValues values) {
        long millis;
        if (values.isSet(LOG_RETENTION_MS)) {
            millis = values.longValue(LOG_RETENTION_MS, 0, Long.MIN_VALUE);
        } else if (values.isSet(LOG_RETENTION_MINUTES)) {
            millis = values.times(LOG_RETENTION_MINUTES,
                    values.intValue(LOG_RETENTION_MINUTES, 0, Integer.MIN_VALUE), MINUTE_MS);
        } else {
            millis = values.times(LOG_RETENTION_HOURS, values.intValue(LOG_RETENTION_HOURS, 168, Integer.MIN_VALUE),
                    HOUR_MS);
        }
        return millis < 0 ? -1 : millis;
    }

    /** Applies topic overrides one by one so that a value {@link LogConfig} rejects is blamed on its broker key. */
    private static final class TopicDefaults {
        private final ConfigValues values;
        private LogConfig config;

        TopicDefaults(ConfigValues values, LogConfig start) {
            this.values = values;
            this.config = start;
        }

        void set(String brokerKey, String topicKey, Object value) {
            try {
                config = config.with(topicKey, value);
            } catch (IllegalArgumentException e) {
                throw values.invalid(brokerKey, e.getMessage());
            }
        }

        LogConfig result() {
            return config;
        }
    }
}
