package io.fjord.raft.internal;

import io.fjord.protocol.Errors;
import io.fjord.raft.BeginQuorumEpochRequest;
import io.fjord.raft.BeginQuorumEpochResponse;
import io.fjord.raft.EndQuorumEpochRequest;
import io.fjord.raft.EndQuorumEpochResponse;
import io.fjord.raft.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * BeginQuorumEpoch (a new leader announces itself; a voter follows it) and EndQuorumEpoch (a leader resigns; the
 * voters it names start an election soon, the most caught up first).
 *
 * <p>Not thread-safe: owned by the core's thread.
 */
final class QuorumEpochHandler {
    private final RaftCore core;
    /** While resigned: the successors named, and when each was last told (until it answers). */
    private List<Integer> successors = List.of();
    private final Map<Integer, Long> unansweredResignations = new TreeMap<>();

    QuorumEpochHandler(RaftCore core) {
        this.core = core;
    }

    void handleBegin(BeginQuorumEpochRequest request) {
        if (request.leaderEpoch() < core.epoch) {
            respondBegin(request, Errors.FENCED_LEADER_EPOCH);
            return;
        }
        // No voter-set check: a replica whose log is behind may not know the leader is a voter yet (the Raft
        // thesis, 4.1: a server follows a leader of a newer term whatever its configuration says).
        if (request.leaderEpoch() > core.epoch || core.role != Role.FOLLOWER || core.leaderId != request.leaderId()) {
            core.becomeFollower(request.leaderEpoch(), request.leaderId());
        }
        core.fetcher.heardFromLeaderItself();
        respondBegin(request, Errors.NONE);
    }

    private void respondBegin(BeginQuorumEpochRequest request, Errors error) {
        core.send(new BeginQuorumEpochResponse(core.config.nodeId(), request.source(), request.correlationId(), error,
                core.leaderId, core.epoch));
    }

    void handleEnd(EndQuorumEpochRequest request) {
        if (request.leaderEpoch() < core.epoch) {
            respondEnd(request, Errors.FENCED_LEADER_EPOCH);
            return;
        }
        boolean fromOurLeader = request.leaderEpoch() == core.epoch
                && (core.leaderId == request.leaderId() || core.leaderId == -1);
        if (core.isVoter() && (request.leaderEpoch() > core.epoch || fromOurLeader)
                && core.role != Role.LEADER && core.role != Role.CANDIDATE && core.role != Role.PROSPECTIVE) {
            core.becomeUnattached(request.leaderEpoch(), core.nowMs + successorDelayMs(request.preferredCandidates()));
        } else if (!core.isVoter()) {
            core.learnEpoch(request.leaderEpoch(), -1);
        }
        respondEnd(request, Errors.NONE);
    }

    /** The more caught up a successor, the sooner it stands: rank times an even share of the back-off bound. */
    private long successorDelayMs(List<Integer> preferredCandidates) {
        int rank = preferredCandidates.indexOf(core.config.nodeId());
        int backoffMaxMs = core.config.electionBackoffMaxMs();
        if (rank < 0) {
            return backoffMaxMs + core.randomBelow(backoffMaxMs);
        }
        int shareMs = Math.max(1, backoffMaxMs / Math.max(1, core.log.voters().size()));
        return (long) rank * shareMs + core.randomBelow(shareMs);
    }

    private void respondEnd(EndQuorumEpochRequest request, Errors error) {
        core.send(new EndQuorumEpochResponse(core.config.nodeId(), request.source(), request.correlationId(), error,
                core.leaderId, core.epoch));
    }

    void announceResignation(List<Integer> preferredSuccessors) {
        successors = List.copyOf(preferredSuccessors);
        unansweredResignations.clear();
        for (int voter : core.otherVoters()) {
            tellResignation(voter);
        }
    }

    /** While resigned, tells again the voters that did not answer within a request timeout. */
    void remindOfResignation() {
        for (int voter : new ArrayList<>(unansweredResignations.keySet())) {
            if (core.nowMs - unansweredResignations.get(voter) >= core.config.requestTimeoutMs()) {
                tellResignation(voter);
            }
        }
    }

    void resignationAnswered(EndQuorumEpochResponse response) {
        if (response.leaderEpoch() == core.epoch) {
            unansweredResignations.remove(response.source());
        }
    }

    private void tellResignation(int voter) {
        unansweredResignations.put(voter, core.nowMs);
        core.send(new EndQuorumEpochRequest(core.config.nodeId(), voter, core.nextCorrelationId(),
                core.config.nodeId(), core.epoch, successors));
    }
}
