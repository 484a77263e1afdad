package io.fjord.storage;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A background executor that only queues tasks; the test decides when (and whether) they run, on its own thread, so
 * a seeded test stays deterministic. Delays are ignored. Not thread-safe: one test thread.
 */
public final class QueuedExecutor extends AbstractExecutorService implements ScheduledExecutorService {
    private final Deque<Runnable> pending = new ArrayDeque<>();
    private boolean shutdown;

    public int pendingCount() {
        return pending.size();
    }

    /** Runs the oldest pending task; false if none. */
    public boolean runOne() {
        Runnable task = pending.pollFirst();
        if (task == null) {
            return false;
        }
        task.run();
        return true;
    }

    public void runAll() {
        while (runOne()) {
            // keep going: tasks may queue more tasks
        }
    }

    /** Forgets every pending task, as a crash would. */
    public void dropAll() {
        pending.clear();
    }

    @Override
    public void execute(Runnable command) {
        if (shutdown) {
            throw new RejectedExecutionException("shut down");
        }
        pending.addLast(command);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        QueuedFuture<Void> future = new QueuedFuture<>(command, null);
        execute(future);
        return future;
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        QueuedFuture<V> future = new QueuedFuture<>(callable);
        execute(future);
        return future;
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        throw new UnsupportedOperationException("periodic tasks are not queued");
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException("periodic tasks are not queued");
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        List<Runnable> left = new ArrayList<>(pending);
        pending.clear();
        return left;
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown && pending.isEmpty();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return isTerminated();
    }

    private static final class QueuedFuture<V> extends FutureTask<V> implements ScheduledFuture<V> {
        QueuedFuture(Runnable runnable, V result) {
            super(runnable, result);
        }

        QueuedFuture(Callable<V> callable) {
            super(callable);
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return 0;
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }
    }
}
