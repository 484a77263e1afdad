package io.fjord.raft.internal;

import io.fjord.raft.ReplicaKey;
import io.fjord.raft.ReplicaState;
import io.fjord.raft.VoterSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * A leader's bookkeeping for its epoch: where its epoch starts in the log, the voter set in force (the log's latest,
 * KIP-853: it changes when the leader appends a VOTERS entry), the progress of every replica that fetched (the
 * voters' set the high watermark and check-quorum; observers' are reported, and tell whether one is caught up
 * enough to become a voter) and the fetches it holds. The leader counts itself only while it is a voter.
 *
 * <p>Not thread-safe: owned by the core's thread.
 */
public final class LeaderState {
    /** Bound on the observers a leader tracks; the one that fetched least recently makes room. */
    static final int MAX_OBSERVERS = 1024;
    /** An observer silent this long is no longer described (Kafka's observer session timeout, 5 minutes). */
    static final long OBSERVER_SESSION_TIMEOUT_MS = 300_000;

    private final int epoch;
    private final long epochStartOffset;
    private final int selfId;
    private VoterSet voters;
    private final Map<Integer, ReplicaProgress> replicas = new TreeMap<>();
    private final Map<Integer, ParkedFetch> parkedFetches = new TreeMap<>();

    LeaderState(int epoch, long epochStartOffset, VoterSet voters, int selfId, long nowMs) {
        this.epoch = epoch;
        this.epochStartOffset = epochStartOffset;
        this.selfId = selfId;
        updateVoters(voters, nowMs);
    }

    public int epoch() {
        return epoch;
    }

    /** The offset of this epoch's first entry (its leader-change entry). */
    public long epochStartOffset() {
        return epochStartOffset;
    }

    public VoterSet voters() {
        return voters;
    }

    /** The voter set changed: every voter gets a progress (an added one keeps the one it had as an observer). */
    void updateVoters(VoterSet newVoters, long nowMs) {
        this.voters = newVoters;
        for (int id : newVoters.ids()) {
            if (id != selfId) {
                replicas.computeIfAbsent(id, replicaId -> new ReplicaProgress(replicaId, nowMs));
            }
        }
    }

    boolean isVoter(ReplicaKey replica) {
        return voters.isVoter(replica);
    }

    /** The progress of {@code replicaId}, created for an observer fetching for the first time. */
    ReplicaProgress progress(int replicaId, long nowMs) {
        ReplicaProgress progress = replicas.get(replicaId);
        if (progress != null) {
            return progress;
        }
        if (replicas.size() - voters.size() >= MAX_OBSERVERS) {
            replicas.values().stream().filter(p -> !voters.containsId(p.replicaId))
                    .min(Comparator.comparingLong(p -> p.lastFetchMs))
                    .ifPresent(oldest -> replicas.remove(oldest.replicaId));
        }
        progress = new ReplicaProgress(replicaId, nowMs);
        replicas.put(replicaId, progress);
        return progress;
    }

    /** The progress of {@code replicaId} if it fetched in this epoch (or is a voter), else null. */
    ReplicaProgress knownProgress(int replicaId) {
        return replicas.get(replicaId);
    }

    /** The offset a majority of voters (this leader counting with {@code leaderFlushedEndOffset}) have matched. */
    long majorityMatchedOffset(long leaderFlushedEndOffset) {
        List<Long> offsets = new ArrayList<>(voters.size());
        for (int id : voters.ids()) {
            offsets.add(id == selfId ? leaderFlushedEndOffset : replicas.get(id).matchedOffset);
        }
        offsets.sort(Comparator.reverseOrder());
        return offsets.get(voters.majority() - 1);
    }

    /** Check-quorum: whether a majority of voters (this leader, if one, included) fetched within {@code timeoutMs}. */
    boolean hasMajorityContact(long nowMs, long timeoutMs) {
        int inContact = 0;
        for (int id : voters.ids()) {
            if (id == selfId || nowMs - replicas.get(id).lastFetchMs <= timeoutMs) {
                inContact++;
            }
        }
        return inContact >= voters.majority();
    }

    /** Voters that have not fetched for {@code silenceMs} and were not told of the epoch within it. */
    List<Integer> votersToRemind(long nowMs, long silenceMs) {
        List<Integer> result = new ArrayList<>();
        for (int id : voters.ids()) {
            ReplicaProgress progress = replicas.get(id);
            if (id != selfId && nowMs - progress.lastFetchMs >= silenceMs
                    && nowMs - progress.lastBeginQuorumEpochSentMs >= silenceMs) {
                progress.lastBeginQuorumEpochSentMs = nowMs;
                result.add(id);
            }
        }
        return result;
    }

    /** Other voters, the most caught up first: the preferred successors when this leader resigns. */
    List<Integer> votersByMatchedOffset() {
        List<ReplicaProgress> sorted = new ArrayList<>();
        for (int id : voters.ids()) {
            if (id != selfId) {
                sorted.add(replicas.get(id));
            }
        }
        sorted.sort(Comparator.comparingLong((ReplicaProgress p) -> p.matchedOffset).reversed()
                .thenComparingInt(p -> p.replicaId));
        return sorted.stream().map(p -> p.replicaId).toList();
    }

    void park(ParkedFetch fetch) {
        parkedFetches.put(fetch.request().replicaId(), fetch);
    }

    /** Removes and returns the held fetches that {@code ready} selects. */
    List<ParkedFetch> unpark(Predicate<ParkedFetch> ready) {
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

    /** What DescribeQuorum reports of every voter but the leader, by id. */
    public List<ReplicaState> voterStates() {
        return replicas.values().stream().filter(p -> voters.containsId(p.replicaId)).map(ReplicaProgress::describe)
                .toList();
    }

    /** What DescribeQuorum reports of every observer that fetched in this epoch within the session timeout, by id. */
    public List<ReplicaState> observerStates(long nowMs) {
        return replicas.values().stream().filter(p -> !voters.containsId(p.replicaId))
                .filter(p -> nowMs - p.lastFetchMs < OBSERVER_SESSION_TIMEOUT_MS)
                .map(ReplicaProgress::describe).toList();
    }
}
