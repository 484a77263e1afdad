package io.fjord.broker.delayed;

import java.time.InstantSource;
import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds {@link DelayedOperation}s until their condition holds or they time out (Kafka's purgatory): delayed fetches
 * wait for data, {@code acks=all} produces wait for the ISR.
 *
 * <p>Usage: a request handler calls {@link #tryCompleteElseWatch} with the operation and the keys whose changes can
 * complete it (its partitions); whoever changes a key's state (an append, a high-watermark move) calls
 * {@link #checkAndComplete} for it afterwards. An operation completes as soon as a check finds its condition true,
 * or when its timeout passes, exactly once.
 *
 * <p>Time: timeouts are kept in a {@link TimingWheelTimer} that moves only when {@link #advanceClock(long)} is
 * called. Tests call it with a manual clock; production calls {@link #start()}, which starts one reaper thread that
 * advances the timer by the clock and purges the watch lists. The constructor starts no thread.
 *
 * <p>Memory: completed operations leave the watch lists of keys that are checked; operations that completed while
 * watching other, quiet keys are dropped by a purge of all watch lists once more than {@code purgeInterval}
 * operations have been watched since the last purge beyond those still delayed (Kafka's rule). Empty watch lists
 * are removed.
 *
 * <p>Thread-safe: any number of request-handler threads may call every method at once. A watch-list registration
 * and the removal of an empty watch list are atomic per key (both run inside {@link ConcurrentHashMap#compute}), so
 * an operation is never added to a list that is being dropped.
 *
 * @param <T> the operation type
 */
public final class DelayedOperationPurgatory<T extends DelayedOperation> implements AutoCloseable {
    public static final int DEFAULT_PURGE_INTERVAL = 1000;
    static final long REAPER_MAX_WAIT_MS = 200;

    private static final Logger log = LoggerFactory.getLogger(DelayedOperationPurgatory.class);

    private final String name;
    private final InstantSource clock;
    private final TimingWheelTimer timer;
    private final int purgeInterval;
    private final ConcurrentHashMap<Object, WatchList<T>> watchListsByKey = new ConcurrentHashMap<>();
    private final AtomicInteger estimatedWatchedOperations = new AtomicInteger();
    private final Object lifecycleLock = new Object();
    private Thread reaper;
    private volatile boolean running;

    public DelayedOperationPurgatory(String name, InstantSource clock) {
        this(name, clock, new TimingWheelTimer(clock), DEFAULT_PURGE_INTERVAL);
    }

    public DelayedOperationPurgatory(String name, InstantSource clock, TimingWheelTimer timer, int purgeInterval) {
        if (purgeInterval < 0) {
            throw new IllegalArgumentException("purgeInterval must not be negative: " + purgeInterval);
        }
        this.name = Objects.requireNonNull(name, "name");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.timer = Objects.requireNonNull(timer, "timer");
        this.purgeInterval = purgeInterval;
    }

    /**
     * Completes the operation now if it can; otherwise watches it under every key and schedules its timeout.
     * Returns true if this call completed it. With no keys the operation only waits for its timeout (or a direct
     * {@link DelayedOperation#forceComplete()}).
     */
    public boolean tryCompleteElseWatch(T operation, Collection<?> keys) {
        Objects.requireNonNull(operation, "operation");
        for (Object key : keys) {
            Objects.requireNonNull(key, "key");
        }
        boolean completedHere = operation.safeTryCompleteOrElse(() -> {
            for (Object key : keys) {
                watch(key, operation);
            }
            if (!keys.isEmpty()) {
                estimatedWatchedOperations.incrementAndGet();
            }
        });
        if (completedHere || operation.isCompleted()) {
            return completedHere;
        }
        timer.add(operation);
        if (operation.isCompleted()) {
            // Completed between the check and the scheduling: take it out of the timer again.
            operation.cancel();
        }
        return false;
    }

    /** Tries to complete the operations watching the key; returns how many this call completed. */
    public int checkAndComplete(Object key) {
        WatchList<T> watchList = watchListsByKey.get(key);
        if (watchList == null) {
            return 0;
        }
        int completed = watchList.tryCompleteWatched();
        removeIfEmpty(key, watchList);
        return completed;
    }

    /**
     * Runs the timeouts due at {@code nowMs} and, if enough completed operations may linger in watch lists, purges
     * them. Called by the reaper thread, or by tests with a manual clock.
     */
    public void advanceClock(long nowMs) {
        timer.advanceClock(nowMs);
        if (estimatedWatchedOperations.get() - timer.size() > purgeInterval) {
            purgeCompleted();
        }
    }

    /** Drops completed operations from every watch list and empty watch lists; returns the entries dropped. */
    public int purgeCompleted() {
        // After the purge only live operations remain; counting from the delayed ones restarts the estimate.
        estimatedWatchedOperations.set(timer.size());
        int purged = 0;
        for (var entry : watchListsByKey.entrySet()) {
            purged += entry.getValue().purgeCompleted();
            removeIfEmpty(entry.getKey(), entry.getValue());
        }
        return purged;
    }

    /** Operations in watch lists, counted once per key (Kafka's "watched" metric); includes completed ones not yet dropped. */
    public int watchedCount() {
        int count = 0;
        for (WatchList<T> watchList : watchListsByKey.values()) {
            count += watchList.size();
        }
        return count;
    }

    /** Keys that have a watch list. */
    public int watchedKeyCount() {
        return watchListsByKey.size();
    }

    /** Operations waiting for their timeout (Kafka's "delayed" metric). */
    public int delayedCount() {
        return timer.size();
    }

    public String name() {
        return name;
    }

    /** Starts the reaper thread that advances the timer by the clock. Idempotent. */
    public void start() {
        synchronized (lifecycleLock) {
            if (reaper != null) {
                return;
            }
            running = true;
            reaper = new Thread(this::reap, "fjord-purgatory-reaper-" + name);
            reaper.setDaemon(true);
            reaper.start();
        }
    }

    /** Stops the reaper thread, if started, and waits for it. Operations still waiting stay incomplete. */
    @Override
    public void close() {
        Thread thread;
        synchronized (lifecycleLock) {
            thread = reaper;
            reaper = null;
            running = false;
        }
        if (thread != null) {
            thread.interrupt();
            timer.close();
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void reap() {
        while (running) {
            try {
                advanceClock(clock.millis());
                timer.awaitNextExpiration(REAPER_MAX_WAIT_MS);
            } catch (InterruptedException e) {
                if (!running) {
                    return;
                }
            } catch (RuntimeException e) {
                log.error("Purgatory {}: expiring operations failed", name, e);
            }
        }
    }

    private void watch(Object key, T operation) {
        watchListsByKey.compute(key, (k, existing) -> {
            WatchList<T> watchList = existing != null ? existing : new WatchList<>();
            watchList.watch(operation);
            return watchList;
        });
    }

    private void removeIfEmpty(Object key, WatchList<T> watchList) {
        if (watchList.isEmpty()) {
            watchListsByKey.computeIfPresent(key, (k, current) -> current == watchList && current.isEmpty() ? null : current);
        }
    }
}
