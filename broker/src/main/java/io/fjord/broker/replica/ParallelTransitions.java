package io.fjord.broker.replica;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the partition transitions of one metadata publication side by side on a few threads and returns once all are
 * done. Becoming the leader writes the partition's leader-epoch checkpoint (a file fsync'd, renamed, and its
 * directory fsync'd, as Kafka does), so a broker taking over 1,000 leaderships from a fenced one did 2,000 fsyncs one
 * after the other: 1.4 to 14 ms each on this project's shared disk, up to 14 s before clients saw the new leaders.
 * Side by side the file system commits concurrent fsyncs together (measured 10x fewer ms per checkpoint with 8 threads).
 * Transitions of different partitions are independent (each {@link Partition} and log guards its own state).
 *
 * <p>Thread-safe. {@link #start()} creates the threads (idle ones end after a minute); before it, and after
 * {@link #close()}, transitions run on the caller's thread, in order (as a simulation needs).
 */
final class ParallelTransitions implements AutoCloseable {
    /** Threads at most: enough fsyncs in flight for the file system to batch them, few enough for 2 cores. */
    static final int THREADS_MAX = 8;
    /** Fewer transitions than this run on the caller's thread: a handful gains nothing from a hand-off. */
    private static final int PARALLEL_MIN = 4;

    private final AtomicInteger threadNumber = new AtomicInteger();
    private volatile ThreadPoolExecutor pool;

    synchronized void start() {
        if (pool != null) {
            throw new IllegalStateException("already started");
        }
        ThreadPoolExecutor executor = new ThreadPoolExecutor(THREADS_MAX, THREADS_MAX, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, "fjord-partition-transition-"
                            + threadNumber.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        executor.allowCoreThreadTimeOut(true);
        pool = executor;
    }

    /** Runs every transition and returns once all have run; each one handles its own failures. */
    void runAll(Collection<Runnable> transitions) {
        ThreadPoolExecutor executor = pool;
        if (executor == null || transitions.size() < PARALLEL_MIN) {
            transitions.forEach(Runnable::run);
            return;
        }
        List<CompletableFuture<Void>> running = new ArrayList<>(transitions.size());
        for (Runnable transition : transitions) {
            try {
                running.add(CompletableFuture.runAsync(transition, executor));
            } catch (RejectedExecutionException e) {
                transition.run(); // closing: the caller does the rest itself
            }
        }
        // Bounded: each transition is a few file operations; the publication must not go on before all are done.
        CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).join();
    }

    @Override
    public synchronized void close() {
        if (pool != null) {
            pool.shutdown();
        }
    }
}
