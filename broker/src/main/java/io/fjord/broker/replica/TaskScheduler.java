package io.fjord.broker.replica;

/**
 * Runs a task later, once; the seam through which tests run retries and periodic checks by hand. Implementations are
 * thread-safe.
 */
@FunctionalInterface
public interface TaskScheduler {
    void schedule(Runnable task, long delayMs);
}
