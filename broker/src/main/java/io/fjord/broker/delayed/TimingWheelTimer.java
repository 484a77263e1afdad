package io.fjord.broker.delayed;

import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A timer over a hierarchical {@link TimingWheel}: {@link #add} schedules a task {@code delayMs} after the clock's
 * current time; {@link #advanceClock(long)} runs, on the calling thread, every task whose expiration is at or before
 * the given time. Nothing moves unless {@code advanceClock} is called, so tests drive it with a manual clock and
 * production drives it from a reaper thread (see {@link DelayedOperationPurgatory#start()}), which uses
 * {@link #awaitNextExpiration(long)} to sleep until the earliest bucket is due.
 *
 * <p>Tasks expire at tick granularity: a task runs once {@code advanceClock} reaches the start of the tick holding its
 * expiration time; with the default 1 ms tick that is exactly its expiration time.
 *
 * <p>Thread-safe: {@code add} runs concurrently from many threads (read lock), {@code advanceClock} excludes them
 * (write lock) while it moves time. Tasks run while no lock of this timer is held.
 */
public final class TimingWheelTimer implements AutoCloseable {
    public static final long DEFAULT_TICK_MS = 1;
    public static final int DEFAULT_WHEEL_SIZE = 20;

    private final InstantSource clock;
    private final AtomicInteger taskCounter = new AtomicInteger();
    private final ReentrantLock queueLock = new ReentrantLock();
    private final Condition earlierBucketQueued = queueLock.newCondition();
    private final BucketQueue bucketQueue = new BucketQueue();
    private final TimingWheel wheel;
    private final ReentrantReadWriteLock wheelLock = new ReentrantReadWriteLock();

    public TimingWheelTimer(InstantSource clock) {
        this(clock, DEFAULT_TICK_MS, DEFAULT_WHEEL_SIZE);
    }

    public TimingWheelTimer(InstantSource clock, long tickMs, int wheelSize) {
        if (tickMs < 1 || wheelSize < 2) {
            throw new IllegalArgumentException("tickMs must be >= 1 and wheelSize >= 2");
        }
        this.clock = clock;
        this.wheel = new TimingWheel(tickMs, wheelSize, clock.millis(), taskCounter, bucketQueue::offer);
    }

    /**
     * Schedules the task at the clock's time plus its delay. A task already due runs at once on the calling thread;
     * a cancelled task is dropped.
     */
    public void add(TimerTask task) {
        task.expirationMs = task.delayMs() + clock.millis();
        wheelLock.readLock().lock();
        try {
            if (wheel.add(task)) {
                return;
            }
        } finally {
            wheelLock.readLock().unlock();
        }
        if (!task.isCancelled()) {
            task.run();
        }
    }

    /**
     * Runs every task that is due at {@code nowMs} on the calling thread; returns true if any bucket expired. Time never
     * moves back: a value earlier than a previous one changes nothing.
     */
    public boolean advanceClock(long nowMs) {
        boolean expiredAny = false;
        while (true) {
            List<TimerTask> due = new ArrayList<>();
            wheelLock.writeLock().lock();
            try {
                TimerTaskList bucket = bucketQueue.pollDue(nowMs);
                if (bucket == null) {
                    wheel.advanceClock(nowMs);
                    return expiredAny;
                }
                expiredAny = true;
                wheel.advanceClock(bucket.expirationMs());
                // Tasks of a lower wheel's range move down; tasks now due are collected to run outside the lock.
                bucket.flush(task -> {
                    if (!wheel.add(task) && !task.isCancelled()) {
                        due.add(task);
                    }
                });
            } finally {
                wheelLock.writeLock().unlock();
            }
            for (TimerTask task : due) {
                task.run();
            }
        }
    }

    /**
     * Blocks until the earliest bucket is due by the clock, a bucket expiring earlier is queued, {@code maxWaitMs}
     * passes, or the thread is interrupted. For the reaper thread only.
     */
    public void awaitNextExpiration(long maxWaitMs) throws InterruptedException {
        queueLock.lock();
        try {
            TimerTaskList head = bucketQueue.queue.peek();
            long waitMs = maxWaitMs;
            if (head != null) {
                waitMs = Math.min(waitMs, head.expirationMs() - clock.millis());
            }
            if (waitMs > 0) {
                earlierBucketQueued.await(waitMs, TimeUnit.MILLISECONDS);
            }
        } finally {
            queueLock.unlock();
        }
    }

    /** Tasks in the timer, including cancelled ones not yet removed. */
    public int size() {
        return taskCounter.get();
    }

    @Override
    public void close() {
        queueLock.lock();
        try {
            earlierBucketQueued.signalAll();
        } finally {
            queueLock.unlock();
        }
    }

    /** Buckets ordered by expiration. A queued bucket's expiration does not change until it is polled. */
    private final class BucketQueue {
        private final PriorityQueue<TimerTaskList> queue =
                new PriorityQueue<>(Comparator.comparingLong(TimerTaskList::expirationMs));

        void offer(TimerTaskList bucket) {
            queueLock.lock();
            try {
                queue.offer(bucket);
                if (queue.peek() == bucket) {
                    earlierBucketQueued.signalAll();
                }
            } finally {
                queueLock.unlock();
            }
        }

        TimerTaskList pollDue(long nowMs) {
            queueLock.lock();
            try {
                TimerTaskList head = queue.peek();
                if (head != null && head.expirationMs() <= nowMs) {
                    return queue.poll();
                }
                return null;
            } finally {
                queueLock.unlock();
            }
        }
    }
}
