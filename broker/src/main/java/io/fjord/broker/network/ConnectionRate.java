package io.fjord.broker.network;

/**
 * A connection creation rate measured as Kafka measures its quota rates: connections counted in the last
 * {@code quota.window.num} windows of {@code quota.window.size.seconds}, divided by the time they span (at least all
 * windows but the current one, so a first burst does not read as an infinite rate). A connection over the bound gets
 * Kafka's throttle time, {@code (rate - bound) / bound * span}, at most one window.
 *
 * <p>Not thread-safe: owned by the thread that accepts connections; times are given by the caller.
 */
final class ConnectionRate {
    private final long windowSizeMs;
    /** Connections per window, oldest first; windowStartsMs in step. At most windowCount entries. */
    private final long[] windowCounts;
    private final long[] windowStartsMs;
    private int windows;

    ConnectionRate(int windowCount, long windowSizeMs) {
        if (windowCount < 1 || windowSizeMs < 1) {
            throw new IllegalArgumentException("a rate needs at least one window of at least 1 ms");
        }
        this.windowSizeMs = windowSizeMs;
        this.windowCounts = new long[windowCount];
        this.windowStartsMs = new long[windowCount];
    }

    /**
     * Counts one connection made at {@code nowMs} and answers how long it must wait: 0 within {@code boundPerSecond},
     * else Kafka's throttle time bounded by one window.
     */
    long recordAndThrottleMs(long nowMs, double boundPerSecond) {
        expire(nowMs);
        if (windows == 0 || nowMs >= windowStartsMs[windows - 1] + windowSizeMs) {
            if (windows == windowCounts.length) {
                shiftOut();
            }
            windowStartsMs[windows] = nowMs;
            windowCounts[windows] = 0;
            windows++;
        }
        windowCounts[windows - 1]++;
        double spanMs = spanMs(nowMs);
        double rate = total() * 1000.0 / spanMs;
        if (rate <= boundPerSecond) {
            return 0;
        }
        long throttleMs = Math.round((rate - boundPerSecond) / boundPerSecond * spanMs);
        return Math.min(Math.max(throttleMs, 1), windowSizeMs);
    }

    /** Whether no connection was counted within the windows before {@code nowMs} (the rate may be dropped). */
    boolean idle(long nowMs) {
        expire(nowMs);
        return windows == 0;
    }

    private long total() {
        long total = 0;
        for (int index = 0; index < windows; index++) {
            total += windowCounts[index];
        }
        return total;
    }

    /** The time the windows span, at least all windows but the current one (Kafka's Rate.windowSize). */
    private double spanMs(long nowMs) {
        long elapsedMs = nowMs - windowStartsMs[0];
        long fullWindows = elapsedMs / windowSizeMs;
        long minimumFullWindows = windowCounts.length - 1;
        if (fullWindows < minimumFullWindows) {
            elapsedMs += (minimumFullWindows - fullWindows) * windowSizeMs;
        }
        return Math.max(elapsedMs, 1);
    }

    /** Drops windows that ended more than all windows' span ago. */
    private void expire(long nowMs) {
        while (windows > 0 && windowStartsMs[0] + windowCounts.length * windowSizeMs <= nowMs) {
            shiftOut();
        }
    }

    private void shiftOut() {
        System.arraycopy(windowCounts, 1, windowCounts, 0, windows - 1);
        System.arraycopy(windowStartsMs, 1, windowStartsMs, 0, windows - 1);
        windows--;
    }
}
