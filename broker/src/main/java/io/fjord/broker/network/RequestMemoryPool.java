package io.fjord.broker.network;

import java.util.ArrayDeque;
import java.util.Queue;

/**
 * Bounds the bytes of requests held in memory across all connections ({@code queued.max.request.bytes}). A
 * connection reserves a frame's size before reading its body; when the pool is exhausted the connection stops
 * reading and is resumed, in arrival order, once enough memory is released. A frame larger than the whole pool may
 * proceed when nothing else is reserved, so it can never wait forever.
 *
 * <p>Thread-safe: all state is guarded by this object's monitor; resume callbacks run outside it.
 */
final class RequestMemoryPool {
    private final long capacityBytes;
    private long reservedBytes;
    private final Queue<Waiter> waiters = new ArrayDeque<>();

    private record Waiter(long bytes, Runnable resume) {
    }

    RequestMemoryPool(long capacityBytes) {
        this.capacityBytes = capacityBytes;
    }

    boolean isBounded() {
        return capacityBytes >= 0;
    }

    /** Reserves {@code bytes} now, or queues {@code resume} to run once they can be reserved, and returns false. */
    boolean reserveOrWait(long bytes, Runnable resume) {
        if (!isBounded()) {
            return true;
        }
        synchronized (this) {
            if (waiters.isEmpty() && fits(bytes)) {
                reservedBytes += bytes;
                return true;
            }
            waiters.add(new Waiter(bytes, resume));
            return false;
        }
    }

    private boolean fits(long bytes) {
        return reservedBytes + bytes <= capacityBytes || reservedBytes == 0;
    }

    void release(long bytes) {
        if (!isBounded()) {
            return;
        }
        Queue<Runnable> resumed = new ArrayDeque<>();
        synchronized (this) {
            reservedBytes -= bytes;
            while (!waiters.isEmpty() && fits(waiters.peek().bytes())) {
                Waiter waiter = waiters.poll();
                reservedBytes += waiter.bytes();
                resumed.add(waiter.resume());
            }
        }
        resumed.forEach(Runnable::run);
    }

    synchronized long reservedBytes() {
        return reservedBytes;
    }
}
