package io.fjord.broker.network;

import java.util.concurrent.atomic.AtomicInteger;

/** Counts requests being handled across all connections, so shutdown can wait for them. Thread-safe. */
final class InFlightTracker {
    private final AtomicInteger inFlight = new AtomicInteger();

    void started() {
        inFlight.incrementAndGet();
    }

    void finished() {
        if (inFlight.decrementAndGet() == 0) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    int count() {
        return inFlight.get();
    }

    /** Waits until no request is in flight or the deadline passes; true if none is. */
    synchronized boolean awaitIdle(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (inFlight.get() > 0) {
            long remainingMs = (deadline - System.nanoTime()) / 1_000_000L;
            if (remainingMs <= 0) {
                return false;
            }
            wait(remainingMs);
        }
        return true;
    }
}
