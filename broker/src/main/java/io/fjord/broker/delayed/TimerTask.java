package io.fjord.broker.delayed;

/**
 * A task that a {@link TimingWheelTimer} runs once its delay has passed, unless it is cancelled first.
 *
 * <p>The task is also the node of the doubly linked list of the timer bucket that holds it, so the timer allocates
 * nothing per task. A task is added to a timer at most once.
 *
 * <p>Thread-safe: {@link #cancel()} may be called from any thread at any time; the list links are guarded by the
 * lock of the bucket the task is in.
 */
public abstract class TimerTask implements Runnable {
    private final long delayMs;
    private volatile boolean cancelled;

    // Timer state, guarded by the monitor of `bucket` (the bucket currently holding this task).
    volatile TimerTaskList bucket;
    long expirationMs;
    TimerTask next;
    TimerTask previous;

    protected TimerTask(long delayMs) {
        if (delayMs < 0) {
            throw new IllegalArgumentException("delayMs must not be negative: " + delayMs);
        }
        this.delayMs = delayMs;
    }

    public final long delayMs() {
        return delayMs;
    }

    /** Stops the task from running (if it has not run yet) and removes it from its timer bucket. */
    public void cancel() {
        cancelled = true;
        removeFromBucket();
    }

    public final boolean isCancelled() {
        return cancelled;
    }

    final void removeFromBucket() {
        // The bucket can change under us only while a timer flush moves the task; retry until it is out.
        TimerTaskList current = bucket;
        while (current != null) {
            current.remove(this);
            current = bucket;
        }
    }
}
