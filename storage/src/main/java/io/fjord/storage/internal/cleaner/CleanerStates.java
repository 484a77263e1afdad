package io.fjord.storage.internal.cleaner;

import io.fjord.storage.TopicPartition;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Which partitions are being cleaned, being aborted, or paused, as in Kafka's cleaner manager. A partition is claimed
 * for one clean at a time; {@link #abortAndPause} waits until a running clean has stopped, so that a caller may then
 * truncate or delete the log knowing no cleaned output will be swapped in afterwards. Pauses nest.
 *
 * <p>Thread-safe: one lock guards the states; a condition wakes the callers waiting for an abort.
 */
public final class CleanerStates {
    private enum Phase { IN_PROGRESS, ABORTING, PAUSED }

    private record State(Phase phase, int pauses) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<TopicPartition, State> states = new HashMap<>();

    /** Claims {@code partition} for a clean; false if it is paused, aborting or already being cleaned. */
    public boolean tryBegin(TopicPartition partition) {
        lock.lock();
        try {
            if (states.containsKey(partition)) {
                return false;
            }
            states.put(partition, new State(Phase.IN_PROGRESS, 0));
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Ends a clean claimed by {@link #tryBegin}; an abort requested meanwhile turns into a pause. */
    public void end(TopicPartition partition) {
        lock.lock();
        try {
            State state = states.get(partition);
            if (state == null) {
                return;
            }
            if (state.phase() == Phase.ABORTING && state.pauses() > 0) {
                states.put(partition, new State(Phase.PAUSED, state.pauses()));
            } else if (state.phase() == Phase.ABORTING) {
                states.remove(partition);
            } else if (state.phase() == Phase.IN_PROGRESS) {
                states.remove(partition);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Whether a running clean of {@code partition} was asked to stop. */
    public boolean isAborting(TopicPartition partition) {
        lock.lock();
        try {
            State state = states.get(partition);
            return state != null && state.phase() == Phase.ABORTING;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops a running clean of {@code partition} (its output is discarded), waits until it has stopped, and keeps
     * the partition from being cleaned until a matching {@link #resume}.
     *
     * @throws IllegalStateException if the clean does not stop within {@code timeout}
     */
    public void abortAndPause(TopicPartition partition, Duration timeout) {
        lock.lock();
        try {
            State state = states.get(partition);
            if (state == null) {
                states.put(partition, new State(Phase.PAUSED, 1));
                return;
            }
            states.put(partition, new State(state.phase() == Phase.PAUSED ? Phase.PAUSED : Phase.ABORTING,
                    state.pauses() + 1));
            long remainingNanos = timeout.toNanos();
            while (states.get(partition) != null && states.get(partition).phase() != Phase.PAUSED) {
                if (remainingNanos <= 0) {
                    throw new IllegalStateException("the clean of " + partition + " did not stop within " + timeout);
                }
                remainingNanos = changed.awaitNanos(remainingNanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while aborting the clean of " + partition, e);
        } finally {
            lock.unlock();
        }
    }

    /** Undoes one {@link #abortAndPause}; the partition becomes cleanable when every pause is undone. */
    public void resume(TopicPartition partition) {
        lock.lock();
        try {
            State state = states.get(partition);
            if (state == null || state.pauses() == 0) {
                throw new IllegalStateException("cleaning of " + partition + " is not paused");
            }
            if (state.pauses() == 1 && state.phase() == Phase.PAUSED) {
                states.remove(partition);
            } else {
                states.put(partition, new State(state.phase(), state.pauses() - 1));
            }
        } finally {
            lock.unlock();
        }
    }

    public boolean isPaused(TopicPartition partition) {
        lock.lock();
        try {
            State state = states.get(partition);
            return state != null && state.pauses() > 0;
        } finally {
            lock.unlock();
        }
    }

    /** Partitions being cleaned right now. */
    public Set<TopicPartition> inProgress() {
        lock.lock();
        try {
            Set<TopicPartition> running = new java.util.HashSet<>();
            states.forEach((partition, state) -> {
                if (state.phase() != Phase.PAUSED) {
                    running.add(partition);
                }
            });
            return running;
        } finally {
            lock.unlock();
        }
    }
}
