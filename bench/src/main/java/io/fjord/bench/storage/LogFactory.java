package io.fjord.bench.storage;

import io.fjord.storage.LogConfig;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.internal.SegmentHandleCache;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** Opens partition logs the way the broker does, with Kafka's default topic config. Stateless and thread-safe. */
final class LogFactory {
    /** Kafka's default {@code segment.bytes}; the raw-file baselines roll at the same size. */
    static final int SEGMENT_BYTES = 1024 * 1024 * 1024;
    /** Leader epoch stamped on appended batches. */
    static final int LEADER_EPOCH = 7;

    private LogFactory() {
    }

    /**
     * Kafka's defaults: 1 GiB segments, no fsync per append ({@code flush.messages} and {@code flush.ms} unbounded;
     * a rolled segment is flushed in the background as Kafka does), an index entry every 4 KiB, files of deleted
     * segments removed at once.
     */
    static LogConfig config() {
        return LogConfig.defaults()
                .with(LogConfig.SEGMENT_BYTES, SEGMENT_BYTES)
                .with(LogConfig.FILE_DELETE_DELAY_MS, 0);
    }

    static PartitionLog open(Path partitionDirectory, ScheduledExecutorService background) {
        return PartitionLog.open(partitionDirectory, config(), 0, 0, true, InstantSource.system(),
                SegmentHandleCache.unbounded(), background);
    }

    static ScheduledExecutorService background() {
        return Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "bench-log-background");
            thread.setDaemon(true);
            return thread;
        });
    }
}
