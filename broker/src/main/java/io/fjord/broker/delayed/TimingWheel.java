package io.fjord.broker.delayed;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One level of a hierarchical timing wheel (Varghese and Lauck): {@code wheelSize} buckets of {@code tickMs} each,
 * covering {@code tickMs * wheelSize} from the wheel's current time. A task further out goes to an overflow wheel
 * whose tick is this wheel's whole interval, created on first use. Adding a task is O(1); a bucket enters the timer's
 * priority queue only when it gets its first task, so advancing time costs O(buckets that expire), not O(ticks).
 *
 * <p>Thread-safety: {@link #add} may run concurrently with itself, {@link #advanceClock} must not run concurrently
 * with anything; {@link TimingWheelTimer} ensures this with a read-write lock.
 */
final class TimingWheel {
    private final long tickMs;
    private final int wheelSize;
    private final long intervalMs;
    private final AtomicInteger taskCounter;
    private final Consumer<TimerTaskList> queue;
    private final TimerTaskList[] buckets;
    private volatile long currentTimeMs;
    private volatile TimingWheel overflowWheel;

    TimingWheel(long tickMs, int wheelSize, long startMs, AtomicInteger taskCounter, Consumer<TimerTaskList> queue) {
        this.tickMs = tickMs;
        this.wheelSize = wheelSize;
        this.intervalMs = tickMs * wheelSize;
        this.taskCounter = taskCounter;
        this.queue = queue;
        this.buckets = new TimerTaskList[wheelSize];
        for (int i = 0; i < wheelSize; i++) {
            buckets[i] = new TimerTaskList(taskCounter);
        }
        this.currentTimeMs = startMs - (startMs % tickMs);
    }

    /**
     * Adds the task (its {@code expirationMs} already set); returns false if it is cancelled or already due, in which
     * case the caller runs or drops it.
     */
    boolean add(TimerTask task) {
        long expiration = task.expirationMs;
        if (task.isCancelled()) {
            return false;
        }
        long now = currentTimeMs;
        if (expiration < now + tickMs) {
            return false;
        }
        if (expiration < now + intervalMs) {
            long virtualId = expiration / tickMs;
            TimerTaskList bucket = buckets[(int) (virtualId % wheelSize)];
            bucket.add(task);
            if (bucket.setExpiration(virtualId * tickMs)) {
                queue.accept(bucket);
            }
            return true;
        }
        return overflowWheel().add(task);
    }

    /** Moves the wheel's current time forward to the tick holding {@code timeMs}; never backward. */
    void advanceClock(long timeMs) {
        if (timeMs >= currentTimeMs + tickMs) {
            currentTimeMs = timeMs - (timeMs % tickMs);
            TimingWheel overflow = overflowWheel;
            if (overflow != null) {
                overflow.advanceClock(currentTimeMs);
            }
        }
    }

    private TimingWheel overflowWheel() {
        TimingWheel overflow = overflowWheel;
        if (overflow == null) {
            synchronized (this) {
                overflow = overflowWheel;
                if (overflow == null) {
                    overflow = new TimingWheel(intervalMs, wheelSize, currentTimeMs, taskCounter, queue);
                    overflowWheel = overflow;
                }
            }
        }
        return overflow;
    }
}
