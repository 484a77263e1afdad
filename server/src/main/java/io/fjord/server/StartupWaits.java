package io.fjord.server;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The waits of a node's start-up (the metadata catch-up, the first publication, the broker's unfencing): each is
 * bounded, and each ends within a slice once a stop is requested, so that SIGTERM during start-up stops the node
 * promptly instead of waiting out the bound while the stopping thread waits for the starting one.
 *
 * <p>Thread-safe: the starting thread waits; any thread may request the stop.
 */
final class StartupWaits {
    /** How often a wait looks at the stop request. */
    static final long SLICE_MS = 100;

    /** One bounded wait for something, which throws {@link TimeoutException} when it has not happened yet. */
    @FunctionalInterface
    interface Wait<T> {
        T await(long timeoutMs) throws InterruptedException, TimeoutException;
    }

    /** Thrown by a wait that ended because the node was asked to stop. */
    static final class StopRequestedException extends RuntimeException {
        StopRequestedException(String what) {
            super("the node was asked to stop while waiting for " + what);
        }
    }

    private volatile boolean stopRequested;

    void requestStop() {
        stopRequested = true;
    }

    boolean stopRequested() {
        return stopRequested;
    }

    /**
     * Waits for {@code what} at most {@code timeoutMs}, a slice at a time.
     *
     * @throws StopRequestedException once a stop is requested
     * @throws TimeoutException naming {@code what} and the bound, when it did not happen within it
     */
    <T> T await(String what, long timeoutMs, Wait<T> wait) throws InterruptedException, TimeoutException {
        long deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            if (stopRequested) {
                throw new StopRequestedException(what);
            }
            long leftMs = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
            if (leftMs <= 0) {
                throw new TimeoutException(what + " did not happen within " + timeoutMs + " ms");
            }
            try {
                return wait.await(Math.min(leftMs, SLICE_MS));
            } catch (TimeoutException notYet) {
                // the next slice, unless stopped or out of time
            }
        }
    }
}
