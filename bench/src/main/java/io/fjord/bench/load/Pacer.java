package io.fjord.bench.load;

import java.util.concurrent.locks.LockSupport;

/**
 * Spreads records evenly at a fixed rate from a start time: record {@code index} is due at
 * {@code start + index / rate}. A rate of 0 or less means no pacing (every record is due at once). Immutable; the
 * waiting parks the calling thread.
 */
final class Pacer {
    private final long startNanos;
    private final long recordsPerSecond;

    Pacer(long startNanos, long recordsPerSecond) {
        this.startNanos = startNanos;
        this.recordsPerSecond = recordsPerSecond;
    }

    /** When record {@code index} is due ({@code nowNanos} when unpaced). */
    long dueNanos(long index, long nowNanos) {
        return recordsPerSecond <= 0 ? nowNanos : startNanos + (long) (index * 1e9 / recordsPerSecond);
    }

    /** Waits until record {@code index} is due; returns its due time (the time now when unpaced). */
    long awaitDue(long index) {
        long now = System.nanoTime();
        long due = dueNanos(index, now);
        while (now < due) {
            LockSupport.parkNanos(due - now);
            now = System.nanoTime();
        }
        return due;
    }
}
