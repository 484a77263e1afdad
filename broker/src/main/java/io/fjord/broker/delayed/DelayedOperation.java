package io.fjord.broker.delayed;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An operation that waits, up to a timeout, for a condition (enough bytes to fetch, the ISR acknowledging a
 * produce) and then completes exactly once.
 *
 * <p>Subclasses implement:
 * <ul>
 *   <li>{@link #tryComplete()}: checks the condition and, if it holds, calls {@link #forceComplete()} and returns
 *       its result; otherwise returns false;</li>
 *   <li>{@link #onComplete()}: the one-time completion work (build and send the response); runs exactly once,
 *       whether the operation completed or expired;</li>
 *   <li>{@link #onExpiration()}: runs after {@code onComplete()} when the completion came from the timeout (for
 *       metrics and logs).</li>
 * </ul>
 *
 * <p>Completion and expiry race on one atomic flag: whichever wins {@link #forceComplete()} runs {@code onComplete()}
 * and the other does nothing.
 *
 * <p>Thread-safe. {@code tryComplete()} runs only while holding the operation's lock (its own by default, or one
 * given to the constructor, for operations that have to check state guarded by that lock), so subclasses need not
 * guard against concurrent checks. {@code onComplete()} may run while that lock is held and must not wait for
 * other operations' locks.
 */
public abstract class DelayedOperation extends TimerTask {
    private final AtomicBoolean completed = new AtomicBoolean();
    private final Lock lock;

    protected DelayedOperation(long delayMs) {
        this(delayMs, new ReentrantLock());
    }

    protected DelayedOperation(long delayMs, Lock lock) {
        super(delayMs);
        this.lock = lock;
    }

    /**
     * Completes the operation if nobody has yet: cancels its timeout and runs {@link #onComplete()}. Returns true only
     * for the one caller that completed it.
     */
    public final boolean forceComplete() {
        if (completed.compareAndSet(false, true)) {
            cancel();
            onComplete();
            return true;
        }
        return false;
    }

    public final boolean isCompleted() {
        return completed.get();
    }

    /** Completes the operation if its condition holds (by calling {@link #forceComplete()}); returns whether it did. */
    protected abstract boolean tryComplete();

    /** The completion work; runs exactly once. */
    protected abstract void onComplete();

    /** Runs after {@link #onComplete()} when the operation timed out. */
    protected abstract void onExpiration();

    /** {@link #tryComplete()} under the operation's lock; false at once if it is already completed. */
    final boolean safeTryComplete() {
        if (isCompleted()) {
            return false;
        }
        lock.lock();
        try {
            return !isCompleted() && tryComplete();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Under the operation's lock: tries to complete; if that fails, runs {@code watch} (registers the operation under
     * its keys) and tries once more, so that a change made between the first check and the registration is not
     * missed. Returns true if this call completed the operation.
     */
    final boolean safeTryCompleteOrElse(Runnable watch) {
        lock.lock();
        try {
            if (isCompleted()) {
                return false;
            }
            if (tryComplete()) {
                return true;
            }
            watch.run();
            return !isCompleted() && tryComplete();
        } finally {
            lock.unlock();
        }
    }

    /** Timer expiry: completes the operation unless it already completed, then runs {@link #onExpiration()}. */
    @Override
    public final void run() {
        if (forceComplete()) {
            onExpiration();
        }
    }
}
