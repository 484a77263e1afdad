package io.fjord.storage.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory all logs of a node may hold in {@link RecentAppends}: an active segment reserves the bytes of an append
 * here before it keeps them, and keeps none (its fetches read the file) while the budget is spent; it gives them
 * back when they are pushed out by newer appends or dropped (truncation, a follower's append, roll, close,
 * deletion).
 *
 * <p>Thread-safe: one atomic count.
 */
public final class RecentAppendsBudget {
    /** The most a node's logs hold in recent appends by default: 1,024 segments' worth. */
    static final long DEFAULT_BYTES_MAX = 1024L * RecentAppends.BYTES_MAX;
    /** By default, at most this fraction of the heap. */
    static final int DEFAULT_HEAP_DIVISOR = 16;

    private final long bytesMax;
    private final AtomicLong reservedBytes = new AtomicLong();

    public RecentAppendsBudget(long bytesMax) {
        if (bytesMax < 0) {
            throw new IllegalArgumentException("bytesMax must not be negative");
        }
        this.bytesMax = bytesMax;
    }

    /** 64 MiB, or a sixteenth of the heap if that is less (32 MiB of a 512 MiB heap). */
    public static RecentAppendsBudget ofHeap() {
        long heapShareBytes = Runtime.getRuntime().maxMemory() / DEFAULT_HEAP_DIVISOR;
        return new RecentAppendsBudget(Math.min(DEFAULT_BYTES_MAX, heapShareBytes));
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
