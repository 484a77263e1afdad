package io.fjord.storage.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory all logs of a node may hold in {@link TailBytes}: an active segment reserves a tail's capacity here
 * before it keeps one, and goes without (its fetches read the file) while the budget is spent; it gives the
 * capacity back when its tail is dropped (truncation, an append too large to keep, roll, close, deletion).
 *
 * <p>Thread-safe: one atomic count.
 */
public final class TailBudget {
    /** The most a node's logs hold in tails by default: 1,024 of them. */
    static final long DEFAULT_BYTES_MAX = 1024L * TailBytes.CAPACITY_BYTES;
    /** By default, at most this fraction of the heap. */
    static final int DEFAULT_HEAP_DIVISOR = 16;

    private final long bytesMax;
    private final AtomicLong reservedBytes = new AtomicLong();

    public TailBudget(long bytesMax) {
        if (bytesMax < 0) {
            throw new IllegalArgumentException("bytesMax must not be negative");
        }
        this.bytesMax = bytesMax;
    }

    /** 64 MiB, or a sixteenth of the heap if that is less (32 MiB of a 512 MiB heap). */
    public static TailBudget ofHeap() {
        return new TailBudget(Math.min(DEFAULT_BYTES_MAX, Runtime.getRuntime().maxMemory() / DEFAULT_HEAP_DIVISOR));
    }

    /** Reserves {@code bytes} if they fit; false, reserving nothing, if not. */
    boolean tryReserve(int bytes) {
        long current;
        do {
            current = reservedBytes.get();
            if (current + bytes > bytesMax) {
                return false;
            }
        } while (!reservedBytes.compareAndSet(current, current + bytes));
        return true;
    }

    void release(int bytes) {
        reservedBytes.addAndGet(-bytes);
    }

    public long reservedBytes() {
        return reservedBytes.get();
    }
}
