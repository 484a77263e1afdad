package io.fjord.broker.replica;

import java.util.UUID;

/**
 * A followed partition as its fetcher sees it: the topic id and leader epoch it fetches with, and whether it waits
 * (a back-off after an error, until {@code delayedUntilMs}) or is parked (fenced, or its log failed) until the
 * replica manager adds it again. A new state replaces this one whenever the partition is added again, so a response
 * to a request made with an older state is recognised by identity and dropped.
 *
 * <p>Not thread-safe: guarded by its fetcher's partition map lock.
 */
final class PartitionFetchState {
    private final UUID topicId;
    private final int currentLeaderEpoch;
    private long delayedUntilMs;
    private String parkedBecause;
    /** The leader's high watermark minus this log's end after the last answer; -1 before one. */
    private long lag = -1;

    PartitionFetchState(UUID topicId, int currentLeaderEpoch) {
        this.topicId = topicId;
        this.currentLeaderEpoch = currentLeaderEpoch;
    }

    UUID topicId() {
        return topicId;
    }

    int currentLeaderEpoch() {
        return currentLeaderEpoch;
    }

    /** Fetched in the next request made at {@code nowMs}. */
    boolean isReady(long nowMs) {
        return parkedBecause == null && delayedUntilMs <= nowMs;
    }

    /** When it may be fetched again; {@code Long.MAX_VALUE} while parked. */
    long readyAtMs() {
        return parkedBecause != null ? Long.MAX_VALUE : delayedUntilMs;
    }

    void delayUntil(long untilMs) {
        delayedUntilMs = Math.max(delayedUntilMs, untilMs);
    }

    void park(String reason) {
        parkedBecause = reason;
    }

    /** After an answer: how far this log's end is below the leader's high watermark. */
    void updateLag(long leaderHighWatermark, long logEndOffset) {
        lag = Math.max(0, leaderHighWatermark - logEndOffset);
    }

    /** Kafka's {@code isReplicaInSync}: the last answer left this log at the leader's high watermark. */
    boolean isReplicaInSync() {
        return lag == 0;
    }

    boolean isParked() {
        return parkedBecause != null;
    }

    @Override
    public String toString() {
        return "PartitionFetchState(leaderEpoch=" + currentLeaderEpoch + ", delayedUntilMs=" + delayedUntilMs
                + (parkedBecause != null ? ", parked: " + parkedBecause : "") + ")";
    }
}
