package io.fjord.broker.quota;

/**
 * Kafka's {@code TokenBucket} measure (KIP-599): credits refill at the quota's rate up to a burst of the quota times
 * all windows but the current one; a recording takes its value out, and may take the credits below zero. A bucket is
 * full when first used. The quota and burst are passed in on each call, so a changed quota applies at once (the
 * credits kept).
 *
 * <p>Thread-safe: every method is synchronized; handler threads of all connections of one quota entity share it.
 */
final class TokenBucket {
    private double credits;
    private long lastUpdateMs;
    private boolean started;
    private volatile long lastRecordMs;

    /** The credits at {@code nowMs} (negative: the quota is exceeded). */
    synchronized double credits(double ratePerSecond, double burst, long nowMs) {
        refill(ratePerSecond, burst, nowMs);
        return credits;
    }

    /** Takes {@code permits} out at {@code nowMs} and returns the credits left. */
    synchronized double record(double permits, double ratePerSecond, double burst, long nowMs) {
        refill(ratePerSecond, burst, nowMs);
        credits = Math.min(burst, credits - permits);
        return credits;
    }

    /** When it was last used (idle buckets are dropped). */
    long lastRecordMs() {
        return lastRecordMs;
    }

    private void refill(double ratePerSecond, double burst, long nowMs) {
        if (!started) {
            started = true;
            credits = burst;
        } else if (nowMs > lastUpdateMs) {
            credits = Math.min(burst, credits + ratePerSecond * (nowMs - lastUpdateMs) / 1000.0);
        }
        lastUpdateMs = Math.max(lastUpdateMs, nowMs);
        lastRecordMs = lastUpdateMs;
    }
}
