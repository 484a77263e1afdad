package io.fjord.broker.coordinator.runtime;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator runtime's threads: daemon threads by name, tasks that cannot fail silently, and a bounded stop.
 * Stateless and thread-safe.
 */
final class RuntimeThreads {
    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorRuntime.class);

    private RuntimeThreads() {
    }

    static Thread daemon(Runnable runnable, String name) {
        Thread created = new Thread(runnable, name);
        created.setDaemon(true);
        return created;
    }

    /**
     * Work for the runtime's thread that cannot fail silently: a failure is logged; an Error, which the scheduler would
     * keep in the task's future, goes to the thread's uncaught-exception handler (the node's fatal error handler).
     */
    static Runnable guarded(Runnable work) {
        return () -> {
            try {
                work.run();
            } catch (RuntimeException e) {
                LOG.error("Coordinator runtime task failed", e);
            } catch (Error e) {
                Thread current = Thread.currentThread();
                current.getUncaughtExceptionHandler().uncaughtException(current, e);
            }
        };
    }

    /** Stops the executors (those not null), waiting a bounded time for each. */
    static void stop(ExecutorService... executors) {
        for (ExecutorService executor : executors) {
            if (executor == null) {
                continue;
            }
            executor.shutdownNow();
            try {
                executor.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
