package io.fjord.storage;

import io.fjord.storage.internal.ConfigValues;
import java.util.Map;

/**
 * The broker settings of the log cleaner, under Kafka's {@code server.properties} names and with Kafka's defaults.
 * The per-topic settings (cleanup.policy, delete.retention.ms, min/max.compaction.lag.ms, min.cleanable.dirty.ratio)
 * live in {@link LogConfig}. Immutable and thread-safe.
 *
 * @param enabled                    {@code log.cleaner.enable}: whether {@link LogCleaner#start()} starts threads
 * @param threads                    {@code log.cleaner.threads}: cleaner threads
 * @param dedupeBufferSizeBytes      {@code log.cleaner.dedupe.buffer.size}: memory for the offset maps of all
 *                                   threads together (each thread gets its share)
 * @param ioBufferSizeBytes          {@code log.cleaner.io.buffer.size}: memory for a thread's write buffer
 * @param ioBufferLoadFactor         {@code log.cleaner.io.buffer.load.factor}: how full an offset map may get
 * @param backoffMs                  {@code log.cleaner.backoff.ms}: wait when no log needs cleaning
 * @param ioMaxBytesPerSecond        {@code log.cleaner.io.max.bytes.per.second}: parsed; not enforced yet
 */
public record LogCleanerConfig(boolean enabled, int threads, long dedupeBufferSizeBytes, int ioBufferSizeBytes,
                               double ioBufferLoadFactor, long backoffMs, double ioMaxBytesPerSecond) {

    public static final String ENABLE = "log.cleaner.enable";
    public static final String THREADS = "log.cleaner.threads";
    public static final String DEDUPE_BUFFER_SIZE = "log.cleaner.dedupe.buffer.size";
    public static final String IO_BUFFER_SIZE = "log.cleaner.io.buffer.size";
    public static final String IO_BUFFER_LOAD_FACTOR = "log.cleaner.io.buffer.load.factor";
    public static final String BACKOFF_MS = "log.cleaner.backoff.ms";
    public static final String IO_MAX_BYTES_PER_SECOND = "log.cleaner.io.max.bytes.per.second";

    /** Bytes of one offset-map slot: a 16-byte MD5 of the key and an 8-byte offset. */
    public static final int OFFSET_MAP_SLOT_BYTES = 24;

    public LogCleanerConfig {
        require(threads >= 1, THREADS, threads);
        require(dedupeBufferSizeBytes / threads >= OFFSET_MAP_SLOT_BYTES * 2L, DEDUPE_BUFFER_SIZE,
                dedupeBufferSizeBytes);
        require(ioBufferSizeBytes >= 0, IO_BUFFER_SIZE, ioBufferSizeBytes);
        require(ioBufferLoadFactor > 0 && ioBufferLoadFactor <= 1, IO_BUFFER_LOAD_FACTOR, ioBufferLoadFactor);
        require(backoffMs >= 0, BACKOFF_MS, backoffMs);
        require(ioMaxBytesPerSecond > 0, IO_MAX_BYTES_PER_SECOND, ioMaxBytesPerSecond);
    }

    /** Kafka's defaults. */
    public static LogCleanerConfig defaults() {
        return new LogCleanerConfig(true, 1, 128L * 1024 * 1024, 512 * 1024, 0.9, 15_000, Double.MAX_VALUE);
    }

    /** The defaults overridden by whichever of the names above {@code properties} holds; other keys are ignored. */
    public static LogCleanerConfig fromProperties(Map<String, String> properties) {
        LogCleanerConfig defaults = defaults();
        ConfigValues values = new ConfigValues(properties);
        // Ranges are checked by the constructor; here only the types.
        return new LogCleanerConfig(
                values.booleanValue(ENABLE, defaults.enabled),
                values.intValue(THREADS, defaults.threads, Integer.MIN_VALUE),
                values.longValue(DEDUPE_BUFFER_SIZE, defaults.dedupeBufferSizeBytes, Long.MIN_VALUE),
                values.intValue(IO_BUFFER_SIZE, defaults.ioBufferSizeBytes, Integer.MIN_VALUE),
                values.doubleValue(IO_BUFFER_LOAD_FACTOR, defaults.ioBufferLoadFactor, -Double.MAX_VALUE,
                        Double.MAX_VALUE),
                values.longValue(BACKOFF_MS, defaults.backoffMs, Long.MIN_VALUE),
                values.doubleValue(IO_MAX_BYTES_PER_SECOND, defaults.ioMaxBytesPerSecond, -Double.MAX_VALUE,
                        Double.MAX_VALUE));
    }

    /** The offset-map memory of one cleaner thread. */
    public long dedupeBufferSizeBytesPerThread() {
        return dedupeBufferSizeBytes / threads;
    }

    public LogCleanerConfig withDedupeBufferSizeBytes(long bytes) {
        return new LogCleanerConfig(enabled, threads, bytes, ioBufferSizeBytes, ioBufferLoadFactor, backoffMs,
                ioMaxBytesPerSecond);
    }

    public LogCleanerConfig withThreads(int count) {
        return new LogCleanerConfig(enabled, count, dedupeBufferSizeBytes, ioBufferSizeBytes, ioBufferLoadFactor,
                backoffMs, ioMaxBytesPerSecond);
    }

    public LogCleanerConfig withBackoffMs(long milliseconds) {
        return new LogCleanerConfig(enabled, threads, dedupeBufferSizeBytes, ioBufferSizeBytes, ioBufferLoadFactor,
                milliseconds, ioMaxBytesPerSecond);
    }

    private static void require(boolean valid, String name, Object value) {
        if (!valid) {
            throw new IllegalArgumentException("Invalid value " + value + " for configuration " + name);
        }
    }
}
