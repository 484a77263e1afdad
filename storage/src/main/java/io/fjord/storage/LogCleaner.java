package io.fjord.storage;

import io.fjord.storage.internal.cleaner.CleanableRange;
import io.fjord.storage.internal.cleaner.Cleaner;
import io.fjord.storage.internal.cleaner.CleanerCheckpoints;
import io.fjord.storage.internal.cleaner.CleanerStates;
import io.fjord.storage.internal.cleaner.CleaningAbortedException;
import io.fjord.storage.internal.cleaner.CleaningSteps;
import io.fjord.storage.internal.cleaner.OffsetMap;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compacts logs whose {@code cleanup.policy} includes {@code compact}, as Kafka's log cleaner does: it picks the log
 * with the highest dirty ratio above {@code min.cleanable.dirty.ratio} (or one whose oldest dirty record is older
 * than {@code max.compaction.lag.ms}), keeps the latest record of each key, removes tombstones once their delete
 * horizon has passed (KIP-534), and swaps the cleaned segments in crash-safely. The first dirty offset of each
 * partition is kept in a {@code cleaner-offset-checkpoint} file in each log directory.
 *
 * <p>Usage: {@link #start()} runs {@code log.cleaner.threads} threads until {@link #shutdown()};
 * {@link #cleanOnce()} and {@link #clean(PartitionLog)} clean synchronously on the caller's thread. Before a log is
 * truncated or deleted, call {@link #abortAndPause} (and {@link #resume} after a truncation, with
 * {@link #updateCheckpointAfterTruncation}); {@link #abortCleaning} also forgets a deleted log's checkpoint.
 *
 * <p>Thread-safe. Each cleaner thread owns an offset map of {@code log.cleaner.dedupe.buffer.size / threads} bytes;
 * synchronous calls share one more such map and run one at a time. A partition is cleaned by one thread at a time.
 */
public final class LogCleaner {
    private static final Logger LOG = LoggerFactory.getLogger(LogCleaner.class);
    /** How long {@link #abortAndPause} waits for a running clean to notice the abort. */
    private static final Duration ABORT_WAIT = Duration.ofMinutes(5);

    private final LogCleanerConfig config;
    private final Supplier<? extends Collection<PartitionLog>> logs;
    private final InstantSource clock;
    private final CleaningSteps steps;
    private final CleanerStates states = new CleanerStates();
    private final CleanerCheckpoints checkpoints = new CleanerCheckpoints();
    private final Set<TopicPartition> uncleanable = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lifecycleLock = new ReentrantLock();
    private final Condition stopping = lifecycleLock.newCondition();
    private final List<Thread> threads = new ArrayList<>();
    private final ReentrantLock callerLock = new ReentrantLock();
    private final AtomicInteger offsetMapsMade = new AtomicInteger();
    private Cleaner callerCleaner;
    private volatile boolean running;
    private boolean started;

    /**
     * @param logs the logs to consider, asked anew before each choice (the log manager's current logs)
     */
    public LogCleaner(LogCleanerConfig config, Supplier<? extends Collection<PartitionLog>> logs,
                      InstantSource clock) {
        this(config, logs, clock, CleaningSteps.NONE);
    }

    /** With an observer of the swap steps, for crash tests. */
    LogCleaner(LogCleanerConfig config, Supplier<? extends Collection<PartitionLog>> logs, InstantSource clock,
               CleaningSteps steps) {
        this.config = config;
        this.logs = logs;
        this.clock = clock;
        this.steps = steps;
    }

    public LogCleanerConfig config() {
        return config;
    }

    // ---------------------------------------------------------------- threads

    /** Starts the cleaner threads, unless {@code log.cleaner.enable} is false. May be called once. */
    public void start() {
        lifecycleLock.lock();
        try {
            if (started) {
                throw new IllegalStateException("the log cleaner was already started");
            }
            started = true;
            for (PartitionLog log : List.copyOf(logs.get())) {
                checkpoints.register(log); // reads each log directory's checkpoint file
            }
            if (!config.enabled()) {
                LOG.info("Log cleaner disabled ({}=false)", LogCleanerConfig.ENABLE);
                return;
            }
            running = true;
            for (int index = 0; index < config.threads(); index++) {
                Thread thread = new Thread(this::runThread, "fjord-log-cleaner-" + index);
                thread.setDaemon(true);
                threads.add(thread);
            }
        } finally {
            lifecycleLock.unlock();
        }
        threads.forEach(Thread::start);
    }

    /** Stops the threads (a running clean is aborted, its output discarded) and waits for them to end. */
    public void shutdown() {
        lifecycleLock.lock();
        try {
            running = false;
            stopping.signalAll();
        } finally {
            lifecycleLock.unlock();
        }
        boolean interrupted = false;
        for (Thread thread : threads) {
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean isRunning() {
        return running;
    }

    private void runThread() {
        // The offset map (log.cleaner.dedupe.buffer.size, 128 MiB by default) is made at the first clean: zeroing it
        // cost a node about 0.4 s of CPU at start-up, when most nodes have nothing to clean yet.
        Cleaner[] owned = new Cleaner[1];
        Supplier<Cleaner> cleaner = () -> {
            if (owned[0] == null) {
                owned[0] = newCleaner();
            }
            return owned[0];
        };
        while (running) {
            Optional<CleaningResult> result = Optional.empty();
            try {
                result = cleanFilthiest(cleaner, () -> !running, true);
            } catch (RuntimeException e) {
                LOG.error("Log cleaner thread failed to choose a log; backing off", e);
            }
            if (result.isEmpty()) {
                backOff();
            }
        }
    }

    private void backOff() {
        lifecycleLock.lock();
        try {
            long remainingNanos = TimeUnit.MILLISECONDS.toNanos(config.backoffMs());
            while (running && remainingNanos > 0) {
                remainingNanos = stopping.awaitNanos(remainingNanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        } finally {
            lifecycleLock.unlock();
        }
    }

    /** How many offset maps the threads and the callers' cleaner have made so far (each thread makes one at most). */
    int offsetMapsMade() {
        return offsetMapsMade.get();
    }

    private Cleaner newCleaner() {
        offsetMapsMade.incrementAndGet();
        OffsetMap map = new OffsetMap(config.dedupeBufferSizeBytesPerThread(), config.ioBufferLoadFactor());
        return new Cleaner(map, config.ioBufferSizeBytes(), clock, steps);
    }

    // ---------------------------------------------------------------- synchronous cleaning

    /**
     * Cleans the log that most needs it, if any log is eligible, on the caller's thread. Empty if none was, or if the
     * clean was aborted.
     */
    public Optional<CleaningResult> cleanOnce() {
        callerLock.lock();
        try {
            return cleanFilthiest(this::callerCleaner, () -> false, false);
        } finally {
            callerLock.unlock();
        }
    }

    /**
     * Cleans {@code log} now whatever its dirty ratio (compaction lags, the high watermark and the active segment
     * still bound what is cleaned). Empty if nothing is cleanable, the partition is paused or being cleaned, or the
     * clean was aborted.
     */
    public Optional<CleaningResult> clean(PartitionLog log) {
        callerLock.lock();
        try {
            if (!log.config().compact() || !states.tryBegin(log.topicPartition())) {
                return Optional.empty();
            }
            return cleanClaimed(callerCleaner(), log, () -> false, false);
        } finally {
            callerLock.unlock();
        }
    }

    private Cleaner callerCleaner() {
        if (callerCleaner == null) {
            callerCleaner = newCleaner();
        }
        return callerCleaner;
    }

    private Optional<CleaningResult> cleanFilthiest(Supplier<Cleaner> cleaner, BooleanSupplier stop,
                                                    boolean background) {
        long nowMs = clock.millis();
        CleanableRange best = null;
        for (PartitionLog log : List.copyOf(logs.get())) {
            TopicPartition partition = log.topicPartition();
            if (!log.config().compact() || log.isClosed() || uncleanable.contains(partition)
                    || states.isPaused(partition) || states.inProgress().contains(partition)) {
                continue;
            }
            try {
                CleanableRange range = CleanableRange.of(log, checkpoint(log), nowMs);
                if (range.isEligible() && (best == null || range.dirtyRatio() > best.dirtyRatio())) {
                    best = range;
                }
            } catch (RuntimeException e) {
                LOG.warn("Cannot assess {} for cleaning: {}", partition, e.toString());
            }
        }
        if (best == null || !states.tryBegin(best.log().topicPartition())) {
            return Optional.empty();
        }
        return cleanClaimed(cleaner.get(), best.log(), stop, background);
    }

    /** Cleans a log already claimed in {@link #states}; always releases the claim. */
    private Optional<CleaningResult> cleanClaimed(Cleaner cleaner, PartitionLog log, BooleanSupplier stop,
                                                  boolean background) {
        TopicPartition partition = log.topicPartition();
        try {
            // Computed after the claim, so a truncation that happened before it is seen.
            CleanableRange range = CleanableRange.of(log, checkpoint(log), clock.millis());
            if (!range.hasDirtyData()) {
                return Optional.empty();
            }
            CleaningResult result = cleaner.clean(range,
                    () -> stop.getAsBoolean() || states.isAborting(partition));
            checkpoints.update(log, result.endOffset());
            return Optional.of(result);
        } catch (CleaningAbortedException e) {
            LOG.info("Clean of {} stopped: {}", partition, e.getMessage());
            return Optional.empty();
        } catch (RuntimeException e) {
            if (!background) {
                throw e;
            }
            LOG.error("Cleaning {} failed; it will not be cleaned again until the broker restarts", partition, e);
            uncleanable.add(partition);
            return Optional.empty();
        } finally {
            states.end(partition);
        }
    }

    private long checkpoint(PartitionLog log) {
        OptionalLong offset = checkpoints.firstDirtyOffset(log);
        return offset.isPresent() ? offset.getAsLong() : -1;
    }

    // ---------------------------------------------------------------- coordination with truncation and deletion

    /**
     * Stops a running clean of {@code partition} (discarding its output) and keeps the partition from being cleaned
     * until {@link #resume}; returns once no clean of it runs. Call before truncating or deleting its log.
     */
    public void abortAndPause(TopicPartition partition) {
        states.abortAndPause(partition, ABORT_WAIT);
    }

    /** Undoes one {@link #abortAndPause}. */
    public void resume(TopicPartition partition) {
        states.resume(partition);
    }

    /** Aborts any clean of a log about to be deleted and forgets its checkpoint. */
    public void abortCleaning(TopicPartition partition) {
        states.abortAndPause(partition, ABORT_WAIT);
        try {
            checkpoints.remove(partition);
            uncleanable.remove(partition);
        } finally {
            states.resume(partition);
        }
    }

    /** Lowers the checkpointed first dirty offset of {@code partition} to {@code offset} after a truncation. */
    public void updateCheckpointAfterTruncation(TopicPartition partition, long offset) {
        for (PartitionLog log : List.copyOf(logs.get())) {
            if (log.topicPartition().equals(partition)) {
                checkpoints.register(log);
            }
        }
        checkpoints.truncate(partition, offset);
    }

    /** The checkpointed first dirty offsets known so far (read from each log directory's file on first use). */
    public Map<TopicPartition, Long> checkpoints() {
        return checkpoints.all();
    }

    /** Partitions whose cleaning failed; they are skipped. */
    public Set<TopicPartition> uncleanablePartitions() {
        return Set.copyOf(uncleanable);
    }
}
