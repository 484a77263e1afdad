package io.fjord.broker.quota;

/**
 * One CreateTopics, CreatePartitions or DeleteTopics request's view of its client's {@code controller_mutation_rate}
 * (KIP-599), as Kafka's {@code StrictControllerMutationQuota} and {@code PermissiveControllerMutationQuota}:
 * <ul>
 * <li>strict (the versions whose clients understand THROTTLING_QUOTA_EXCEEDED): a topic is refused while the
 * client's credits are below zero, nothing recorded; otherwise its partitions are recorded, even when that takes the
 * credits below zero;</li>
 * <li>permissive (older versions): every topic is accepted and recorded, and credits below zero throttle the
 * client.</li>
 * </ul>
 * The throttle time is Kafka's: the time for the credits to climb back to zero, {@code -credits / quota} seconds,
 * as of the last refusal (strict) or recording (permissive), less the time since.
 *
 * <p>Not thread-safe: confined to its request (the bucket it records into is thread-safe).
 */
public final class ControllerMutationQuota {
    /** A client without a quota: everything accepted, never throttled. */
    static final ControllerMutationQuota UNBOUNDED = new ControllerMutationQuota(null, 0, 0, false);

    private final TokenBucket bucket;
    private final double ratePerSecond;
    private final double burst;
    private final boolean strict;
    private long lastThrottleTimeMs;
    private long lastThrottleAtMs;

    ControllerMutationQuota(TokenBucket bucket, double ratePerSecond, double burst, boolean strict) {
        this.bucket = bucket;
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
        this.strict = strict;
    }

    /** Whether a quota applies at all (no work is done for clients without one). */
    public boolean bounded() {
        return bucket != null;
    }

    /**
     * Records the mutation of {@code partitions} partitions at {@code nowMs}; false when a strict quota refuses it
     * (the topic is answered THROTTLING_QUOTA_EXCEEDED and not mutated).
     */
    public boolean tryRecord(int partitions, long nowMs) {
        if (bucket == null) {
            return true;
        }
        if (strict) {
            double credits = bucket.credits(ratePerSecond, burst, nowMs);
            if (credits < 0) {
                throttled(credits, nowMs);
                return false;
            }
            bucket.record(partitions, ratePerSecond, burst, nowMs);
            return true;
        }
        double credits = bucket.record(partitions, ratePerSecond, burst, nowMs);
        if (credits < 0) {
            throttled(credits, nowMs);
        }
        return true;
    }

    /** How long the client must wait, as of {@code nowMs}: 0 when it was not throttled. */
    public int throttleTimeMs(long nowMs) {
        long leftMs = lastThrottleTimeMs - Math.max(0, nowMs - lastThrottleAtMs);
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, leftMs));
    }

    private void throttled(double credits, long nowMs) {
        lastThrottleTimeMs = Math.round(-credits / ratePerSecond * 1000);
        lastThrottleAtMs = nowMs;
    }
}
