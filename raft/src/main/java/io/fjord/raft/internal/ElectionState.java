package io.fjord.raft.internal;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One round of a pre-vote (prospective) or a vote (candidate): who granted, who refused, which requests are out
 * (by correlation id, so a late answer to an earlier round is not counted) and when each voter was last asked.
 *
 * <p>Not thread-safe: owned by the core's thread.
 */
final class ElectionState {
    final boolean preVote;
    private final int majority;
    private final Set<Integer> granted = new HashSet<>();
    private final Set<Integer> rejected = new HashSet<>();
    private final Set<Integer> outstandingCorrelationIds = new HashSet<>();
    private final Map<Integer, Long> lastAskedMs = new TreeMap<>();
    /** Whether this round was already counted as lost (it backs off once). */
    boolean countedAsLost;

    ElectionState(boolean preVote, int majority, int selfId) {
        this.preVote = preVote;
        this.majority = majority;
        granted.add(selfId);
    }

    void asked(int voterId, int correlationId, long nowMs) {
        outstandingCorrelationIds.add(correlationId);
        lastAskedMs.put(voterId, nowMs);
    }

    /** Whether a response with {@code correlationId} answers a request of this round. */
    boolean isOutstanding(int correlationId) {
        return outstandingCorrelationIds.contains(correlationId);
    }

    void record(int voterId, boolean voteGranted) {
        if (voteGranted) {
            rejected.remove(voterId);
            granted.add(voterId);
        } else if (!granted.contains(voterId)) {
            rejected.add(voterId);
        }
    }

    boolean hasAnswered(int voterId) {
        return granted.contains(voterId) || rejected.contains(voterId);
    }

    long lastAskedMs(int voterId) {
        return lastAskedMs.getOrDefault(voterId, Long.MIN_VALUE);
    }

    boolean isWon() {
        return granted.size() >= majority;
    }

    boolean isLost(int voterCount) {
        return isLost(voterCount, Set.of());
    }

    /**
     * Whether a majority can no longer be reached, counting the voters in {@code unreachable} that have not answered
     * as refusals (the transport cannot reach them: a dead leader would otherwise keep a split vote waiting for an
     * election timeout).
     */
    boolean isLost(int voterCount, Set<Integer> unreachable) {
        int refusals = rejected.size();
        for (int voterId : unreachable) {
            if (!hasAnswered(voterId)) {
                refusals++;
            }
        }
        return refusals > voterCount - majority;
    }
}
