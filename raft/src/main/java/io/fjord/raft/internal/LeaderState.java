package io.fjord.raft.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A leader's bookkeeping for its epoch: where its epoch starts in the log, the progress of every other voter (which
 * sets the high watermark and check-quorum) and of observers (reported only), and the fetches it holds.
 *
 * <p>Not thread-safe: owned by the core's thread.
 */
public final class LeaderState {
    /** Bound on the observers a leader tracks; the one that fetched least recently makes room. */
    static final int MAX_OBSERVERS = 1024;

    private final int epoch;
    private final long epochStartOffset;
    private final int majority;
    private final Map<Integer, ReplicaProgress> voters = new TreeMap<>();
    private final Map<Integer, ReplicaProgress> observers = new TreeMap<>();
    private final Map<Integer, ParkedFetch> parkedFetches = new TreeMap<>();

    LeaderState(int epoch, long epochStartOffset, int majority, List<Integer> otherVoters, long nowMs) {
        this.epoch = epoch;
        this.epochStartOffset = epochStartOffset;
        this.majority = majority;
        for (int voter : otherVoters) {
            voters.put(voter, new ReplicaProgress(voter, nowMs));
        }
    }

    public int epoch() {
        return epoch;
    }

    /** The offset of this epoch's first entry (its leader-change entry). */
    public long epochStartOffset() {
        return epochStartOffset;
    }

    boolean isVoter(int replicaId) {
        return voters.containsKey(replicaId);
    }

    /** The progress of {@code replicaId}, created for an observer fetching for the first time. */
    ReplicaProgress progress(int replicaId, long nowMs) {
        ReplicaProgress voter = voters.get(replicaId);
        if (voter != null) {
            return voter;
        }
        ReplicaProgress observer = observers.get(replicaId);
        if (observer == null) {
            if (observers.size() >= MAX_OBSERVERS) {
                observers.values().stream().min(Comparator.comparingLong(p -> p.lastFetchMs))
                        .ifPresent(stale -> observers.remove(stale.replicaId));
            }
            observer = new ReplicaProgress(replicaId, nowMs);
            observers.put(replicaId, observer);
        }
        return observer;
    }

    /** The offset a majority of voters (this leader counting with {@code leaderFlushedEndOffset}) have matched. */
    long majorityMatchedOffset(long leaderFlushedEndOffset) {
        List<Long> offsets = new ArrayList<>(voters.size() + 1);
        offsets.add(leaderFlushedEndOffset);
        for (ReplicaProgress progress : voters.values()) {
            offsets.add(progress.matchedOffset);
        }
        offsets.sort(Comparator.reverseOrder());
        return offsets.get(majority - 1);
    }

    /** Check-quorum: whether a majority (this leader included) fetched within {@code timeoutMs}. */
    boolean hasMajorityContact(long nowMs, long timeoutMs) {
        int inContact = 1;
        for (ReplicaProgress progress : voters.values()) {
            if (nowMs - progress.lastFetchMs <= timeoutMs) {
                inContact++;
            }
        }
        return inContact >= majority;
    }

    /** Voters that have not fetched for {@code silenceMs} and were not told of the epoch within it. */
    List<Integer> votersToRemind(long nowMs, long silenceMs) {
        List<Integer> result = new ArrayList<>();
        for (ReplicaProgress progress : voters.values()) {
            if (nowMs - progress.lastFetchMs >= silenceMs && nowMs - progress.lastBeginQuorumEpochSentMs >= silenceMs) {
                progress.lastBeginQuorumEpochSentMs = nowMs;
                result.add(progress.replicaId);
            }
        }
        return result;
    }

    /** Other voters, the most caught up first: the preferred successors when this leader resigns. */
    List<Integer> votersByMatchedOffset() {
        List<ReplicaProgress> sorted = new ArrayList<>(voters.values());
        sorted.sort(Comparator.comparingLong((ReplicaProgress p) -> p.matchedOffset).reversed()
                .thenComparingInt(p -> p.replicaId));
        return sorted.stream().map(p -> p.replicaId).toList();
    }

    void park(ParkedFetch fetch) {
        parkedFetches.put(fetch.request().replicaId(), fetch);
    }

    /** Removes and returns the held fetches that {@code ready} selects. */
    List<ParkedFetch> unpark(java.util.function.Predicate<ParkedFetch> ready) {
        List<ParkedFetch> result = new ArrayList<>();
        parkedFetches.values().removeIf(fetch -> {
            if (ready.test(fetch)) {
                result.add(fetch);
                return true;
            }
            return false;
        });
        return result;
    }

    /** The matched offset of every voter but the leader, by id (for describing the quorum). */
    public Map<Integer, Long> voterMatchedOffsets() {
        Map<Integer, Long> result = new TreeMap<>();
        voters.forEach((id, progress) -> result.put(id, progress.matchedOffset));
        return result;
    }

    /** The matched offset of every observer that fetched, by id. */
    public Map<Integer, Long> observerMatchedOffsets() {
        Map<Integer, Long> result = new TreeMap<>();
        observers.forEach((id, progress) -> result.put(id, progress.matchedOffset));
        return result;
    }
}
