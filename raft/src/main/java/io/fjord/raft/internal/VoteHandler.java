package io.fjord.raft.internal;

import io.fjord.protocol.Errors;
import io.fjord.raft.DurableState;
import io.fjord.raft.Role;
import io.fjord.raft.VoteRequest;
import io.fjord.raft.VoteResponse;

/**
 * Vote and pre-vote (KIP-996): asking for votes as a prospective or candidate, granting them as a voter, counting
 * the answers.
 *
 * <p>A vote is granted once per epoch (the choice is durable before the answer leaves), only to a candidate whose
 * log is at least as up to date (last epoch, then log end offset). A pre-vote changes nothing durable and is refused
 * by a replica that has a leader (a follower hears from it, a leader is it): a replica coming back from a partition
 * cannot disturb a healthy quorum.
 *
 * <p>Not thread-safe: owned by the core's thread.
 */
final class VoteHandler {
    private final RaftCore core;

    VoteHandler(RaftCore core) {
        this.core = core;
    }

    void askAll() {
        for (int voter : core.otherVoters()) {
            ask(voter);
        }
    }

    /** Asks again the voters that have not answered within a request timeout. */
    void askSilentVoters() {
        for (int voter : core.otherVoters()) {
            if (!core.election.hasAnswered(voter)
                    && core.nowMs - core.election.lastAskedMs(voter) >= core.config.requestTimeoutMs()) {
                ask(voter);
            }
        }
    }

    private void ask(int voter) {
        int correlationId = core.nextCorrelationId();
        core.election.asked(voter, correlationId, core.nowMs);
        core.send(new VoteRequest(core.config.nodeId(), voter, correlationId, core.epoch, core.config.nodeId(),
                core.log.lastEpoch(), core.log.endOffset(), core.election.preVote));
    }

    void handleRequest(VoteRequest request) {
        // No voter-set check either way (the Raft thesis, 4.1; KIP-853): the candidate's log may hold a voter set
        // this replica has not seen yet. The candidate counts only the voters of its own set.
        if (request.replicaEpoch() < core.epoch) {
            respond(request, Errors.NONE, false);
            return;
        }
        boolean logUpToDate = isUpToDate(request.lastOffsetEpoch(), request.lastOffset());
        if (request.preVote()) {
            // KIP-996 (and the Raft thesis, 9.6): refused while this replica leads or hears from its leader: within
            // the fetch timeout, and the transport has not lost the leader's connection. Becoming a follower on
            // another replica's word does not count, so two followers of a dead leader cannot keep sending each other
            // back to it.
            boolean hasLeader = core.role == Role.LEADER || (core.role == Role.FOLLOWER
                    && !core.fetcher.leaderUnreachable
                    && core.nowMs - core.fetcher.leaderHeardMs < core.config.fetchTimeoutMs());
            // Granted by a follower that lost its leader: naming that leader would make the prospective follow it.
            boolean granted = logUpToDate && !hasLeader;
            respond(request, Errors.NONE, granted, granted && core.role == Role.FOLLOWER ? -1 : core.leaderId);
            return;
        }
        if (request.replicaEpoch() > core.epoch) {
            core.becomeUnattached(request.replicaEpoch(), Long.MAX_VALUE);
        }
        boolean free = core.votedId == DurableState.NO_VOTE || core.votedId == request.replicaId();
        boolean grant = free && core.leaderId == -1 && logUpToDate
                && (core.role == Role.UNATTACHED || core.role == Role.PROSPECTIVE);
        if (grant && core.votedId != request.replicaId()) {
            core.voteFor(request.replicaId());
        }
        respond(request, Errors.NONE, grant);
    }

    private boolean isUpToDate(int lastEpoch, long lastOffset) {
        int ourLastEpoch = core.log.lastEpoch();
        return lastEpoch > ourLastEpoch || (lastEpoch == ourLastEpoch && lastOffset >= core.log.endOffset());
    }

    private void respond(VoteRequest request, Errors error, boolean granted) {
        respond(request, error, granted, core.leaderId);
    }

    private void respond(VoteRequest request, Errors error, boolean granted, int leaderId) {
        core.send(new VoteResponse(core.config.nodeId(), request.source(), request.correlationId(), error,
                leaderId, core.epoch, granted, request.preVote()));
    }

    void handleResponse(VoteResponse response) {
        if (core.learnEpoch(response.leaderEpoch(), response.leaderId())) {
            return;
        }
        if (response.leaderEpoch() == core.epoch && response.leaderId() >= 0 && !response.voteGranted()
                && response.leaderId() != core.config.nodeId()
                && (core.role == Role.PROSPECTIVE || core.role == Role.CANDIDATE)) {
            // KIP-996: a voter that refuses because it hears from the epoch's leader (this replica may have missed
            // its BeginQuorumEpoch, or not be one of its voters any more): follow that leader rather than stand.
            // A voter that grants has not heard from its leader either, so its leader is no reason to go back.
            core.becomeFollower(core.epoch, response.leaderId());
            return;
        }
        ElectionState election = core.election;
        if (election == null || election.preVote != response.preVote()
                || !election.isOutstanding(response.correlationId()) || response.error() != Errors.NONE) {
            return;
        }
        if (!election.preVote && response.leaderEpoch() != core.epoch) {
            return;
        }
        election.record(response.source(), response.voteGranted());
        if (election.isWon()) {
            if (election.preVote) {
                core.becomeCandidate();
            } else {
                core.becomeLeader();
            }
        } else {
            maybeBackOffLostElection();
        }
    }

    /** A lost round is tried again after a random back-off rather than a full election timeout. */
    void maybeBackOffLostElection() {
        ElectionState election = core.election;
        if (election != null && (core.role == Role.PROSPECTIVE || core.role == Role.CANDIDATE)
                && election.isLost(core.log.voters().size(), core.unreachableVoters())) {
            if (!election.countedAsLost) {
                election.countedAsLost = true;
                core.lostElections++;
            }
            core.electionDeadlineMs = Math.min(core.electionDeadlineMs, core.nowMs + 1 + core.electionBackoffMs());
        }
    }
}
