package io.fjord.storage;

import io.fjord.storage.internal.LogDirectory;
import io.fjord.storage.internal.LogDirectoryLoader;
import io.fjord.storage.internal.NamedThreadFactory;
import io.fjord.storage.internal.OffsetCheckpointFile;
import io.fjord.storage.internal.SegmentHandleCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns every partition log of a node across its data directories ({@code log.dirs}): locks the directories, loads
 * and recovers the logs at start-up, places new logs, deletes them, runs the periodic log tasks (retention, time-based
 * flushes, recovery-point, log-start-offset and high-watermark checkpoints, closing idle segment files, producer-id
 * expiration) on one
 * scheduler, and shuts everything down cleanly so that the next start skips recovery. Kafka's {@code LogManager}
 * design, with Kafka's file names and checkpoint formats.
 *
 * <p>Lifecycle: the constructor does nothing; {@link #startup()} starts; {@link #shutdown()} stops and is idempotent.
 * A shut-down manager does not restart: create a new one.
 *
 * <p>Compaction: the manager owns a {@link LogCleaner} over {@link #allLogs()} ({@code log.cleaner.*} settings),
 * started at the end of {@link #startup()} and stopped first in {@link #shutdown()}, so no cleaning races the clean
 * close of the logs. Cleaning of a partition is aborted before its log is deleted, and paused around a truncation.
 *
 * <p>Thread-safety: thread-safe. Lifecycle methods are serialized on this object; creation, deletion and shutdown
 * are serialized on an internal lock so placement counts and the set of logs stay consistent; checkpoint writes are
 * serialized on another. The log map itself is concurrent, so lookups take no lock.
 */
public final class LogManager {
    private static final Logger LOG = LoggerFactory.getLogger(LogManager.class);
    /** Kafka's delay before the first run of each periodic log task, capped by the task's period. */
    private static final long INITIAL_TASK_DELAY_MS = 30_000;
    /** Bound on the wait for running periodic tasks at shutdown. */
    private static final long SCHEDULER_STOP_WAIT_MS = 30_000;
    /** Bound on the period of the idle-segment sweep, so idle files close within about idle time plus this. */
    private static final long IDLE_SWEEP_INTERVAL_MAX_MS = 60_000;
    /** Floor on the idle sweep period, so a tiny idle time cannot busy-loop the scheduler. */
    private static final long IDLE_SWEEP_INTERVAL_MIN_MS = 10;

    private enum State { NEW, RUNNING, STOPPING, STOPPED }

    private final LogManagerConfig config;
    private final InstantSource clock;
    private final SegmentHandleCache handleCache;
    private final List<LogDirectory> directories = new ArrayList<>();
    private final ConcurrentMap<TopicPartition, PartitionLog> logs = new ConcurrentHashMap<>();
    private final Object membershipLock = new Object();
    private final Object checkpointLock = new Object();

    private volatile State state = State.NEW;
    private volatile ScheduledThreadPoolExecutor scheduler;
    private volatile LogCleaner cleaner;
    /** KIP-966: the broker epoch every directory's clean-shutdown marker agreed on at start-up; empty otherwise. */
    private volatile OptionalLong previousBrokerEpoch = OptionalLong.empty();

    public LogManager(LogManagerConfig config, InstantSource clock) {
        this.config = config;
        this.clock = clock;
        this.handleCache = new SegmentHandleCache(config.segmentOpenFilesMax(), config.segmentOpenIdleMs());
        for (Path path : config.logDirs()) {
            directories.add(new LogDirectory(path));
        }
    }

    public LogManagerConfig config() {
        return config;
    }

    // ---------------------------------------------------------------- lifecycle

    /** Starts with the broker's topic defaults for every existing log. */
    public void startup() {
        startup(topic -> config.defaultLogConfig());
    }

    /**
     * Locks every data directory, loads and (after an unclean shutdown) recovers every log, then starts the periodic
     * tasks.
     *
     * @param configForTopic the settings of each existing topic (defaults plus its overrides)
     * @throws StorageException if a directory is locked by someone else or a log cannot be loaded; nothing stays
     *                          locked or running then
     */
    public synchronized void startup(Function<String, LogConfig> configForTopic) {
        if (state != State.NEW) {
            throw new IllegalStateException("the log manager was already started (state " + state + ")");
        }
        List<LogDirectory> locked = new ArrayList<>();
        ScheduledThreadPoolExecutor executor = newScheduler();
        try {
            for (LogDirectory directory : directories) {
                directory.createAndLock();
                locked.add(directory);
            }
            scheduler = executor;
            for (PartitionLog log : loadLogs(configForTopic, executor)) {
                PartitionLog duplicate = logs.putIfAbsent(log.topicPartition(), log);
                if (duplicate != null) {
                    throw new StorageException("duplicate log directories for " + log.topicPartition() + ": "
                            + duplicate.directory() + " and " + log.directory());
                }
            }
        } catch (RuntimeException e) {
            executor.shutdownNow();
            logs.values().forEach(PartitionLog::closeAbruptly);
            logs.clear();
            locked.forEach(LogDirectory::unlock);
            state = State.STOPPED;
            throw e;
        }
        schedulePeriodicTasks(executor);
        cleaner = new LogCleaner(config.cleanerConfig(), this::allLogs, clock);
        cleaner.start();
        state = State.RUNNING;
        LOG.info("Log manager started with {} logs in {}", logs.size(), config.logDirs());
    }

    private ScheduledThreadPoolExecutor newScheduler() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(config.backgroundThreads(),
                new NamedThreadFactory("fjord-log-"));
        // Delayed file deletes still pending at shutdown are dropped: the next start removes those leftovers.
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    /** Loads all directories at once, each with its own {@code num.recovery.threads.per.data.dir} threads. */
    private List<PartitionLog> loadLogs(Function<String, LogConfig> configForTopic,
                                        ScheduledThreadPoolExecutor executor) {
        LogDirectoryLoader.Context context = new LogDirectoryLoader.Context(configForTopic, clock, handleCache,
                executor);
        List<LogDirectoryLoader> loaders = new ArrayList<>();
        List<PartitionLog> loaded = new ArrayList<>();
        RuntimeException failure = null;
        try {
            for (LogDirectory directory : directories) {
                LogDirectoryLoader loader = new LogDirectoryLoader(directory, config.recoveryThreadsPerDataDir(),
                        context);
                loaders.add(loader);
                loader.start();
            }
            previousBrokerEpoch = agreedBrokerEpoch(loaders);
            for (LogDirectoryLoader loader : loaders) {
                try {
                    loaded.addAll(loader.awaitLogs());
                } catch (RuntimeException e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
        } finally {
            loaders.forEach(LogDirectoryLoader::close);
        }
        if (failure != null) {
            loaded.forEach(PartitionLog::closeAbruptly);
            throw failure;
        }
        return loaded;
    }

    /**
     * Kafka's {@code readBrokerEpochFromCleanShutdownFiles}: the broker epoch only if every directory's marker
     * records the same one; a directory without one (a crash, a new or replaced disk) makes the shutdown unclean.
     */
    private OptionalLong agreedBrokerEpoch(List<LogDirectoryLoader> loaders) {
        OptionalLong agreed = OptionalLong.empty();
        for (LogDirectoryLoader loader : loaders) {
            OptionalLong epoch = loader.cleanShutdownBrokerEpoch();
            if (epoch.isEmpty() || agreed.isPresent() && agreed.getAsLong() != epoch.getAsLong()) {
                LOG.debug("No common broker epoch in the clean-shutdown markers of {}: the next registration names"
                        + " none (KIP-966)", config.logDirs());
                return OptionalLong.empty();
            }
            agreed = epoch;
        }
        return agreed;
    }

    /**
     * The broker epoch the last clean shutdown recorded in every data directory (read by {@link #startup}, before
     * the markers are removed), for the next BrokerRegistration's {@code PreviousBrokerEpoch} (KIP-966); empty after
     * an unclean shutdown, before start-up, or when the directories disagree.
     */
    public OptionalLong previousBrokerEpoch() {
        return previousBrokerEpoch;
    }

    private void schedulePeriodicTasks(ScheduledThreadPoolExecutor executor) {
        schedule(executor, "retention", this::runRetentionOnce, config.retentionCheckIntervalMs());
        long flushCheckIntervalMs = Math.min(config.flushSchedulerIntervalMs(), config.defaultLogConfig().flushMs());
        if (flushCheckIntervalMs != Long.MAX_VALUE) {
            schedule(executor, "flush", this::flushOnTimeOnce, flushCheckIntervalMs);
        }
        schedule(executor, "recovery-point checkpoint", this::checkpointRecoveryPointsOnce,
                config.flushOffsetCheckpointIntervalMs());
        schedule(executor, "log-start-offset checkpoint", this::checkpointLogStartOffsetsOnce,
                config.flushStartOffsetCheckpointIntervalMs());
        schedule(executor, "high-watermark checkpoint", this::checkpointHighWatermarksOnce,
                config.highWatermarkCheckpointIntervalMs());
        long idleSweepIntervalMs = Math.max(IDLE_SWEEP_INTERVAL_MIN_MS,
                Math.min(config.segmentOpenIdleMs(), IDLE_SWEEP_INTERVAL_MAX_MS));
        schedule(executor, "idle segment close", this::closeIdleSegmentsOnce, idleSweepIntervalMs);
        schedule(executor, "producer id expiration", this::removeExpiredProducersOnce,
                config.producerIdExpirationCheckIntervalMs());
    }

    private static void schedule(ScheduledThreadPoolExecutor executor, String name, Runnable task, long periodMs) {
        Runnable guarded = () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("Periodic log task '{}' failed; it runs again in {} ms", name, periodMs, e);
            } catch (Error e) {
                // The scheduler would keep it in the task's future and silently stop the task: the thread's handler
                // (the node's fatal error handler) hears of it instead.
                Thread current = Thread.currentThread();
                current.getUncaughtExceptionHandler().uncaughtException(current, e);
            }
        };
        executor.scheduleWithFixedDelay(guarded, Math.min(INITIAL_TASK_DELAY_MS, periodMs), periodMs,
                TimeUnit.MILLISECONDS);
        LOG.debug("Scheduled periodic log task '{}' every {} ms", name, periodMs);
    }

    /**
     * Shuts down cleanly without a broker epoch (-1 in the markers: the next registration claims no clean shutdown).
     */
    public void shutdown() {
        shutdown(-1);
    }

    /**
     * Stops the periodic tasks (waiting, bounded, for running ones), closes every log cleanly (flushed and trimmed),
     * writes the three offset checkpoints and the clean-shutdown marker of each directory with {@code brokerEpoch}
     * (the broker's current registration, -1 if none; KIP-966), and releases the directory locks. A directory where
     * a log failed to close gets no marker, so its next start recovers. Idempotent.
     */
    public synchronized void shutdown(long brokerEpoch) {
        if (state != State.RUNNING) {
            state = State.STOPPED;
            return;
        }
        List<PartitionLog> toClose = beginStop();
        cleaner.shutdown();
        stopScheduler(false);
        Map<Path, Boolean> closedCleanly = new HashMap<>();
        for (PartitionLog log : toClose) {
            boolean ok = true;
            try {
                log.close();
            } catch (RuntimeException e) {
                ok = false;
                LOG.error("Cannot close {} cleanly; its directory will be recovered at the next start",
                        log.topicPartition(), e);
            }
            closedCleanly.merge(log.directory().getParent(), ok, Boolean::logicalAnd);
        }
        for (LogDirectory directory : directories) {
            try {
                writeCheckpoints(directory, toClose);
                if (closedCleanly.getOrDefault(directory.path(), true)) {
                    directory.writeCleanShutdownMarker(brokerEpoch);
                }
            } catch (RuntimeException e) {
                LOG.error("Cannot finish the clean shutdown of {}", directory, e);
            } finally {
                directory.unlock();
            }
        }
        logs.clear();
        state = State.STOPPED;
        LOG.info("Log manager shut down cleanly");
    }

    /**
     * Stops as a crash would: no flush, no checkpoints, no clean-shutdown marker; the files stay as they are and the
     * directory locks are released so a new manager can start on them. For tests of recovery.
     */
    synchronized void crashForTesting() {
        if (state != State.RUNNING) {
            return;
        }
        List<PartitionLog> toClose = beginStop();
        cleaner.shutdown();
        stopScheduler(true);
        toClose.forEach(PartitionLog::closeAbruptly);
        directories.forEach(LogDirectory::unlock);
        logs.clear();
        state = State.STOPPED;
    }

    private List<PartitionLog> beginStop() {
        synchronized (membershipLock) {
            state = State.STOPPING;
            return List.copyOf(logs.values());
        }
    }

    private void stopScheduler(boolean now) {
        ScheduledThreadPoolExecutor executor = scheduler;
        if (now) {
            executor.shutdownNow();
        } else {
            executor.shutdown();
        }
        try {
            if (!executor.awaitTermination(SCHEDULER_STOP_WAIT_MS, TimeUnit.MILLISECONDS)) {
                LOG.warn("Periodic log tasks did not stop within {} ms; interrupting them", SCHEDULER_STOP_WAIT_MS);
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** The log cleaner (compaction); present once started. */
    public LogCleaner cleaner() {
        return cleaner;
    }

    public boolean isRunning() {
        return state == State.RUNNING;
    }

    private void ensureRunning() {
        if (state != State.RUNNING) {
            throw new IllegalStateException("the log manager is not running (state " + state + ")");
        }
    }

    // ---------------------------------------------------------------- logs

    /**
     * The log of {@code partition}, created with {@code logConfig} in the data directory holding the fewest logs (the
     * first listed on a tie) if it does not exist. An existing log is returned unchanged (its config is not updated).
     */
    public PartitionLog getOrCreateLog(TopicPartition partition, LogConfig logConfig) {
        PartitionLog existing = logs.get(partition);
        if (existing != null) {
            return existing;
        }
        synchronized (membershipLock) {
            ensureRunning();
            existing = logs.get(partition);
            if (existing != null) {
                return existing;
            }
            LogDirectory directory = leastLoadedDirectory();
            PartitionLog log = PartitionLog.open(directory.path().resolve(partition.directoryName()), logConfig, 0, 0,
                    true, clock, handleCache, scheduler);
            logs.put(partition, log);
            LOG.debug("Created log for {} in {}", partition, directory); // callers summarise per topic
            return log;
        }
    }

    private LogDirectory leastLoadedDirectory() {
        Map<Path, Integer> counts = new HashMap<>();
        for (PartitionLog log : logs.values()) {
            counts.merge(log.directory().getParent(), 1, Integer::sum);
        }
        LogDirectory best = directories.get(0);
        for (LogDirectory directory : directories) {
            if (counts.getOrDefault(directory.path(), 0) < counts.getOrDefault(best.path(), 0)) {
                best = directory;
            }
        }
        return best;
    }

    public Optional<PartitionLog> getLog(TopicPartition partition) {
        return Optional.ofNullable(logs.get(partition));
    }

    /** A snapshot of the open logs; the log cleaner's source of logs. */
    public Collection<PartitionLog> allLogs() {
        return List.copyOf(logs.values());
    }

    /** The data directory holding {@code partition}'s log, if it exists (e.g. for per-directory cleaner files). */
    public Optional<Path> logDirectoryOf(TopicPartition partition) {
        return getLog(partition).map(log -> log.directory().getParent());
    }

    /**
     * Removes the log: closes it, renames its directory to {@code <topic>-<partition>.<uuid>-delete} (durably, so a
     * crash cannot resurrect it), and deletes the files after the log's {@code file.delete.delay.ms} in the background.
     * Returns whether the log existed.
     */
    public boolean deleteLog(TopicPartition partition) {
        PartitionLog log;
        synchronized (membershipLock) {
            ensureRunning();
            log = logs.remove(partition);
        }
        if (log == null) {
            return false;
        }
        cleaner.abortCleaning(partition);
        log.close();
        Path directory = log.directory();
        Path renamed = directory.resolveSibling(partition.directoryName() + "."
                + UUID.randomUUID().toString().replace("-", "") + LogDirectoryLoader.DELETE_DIRECTORY_SUFFIX);
        try {
            Files.move(directory, renamed, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new StorageException("cannot rename " + directory + " for deletion", e);
        }
        OffsetCheckpointFile.fsyncDirectory(directory.getParent());
        directoryOf(directory.getParent()).ifPresent(owner -> writeCheckpoints(owner, allLogs()));
        try {
            scheduler.schedule(() -> deleteRenamed(renamed), log.config().fileDeleteDelayMs(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.info("Shutting down: {} will be removed at the next start", renamed);
        }
        LOG.debug("Deleted log for {}; its files go after {} ms", partition, log.config().fileDeleteDelayMs());
        return true;
    }

    private static void deleteRenamed(Path renamed) {
        if (Files.exists(renamed)) {
            LogDirectoryLoader.deleteRecursively(renamed);
            LOG.info("Removed the files of deleted log {}", renamed);
        }
    }

    private Optional<LogDirectory> directoryOf(Path path) {
        return directories.stream().filter(directory -> directory.path().equals(path)).findFirst();
    }

    /**
     * Truncates the log to {@code offset} (replication's truncation on a leader change) and checkpoints the recovery
     * points of its directory, since truncation may lower one. Returns whether the log exists.
     */
    public boolean truncateTo(TopicPartition partition, long offset) {
        return truncate(partition, offset, log -> log.truncateTo(offset));
    }

    /**
     * Empties the log and starts it again at {@code offset} (a follower whose log ends below its leader's log start),
     * as {@link #truncateTo} does: with its cleaning paused, so no clean of the old segments is swapped in, and the
     * recovery points of its directory checkpointed, so none stays above the new log. Returns whether the log exists.
     */
    public boolean truncateFullyAndStartAt(TopicPartition partition, long offset) {
        return truncate(partition, offset, log -> log.truncateFullyAndStartAt(offset));
    }

    private boolean truncate(TopicPartition partition, long offset, Consumer<PartitionLog> cut) {
        PartitionLog log = logs.get(partition);
        if (log == null) {
            return false;
        }
        cleaner.abortAndPause(partition);
        try {
            cut.accept(log);
            cleaner.updateCheckpointAfterTruncation(partition, offset);
        } finally {
            cleaner.resume(partition);
        }
        directoryOf(log.directory().getParent()).ifPresent(directory -> {
            synchronized (checkpointLock) {
                directory.writeRecoveryPoints(offsetsOf(directory, allLogs(), PartitionLog::recoveryPoint));
            }
        });
        return true;
    }

    // ---------------------------------------------------------------- periodic tasks, runnable one at a time

    /** Deletes the segments retention allows in every log; returns how many segments went. */
    public int runRetentionOnce() {
        int deleted = 0;
        for (PartitionLog log : allLogs()) {
            try {
                deleted += log.deleteOldSegments();
            } catch (RuntimeException e) {
                logTaskFailure("retention", log, e);
            }
        }
        return deleted;
    }

    /** Flushes every log whose {@code flush.ms} has passed since its last flush. */
    public void flushOnTimeOnce() {
        for (PartitionLog log : allLogs()) {
            try {
                log.maybeFlushOnTime();
            } catch (RuntimeException e) {
                logTaskFailure("flush", log, e);
            }
        }
    }

    /** Removes, in every log, producers idle for {@code producer.id.expiration.ms}; returns how many went. */
    public int removeExpiredProducersOnce() {
        long nowMs = clock.millis();
        int removed = 0;
        for (PartitionLog log : allLogs()) {
            try {
                removed += log.removeExpiredProducers(nowMs, config.producerIdExpirationMs());
            } catch (RuntimeException e) {
                logTaskFailure("producer id expiration", log, e);
            }
        }
        return removed;
    }

    /** Writes each directory's {@code recovery-point-offset-checkpoint}. */
    public void checkpointRecoveryPointsOnce() {
        synchronized (checkpointLock) {
            Collection<PartitionLog> current = allLogs();
            for (LogDirectory directory : directories) {
                directory.writeRecoveryPoints(offsetsOf(directory, current, PartitionLog::recoveryPoint));
            }
        }
    }

    /** Writes each directory's {@code log-start-offset-checkpoint}. */
    public void checkpointLogStartOffsetsOnce() {
        synchronized (checkpointLock) {
            Collection<PartitionLog> current = allLogs();
            for (LogDirectory directory : directories) {
                directory.writeLogStartOffsets(offsetsOf(directory, current, PartitionLog::logStartOffset));
            }
        }
    }

    /**
     * Writes each directory's {@code replication-offset-checkpoint} (the high watermarks), so that a restarted node's
     * logs do not start with their high watermark at the log start.
     */
    public void checkpointHighWatermarksOnce() {
        synchronized (checkpointLock) {
            Collection<PartitionLog> current = allLogs();
            for (LogDirectory directory : directories) {
                directory.writeHighWatermarks(offsetsOf(directory, current, PartitionLog::highWatermark));
            }
        }
    }

    /** Closes the files of inactive segments unused for {@code log.segment.open.idle.ms}; returns how many. */
    public int closeIdleSegmentsOnce() {
        // Segments record their last use on the monotonic clock, so the sweep reads the same clock.
        return handleCache.closeIdle(System.nanoTime());
    }

    /** How many inactive segments hold open files and index mappings now (active segments are not counted). */
    public int openInactiveSegmentCount() {
        return handleCache.openCount();
    }

    private void writeCheckpoints(LogDirectory directory, Collection<PartitionLog> current) {
        synchronized (checkpointLock) {
            directory.writeRecoveryPoints(offsetsOf(directory, current, PartitionLog::recoveryPoint));
            directory.writeLogStartOffsets(offsetsOf(directory, current, PartitionLog::logStartOffset));
            directory.writeHighWatermarks(offsetsOf(directory, current, PartitionLog::highWatermark));
        }
    }

    private static Map<TopicPartition, Long> offsetsOf(LogDirectory directory, Collection<PartitionLog> current,
                                                       ToLongFunction<PartitionLog> offset) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (PartitionLog log : current) {
            if (log.directory().getParent().equals(directory.path())) {
                offsets.put(log.topicPartition(), offset.applyAsLong(log));
            }
        }
        return offsets;
    }

    private static void logTaskFailure(String task, PartitionLog log, RuntimeException e) {
        if (log.isClosed()) {
            LOG.debug("Skipped {} of {}: closed meanwhile", task, log.topicPartition());
        } else {
            LOG.error("{} of {} failed", task, log.topicPartition(), e);
        }
    }
}
