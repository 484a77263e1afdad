package io.fjord.broker.delayed;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One bucket of a {@link TimingWheel}: a doubly linked list of tasks that expire in the same tick, with the bucket's
 * expiration time.
 *
 * <p>Thread-safe: list changes hold this bucket's monitor; the expiration is atomic.
 */
final class TimerTaskList {
    private final AtomicInteger taskCounter;
    private final AtomicLong expirationMs = new AtomicLong(-1L);
    private final TimerTask root = new SentinelTask();

    TimerTaskList(AtomicInteger taskCounter) {
        this.taskCounter = taskCounter;
        root.next = root;
        root.previous = root;
    }

    /** Sets the expiration; returns true if it changed (the bucket then has to be queued again). */
    boolean setExpiration(long newExpirationMs) {
        return expirationMs.getAndSet(newExpirationMs) != newExpirationMs;
    }

    long expirationMs() {
        return expirationMs.get();
    }

    synchronized void add(TimerTask task) {
        if (task.bucket != null) {
            throw new IllegalStateException("task is already in a timer bucket");
        }
        TimerTask tail = root.previous;
        task.next = root;
        task.previous = tail;
        task.bucket = this;
        tail.next = task;
        root.previous = task;
        taskCounter.incrementAndGet();
    }

    synchronized void remove(TimerTask task) {
        if (task.bucket == this) {
            task.next.previous = task.previous;
            task.previous.next = task.next;
            task.next = null;
            task.previous = null;
            task.bucket = null;
            taskCounter.decrementAndGet();
        }
    }

    /** Removes every task and hands each to {@code action}; resets the expiration so the bucket can be reused. */
    synchronized void flush(Consumer<TimerTask> action) {
        TimerTask head = root.next;
        while (head != root) {
            remove(head);
            action.accept(head);
            head = root.next;
        }
        expirationMs.set(-1L);
    }

    private static final class SentinelTask extends TimerTask {
        SentinelTask() {
            super(0);
        }

        @Override
        public void run() {
            throw new IllegalStateException("sentinel never runs");
        }
    }
}
