package io.fjord.raft.internal;

/**
 * What a leader knows of one replica in its epoch: the offset up to which the replica's log is known to match the
 * leader's and be flushed (its last valid fetch offset), when it last fetched, and when the leader last announced
 * its epoch to it.
 *
 * <p>Not thread-safe: owned by the core's thread.
 */
final class ReplicaProgress {
    final int replicaId;
    long matchedOffset;
    long lastFetchMs;
    long lastBeginQuorumEpochSentMs;

    ReplicaProgress(int replicaId, long nowMs) {
        this.replicaId = replicaId;
        this.lastFetchMs = nowMs;
        this.lastBeginQuorumEpochSentMs = nowMs;
    }

    /** A valid fetch from {@code offset}: positions only grow in an epoch (an old, duplicated fetch can arrive late). */
    void fetched(long offset, long nowMs) {
        matchedOffset = Math.max(matchedOffset, offset);
        lastFetchMs = Math.max(lastFetchMs, nowMs);
    }
}
