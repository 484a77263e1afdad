package io.fjord.broker.delayed;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** An operation that completes once {@link #satisfy()} was called. Counts its callbacks. Thread-safe. */
final class TestOperation extends DelayedOperation {
    final AtomicBoolean satisfied = new AtomicBoolean();
    final AtomicInteger completions = new AtomicInteger();
    final AtomicInteger expirations = new AtomicInteger();
    final AtomicInteger checks = new AtomicInteger();

    TestOperation(long delayMs) {
        super(delayMs);
    }

    void satisfy() {
        satisfied.set(true);
    }

    @Override
    protected boolean tryComplete() {
        checks.incrementAndGet();
        return satisfied.get() && forceComplete();
    }

    @Override
    protected void onComplete() {
        completions.incrementAndGet();
    }

    @Override
    protected void onExpiration() {
        expirations.incrementAndGet();
    }
}
