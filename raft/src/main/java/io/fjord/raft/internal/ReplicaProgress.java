package io.fjord.raft.internal;

import io.fjord.raft.ReplicaKey;
import java.util.UUID;

/**
 * What a leader knows of one replica in its epoch: the offset up to which the replica's log is known to match the
 * leader's and be flushed (its last valid fetch offset), its directory id (from its fetches), when it last fetched,
 * when it was last caught up (Kafka's rule for replicas in sync: it fetched from the leader's log end, or from the
 * end the leader had at its previous fetch) and when the leader last announced its epoch to it.
 *
 * <p>Not thread-safe: owned by the core's thread.
 */
final class ReplicaProgress {
    final int replicaId;
    UUID directoryId = ReplicaKey.NO_DIRECTORY;
    long matchedOffset;
    long lastFetchMs;
    long lastBeginQuorumEpochSentMs;
    long lastCaughtUpMs = Long.MIN_VALUE;
    private long previousValidFetchMs = Long.MIN_VALUE;
    private long leaderEndOffsetAtPreviousFetch = Long.MAX_VALUE;

    ReplicaProgress(int replicaId, long nowMs) {
        this.replicaId = replicaId;
        this.lastFetchMs = nowMs;
        this.lastBeginQuorumEpochSentMs = nowMs;
    }

    /** A valid fetch from {@code offset}: positions only grow in an epoch (an old, duplicated fetch can arrive late). */
    void fetched(long offset, long nowMs, long leaderEndOffset) {
        if (offset >= leaderEndOffset) {
            lastCaughtUpMs = nowMs;
        } else if (offset >= leaderEndOffsetAtPreviousFetch) {
            lastCaughtUpMs = Math.max(lastCaughtUpMs, previousValidFetchMs);
        }
        leaderEndOffsetAtPreviousFetch = leaderEndOffset;
        previousValidFetchMs = nowMs;
        matchedOffset = Math.max(matchedOffset, offset);
        lastFetchMs = Math.max(lastFetchMs, nowMs);
    }
}
