package io.fjord.broker.quota;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A rate measured as Kafka's quota sensors measure it ({@code Rate} over a {@code SampledTotal}): the values recorded
 * in the last {@code quota.window.num} windows of {@code quota.window.size.seconds}, divided by the time those windows
 * span, counted from the oldest window's start and never less than all windows but the current one (so a first burst
 * does not read as an enormous rate). Windows are aligned to multiples of the window size.
 *
 * <p>Thread-safe and lock-free: request handler threads of every connection of one quota entity record into it at
 * once. A window slot is replaced by compare-and-set when time moves into a new window; a value recorded by a thread
 * that was overtaken by a whole window span lands in the replaced window and is lost, which a rate can afford.
 */
public final class RateSensor {
    /** One window: its index (start / size) and its total. */
    private record Window(long index, AtomicLong total) {
    }

    private final long windowSizeMs;
    private final int windowCount;
    private final AtomicReferenceArray<Window> windows;
    private volatile long lastRecordMs;

    /**
     * @param windowCount  {@code quota.window.num} (Kafka: 11)
     * @param windowSizeMs {@code quota.window.size.seconds} in milliseconds (Kafka: 1000)
     */
    public RateSensor(int windowCount, long windowSizeMs) {
        if (windowCount < 1 || windowSizeMs < 1) {
            throw new IllegalArgumentException("a rate needs at least one window of at least 1 ms");
        }
        this.windowCount = windowCount;
        this.windowSizeMs = windowSizeMs;
        this.windows = new AtomicReferenceArray<>(windowCount);
    }

    /** Adds {@code value} at {@code nowMs}. */
    public void record(long value, long nowMs) {
        long index = Math.floorDiv(nowMs, windowSizeMs);
        int slot = (int) Math.floorMod(index, (long) windowCount);
        Window window = windows.get(slot);
        while (window == null || window.index() < index) {
            Window fresh = new Window(index, new AtomicLong());
            if (windows.compareAndSet(slot, window, fresh)) {
                window = fresh;
                break;
            }
            window = windows.get(slot);
        }
        window.total().addAndGet(value);
        lastRecordMs = nowMs;
    }

    /** The rate per second at {@code nowMs}: the total of the live windows over {@link #windowSizeMs(long)}. */
    public double ratePerSecond(long nowMs) {
        long total = 0;
        for (int slot = 0; slot < windowCount; slot++) {
            Window window = windows.get(slot);
            if (window != null && live(window, nowMs)) {
                total += window.total().get();
            }
        }
        return total * 1000.0 / windowSizeMs(nowMs);
    }

    /**
     * Kafka's {@code Rate.windowSize}: the time from the oldest live window's start to now, raised to all windows but
     * the current one when shorter.
     */
    public long windowSizeMs(long nowMs) {
        long oldestStartMs = Math.floorDiv(nowMs, windowSizeMs) * windowSizeMs;
        for (int slot = 0; slot < windowCount; slot++) {
            Window window = windows.get(slot);
            if (window != null && live(window, nowMs)) {
                oldestStartMs = Math.min(oldestStartMs, window.index() * windowSizeMs);
            }
        }
        long elapsedMs = nowMs - oldestStartMs;
        long fullWindows = elapsedMs / windowSizeMs;
        if (fullWindows < windowCount - 1) {
            elapsedMs += (windowCount - 1 - fullWindows) * windowSizeMs;
        }
        return Math.max(1, elapsedMs);
    }

    /** When a value was last recorded (idle sensors are dropped). */
    long lastRecordMs() {
        return lastRecordMs;
    }

    /** A window counts while it started less than all windows' span ago (Kafka's obsolete samples do not). */
    private boolean live(Window window, long nowMs) {
        return nowMs - window.index() * windowSizeMs < windowCount * windowSizeMs
                && window.index() * windowSizeMs <= nowMs;
    }
}
