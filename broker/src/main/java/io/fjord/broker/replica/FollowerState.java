package io.fjord.broker.replica;

/**
 * What a leader knows of one follower of a partition, from that follower's fetches (Kafka's ReplicaState): its log
 * end offset (the fetch offset), log start offset, when it last fetched, when it was last caught up, and the broker
 * epoch its fetch carried. Immutable; a fetch or a leader change makes a new one.
 *
 * <p>"Caught up" follows Kafka: a fetch at or past the leader's log end offset of that moment makes the follower
 * caught up at the fetch time; a fetch at or past the leader's log end offset of the follower's previous fetch makes it
 * caught up at the previous fetch time (it has read everything the leader had then).
 *
 * @param logEndOffset                the follower's log end offset, {@link #UNKNOWN_OFFSET} before its first fetch
 * @param logStartOffset              the follower's log start offset, {@link #UNKNOWN_OFFSET} before its first fetch
 * @param lastFetchLeaderLogEndOffset the leader's log end offset at the follower's previous fetch
 * @param lastFetchTimeMs             the time of the follower's last fetch, 0 when none
 * @param lastCaughtUpTimeMs          the last time the follower had everything the leader had, 0 when never
 * @param brokerEpoch                 the broker epoch of the follower's last fetch, -1 when unknown
 */
public record FollowerState(long logEndOffset, long logStartOffset, long lastFetchLeaderLogEndOffset,
                            long lastFetchTimeMs, long lastCaughtUpTimeMs, long brokerEpoch) {
    public static final long UNKNOWN_OFFSET = -1;
    public static final long UNKNOWN_BROKER_EPOCH = -1;

    /** A follower not heard from yet. */
    public static FollowerState initial() {
        return new FollowerState(UNKNOWN_OFFSET, UNKNOWN_OFFSET, UNKNOWN_OFFSET, 0, 0, UNKNOWN_BROKER_EPOCH);
    }

    /** The state after a fetch at {@code fetchOffset}, made at {@code fetchTimeMs} while the leader's log ended at {@code leaderEndOffset}. */
    public FollowerState afterFetch(long fetchOffset, long followerLogStartOffset, long fetchTimeMs,
                                    long leaderEndOffset, long fetchBrokerEpoch) {
        long caughtUpTimeMs = lastCaughtUpTimeMs;
        if (fetchOffset >= leaderEndOffset) {
            caughtUpTimeMs = Math.max(caughtUpTimeMs, fetchTimeMs);
        } else if (fetchOffset >= lastFetchLeaderLogEndOffset) {
            caughtUpTimeMs = Math.max(caughtUpTimeMs, lastFetchTimeMs);
        }
        return new FollowerState(fetchOffset, followerLogStartOffset, leaderEndOffset, fetchTimeMs, caughtUpTimeMs,
                fetchBrokerEpoch);
    }

    /**
     * The state when this node becomes or stays leader in a new leader epoch (Kafka's resetReplicaState): a follower
     * in the ISR counts as caught up now, any other as never, so it does not hold back the high watermark. A new
     * leader forgets the follower's positions (they were learned, if at all, in an older leadership); a re-elected
     * one keeps them.
     */
    public FollowerState onNewLeaderEpoch(long nowMs, boolean isNewLeader, boolean inSync) {
        long caughtUpTimeMs = inSync ? nowMs : 0;
        if (isNewLeader) {
            return new FollowerState(UNKNOWN_OFFSET, UNKNOWN_OFFSET, UNKNOWN_OFFSET, 0, caughtUpTimeMs,
                    UNKNOWN_BROKER_EPOCH);
        }
        return new FollowerState(logEndOffset, logStartOffset, lastFetchLeaderLogEndOffset, inSync ? nowMs : 0,
                caughtUpTimeMs, brokerEpoch);
    }

    /**
     * Whether the follower is caught up: it has the leader's whole log, or it had everything within the last
     * {@code replicaLagTimeMaxMs} ({@code replica.lag.time.max.ms}).
     */
    public boolean isCaughtUp(long leaderEndOffset, long nowMs, long replicaLagTimeMaxMs) {
        return leaderEndOffset == logEndOffset || nowMs - lastCaughtUpTimeMs <= replicaLagTimeMaxMs;
    }
}
