package io.fjord.raft.internal;

import io.fjord.raft.ReplicaKey;
import io.fjord.raft.ReplicaState;
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
    long lastCaughtUpMs = ReplicaState.NEVER;
    /** When it last fetched with an offset and epoch that match the leader's log (what DescribeQuorum reports). */
    long lastValidFetchMs = ReplicaState.NEVER;
    private long leaderEndOffsetAtPreviousFetch = Long.MAX_VALUE;

    ReplicaProgress(int replicaId, long nowMs) {
        this.replicaId = replicaId;
        this.lastFetchMs = nowMs;
        this.lastBeginQuorumEpochSentMs = nowMs;
    }

    /** What DescribeQuorum reports of this replica: offset -1 until its first valid fetch of the epoch. */
    ReplicaState describe() {
        long endOffset = lastValidFetchMs == ReplicaState.NEVER ? -1 : matchedOffset;
        return new ReplicaState(replicaId, directoryId, endOffset, lastValidFetchMs, lastCaughtUpMs);
    }

    /** A valid fetch from {@code offset}: positions only grow in an epoch (an old, duplicated fetch can arrive late). */
    void fetched(long offset, long nowMs, long leaderEndOffset) {
        if (offset >= leaderEndOffset) {
            lastCaughtUpMs = Math.max(lastCaughtUpMs, nowMs);
        } else if (offset >= leaderEndOffsetAtPreviousFetch) {
            lastCaughtUpMs = Math.max(lastCaughtUpMs, lastValidFetchMs);
        }
        leaderEndOffsetAtPreviousFetch = leaderEndOffset;
        lastValidFetchMs = Math.max(lastValidFetchMs, nowMs);
        matchedOffset = Math.max(matchedOffset, offset);
        lastFetchMs = Math.max(lastFetchMs, nowMs);
    }
}
