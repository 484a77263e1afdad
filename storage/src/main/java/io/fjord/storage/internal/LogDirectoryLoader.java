package io.fjord.storage.internal;

import io.fjord.storage.LogConfig;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.StorageException;
import io.fjord.storage.TopicPartition;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads every partition log of one data directory at start-up, {@code num.recovery.threads.per.data.dir} at a time:
 * removes directories of deleted topics ({@code ...-delete}), skips names that are not {@code <topic>-<partition>}
 * (and the KRaft metadata log, which its own module owns), and opens each log with its checkpointed recovery point
 * log start offset and high watermark, recovering it if the last shutdown was unclean.
 *
 * <p>Thread-safety: {@link #start()} and {@link #awaitLogs()} are called by one thread (the log manager's start-up);
 * the loads themselves run on this loader's own pool, which {@link #close()} stops.
 */
public final class LogDirectoryLoader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogDirectoryLoader.class);
    /** Suffix of a partition directory renamed for asynchronous deletion. */
    public static final String DELETE_DIRECTORY_SUFFIX = "-delete";
    /** The KRaft metadata log lives in the first log directory by default but is not a partition log. */
    private static final String METADATA_TOPIC = "__cluster_metadata";

    /** What every load needs besides the directory. */
    public record Context(Function<String, LogConfig> configForTopic, InstantSource clock,
                          SegmentHandleCache handleCache, ScheduledExecutorService background) {
    }

    private final LogDirectory directory;
    private final int threads;
    private final Context context;
    private final List<Future<PartitionLog>> loads = new ArrayList<>();
    private ExecutorService pool;
    private boolean cleanShutdown;
    private OptionalLong cleanShutdownBrokerEpoch = OptionalLong.empty();

    public LogDirectoryLoader(LogDirectory directory, int threads, Context context) {
        this.directory = directory;
        this.threads = threads;
        this.context = context;
    }

    /** Starts loading in the background; returns at once. */
    public void start() {
        cleanShutdown = directory.hasCleanShutdownMarker();
        cleanShutdownBrokerEpoch = directory.readCleanShutdownBrokerEpoch();
        Map<TopicPartition, Long> recoveryPoints = directory.readRecoveryPoints();
        Map<TopicPartition, Long> logStartOffsets = directory.readLogStartOffsets();
        Map<TopicPartition, Long> highWatermarks = directory.readHighWatermarks();
        List<Path> partitionDirectories = partitionDirectories();
        if (partitionDirectories.isEmpty()) {
            // A new directory has no marker, yet there is nothing to recover: not worth an "unclean" alarm.
            LOG.info("No logs to load from {}", directory);
        } else if (cleanShutdown) {
            LOG.info("Loading {} logs from {} after a clean shutdown", partitionDirectories.size(), directory);
        } else {
            LOG.info("Loading {} logs from {} after an unclean shutdown: recovering them from their recovery points",
                    partitionDirectories.size(), directory);
        }
        pool = Executors.newFixedThreadPool(threads,
                new NamedThreadFactory("fjord-log-recovery-" + directory.path().getFileName() + "-"));
        boolean clean = cleanShutdown;
        for (Path partitionDirectory : partitionDirectories) {
            TopicPartition partition = TopicPartition.fromDirectoryName(partitionDirectory.getFileName().toString());
            LogConfig config = context.configForTopic().apply(partition.topic());
            loads.add(pool.submit(() -> PartitionLog.open(partitionDirectory, config,
                    recoveryPoints.getOrDefault(partition, 0L), logStartOffsets.getOrDefault(partition, 0L),
                    highWatermarks.getOrDefault(partition, 0L), clean, context.clock(), context.handleCache(),
                    context.background())));
        }
    }

    /**
     * Waits for every load (recovery of a large log may take long, as in Kafka, so there is no time limit), then
     * removes the clean-shutdown marker. On any failure the logs already opened are closed and the failure raised.
     */
    public List<PartitionLog> awaitLogs() {
        List<PartitionLog> logs = new ArrayList<>();
        RuntimeException failure = null;
        for (Future<PartitionLog> load : loads) {
            try {
                logs.add(load.get());
            } catch (ExecutionException e) {
                failure = chain(failure, new StorageException("cannot load a log in " + directory + ": "
                        + e.getCause().getMessage(), e.getCause()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = chain(failure, new StorageException("interrupted while loading logs in " + directory));
                break;
            }
        }
        if (failure != null) {
            logs.forEach(PartitionLog::closeAbruptly); // leave them for the next start's recovery
            throw failure;
        }
        directory.deleteCleanShutdownMarker();
        if (!logs.isEmpty()) {
            LOG.info("Loaded {} logs from {}", logs.size(), directory);
        }
        return logs;
    }

    private static RuntimeException chain(RuntimeException first, RuntimeException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    public boolean cleanShutdown() {
        return cleanShutdown;
    }

    /** The broker epoch the clean-shutdown marker recorded, read by {@link #start()}; empty if none (KIP-966). */
    public OptionalLong cleanShutdownBrokerEpoch() {
        return cleanShutdownBrokerEpoch;
    }

    /** Partition directories to load; deletes leftovers of deleted topics on the way. */
    private List<Path> partitionDirectories() {
        List<Path> result = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory.path(), Files::isDirectory)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.endsWith(DELETE_DIRECTORY_SUFFIX)) {
                    LOG.info("Removing {}, left over from a deleted partition", entry);
                    deleteRecursively(entry);
                    continue;
                }
                TopicPartition partition;
                try {
                    partition = TopicPartition.fromDirectoryName(name);
                } catch (IllegalArgumentException e) {
                    LOG.warn("Skipping {} in the log directory: not a <topic>-<partition> directory", entry);
                    continue;
                }
                if (!partition.topic().equals(METADATA_TOPIC)) {
                    result.add(entry);
                }
            }
        } catch (IOException e) {
            throw new StorageException("cannot list the log directory " + directory, e);
        }
        result.sort(null);
        return result;
    }

    /** Deletes a directory and everything below it. */
    public static void deleteRecursively(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new StorageException("cannot delete " + root, e);
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
