package io.fjord.raft.internal;

import io.fjord.protocol.Errors;
import io.fjord.raft.AddRaftVoterRequest;
import io.fjord.raft.AddRaftVoterResponse;
import io.fjord.raft.ApiVersionsRequest;
import io.fjord.raft.ApiVersionsResponse;
import io.fjord.raft.EntryType;
import io.fjord.raft.KraftVersionRange;
import io.fjord.raft.KraftVersionUpgrade;
import io.fjord.raft.RaftMessage;
import io.fjord.raft.RemoveRaftVoterRequest;
import io.fjord.raft.RemoveRaftVoterResponse;
import io.fjord.raft.ReplicaKey;
import io.fjord.raft.Role;
import io.fjord.raft.VoterSet;
import java.util.Optional;

/**
 * AddRaftVoter and RemoveRaftVoter on the leader (KIP-853), one voter at a time: the leader appends a VOTERS entry
 * with the new set, which takes effect at once on every replica that has it, and answers once it is committed (by
 * a majority of the new set). Refused with REQUEST_TIMED_OUT, as Kafka does, while the leader has not committed an
 * entry of its own epoch (a change from an earlier epoch may still be uncommitted: the single-server change bug of
 * the Raft thesis) or while a change is uncommitted; an added voter must be an observer with the given directory
 * id that is caught up (it fetched from the leader's end, or from the end the leader had at its previous fetch,
 * within a fetch timeout), else REQUEST_TIMED_OUT too. Before that, as Kafka's AddVoterHandler does, the leader asks
 * the replica for its ApiVersions at the endpoints the request names: no answer within the request timeout, or an
 * error, is REQUEST_TIMED_OUT; a replica whose supported {@code kraft.version} range leaves out the finalized level
 * is INVALID_REQUEST; the range it lists goes into the voter set with it. A voter already there is
 * DUPLICATE_VOTER, one not there VOTER_NOT_FOUND. An unanswered change is answered REQUEST_TIMED_OUT after the
 * request's timeout, and NOT_LEADER_OR_FOLLOWER if the leader loses its epoch (the change may still be committed by
 * the next leader).
 *
 * <p>Not thread-safe: owned by the core's thread.
 */
final class VoterChangeHandler {
    private final RaftCore core;
    private Pending pending;
    /** An AddRaftVoter waiting for the new voter's ApiVersions answer, or null. */
    private AwaitingVersions awaitingVersions;

    private record AwaitingVersions(AddRaftVoterRequest request, int correlationId, long deadlineMs) {
    }

    /** A change appended at {@code offset} whose request waits for its commit. */
    private record Pending(RaftMessage request, long offset, long deadlineMs) {
    }

    VoterChangeHandler(RaftCore core) {
        this.core = core;
    }

    void handleAdd(AddRaftVoterRequest request) {
        Optional<Refusal> refusal = refusal(request.voterId());
        if (refusal.isPresent()) {
            respond(request, refusal.get().error(), refusal.get().message());
            return;
        }
        VoterSet voters = core.log.voters();
        if (request.voterDirectoryId().equals(ReplicaKey.NO_DIRECTORY)) {
            respond(request, Errors.INVALID_REQUEST, "a new voter needs a directory id");
        } else if (voters.containsId(request.voterId())) {
            respond(request, Errors.DUPLICATE_VOTER, "replica " + request.voterId() + " is already a voter");
        } else if (voters.size() >= VoterSet.MAX_VOTERS || request.listeners().size() > VoterSet.MAX_ENDPOINTS) {
            respond(request, Errors.INVALID_REQUEST, "the voter set is full, or the voter has too many listeners");
        } else {
            // Which kraft.version levels does its software support? (Kafka asks with ApiVersions.)
            int correlationId = core.nextCorrelationId();
            awaitingVersions = new AwaitingVersions(request, correlationId,
                    core.nowMs + core.config.requestTimeoutMs());
            core.send(new ApiVersionsRequest(core.config.nodeId(), request.voterId(), correlationId,
                    request.listeners()));
        }
    }

    /** The new voter's ApiVersions answer: checks its kraft.version range and whether it is caught up, then adds it. */
    void handleVersions(ApiVersionsResponse response) {
        AwaitingVersions awaiting = awaitingVersions;
        if (awaiting == null || response.correlationId() != awaiting.correlationId()
                || response.source() != awaiting.request().voterId()) {
            return; // not the answer this leader waits for
        }
        awaitingVersions = null;
        AddRaftVoterRequest request = awaiting.request();
        ReplicaKey key = new ReplicaKey(request.voterId(), request.voterDirectoryId());
        short finalized = core.kraftVersion();
        KraftVersionRange range = response.supportedKraftVersions();
        if (core.role != Role.LEADER) {
            respond(request, Errors.NOT_LEADER_OR_FOLLOWER, "not the leader");
        } else if (response.error() != Errors.NONE) {
            respond(request, Errors.REQUEST_TIMED_OUT, "Aborted add voter operation for " + key
                    + " since API_VERSIONS returned an error " + response.error());
        } else if (range == null || !range.contains(finalized)) {
            respond(request, Errors.INVALID_REQUEST, "Aborted add voter operation for " + key + " since the "
                    + KraftVersionUpgrade.FEATURE_NAME + " range "
                    + (range == null ? new KraftVersionRange((short) 0, (short) 0) : range)
                    + " doesn't support the finalized version " + finalized);
        } else if (!isCaughtUp(request.voterId(), request)) {
            respond(request, Errors.REQUEST_TIMED_OUT, "replica " + request.voterId()
                    + " is not a caught-up observer with directory " + request.voterDirectoryId());
        } else {
            append(request, core.log.voters().adding(new VoterSet.Voter(key, request.listeners(), range)),
                    request.timeoutMs(), request.ackWhenCommitted());
        }
    }

    void handleRemove(RemoveRaftVoterRequest request) {
        Optional<Refusal> refusal = refusal(request.voterId());
        if (refusal.isPresent()) {
            respond(request, refusal.get().error(), refusal.get().message());
            return;
        }
        VoterSet voters = core.log.voters();
        Optional<ReplicaKey> voter = voters.key(request.voterId());
        if (voter.isEmpty() || !voter.get().matches(new ReplicaKey(request.voterId(), request.voterDirectoryId()))) {
            respond(request, Errors.VOTER_NOT_FOUND, "replica " + request.voterId() + " with directory "
                    + request.voterDirectoryId() + " is not a voter");
        } else if (voters.size() == 1) {
            respond(request, Errors.INVALID_REQUEST, "the last voter cannot be removed");
        } else {
            append(request, voters.removing(request.voterId()), core.config.requestTimeoutMs(), true);
        }
    }

    private record Refusal(Errors error, String message) {
    }

    /** Why no change can start now, if so. */
    private Optional<Refusal> refusal(int voterId) {
        if (core.role != Role.LEADER) {
            return Optional.of(new Refusal(Errors.NOT_LEADER_OR_FOLLOWER, "not the leader"));
        }
        if (core.highWatermark <= core.leader.epochStartOffset()) {
            return Optional.of(new Refusal(Errors.REQUEST_TIMED_OUT,
                    "the leader has not yet committed an entry of its epoch"));
        }
        if (awaitingVersions != null) {
            return Optional.of(new Refusal(Errors.REQUEST_TIMED_OUT,
                    "Request timed out waiting for leader to handle previous add voter request"));
        }
        if (pending != null || core.log.lastVotersOffset() >= core.highWatermark) {
            return Optional.of(new Refusal(Errors.REQUEST_TIMED_OUT, "a voter change is still uncommitted"));
        }
        if (voterId < 0) {
            return Optional.of(new Refusal(Errors.INVALID_REQUEST, "invalid voter id " + voterId));
        }
        return Optional.empty();
    }

    private boolean isCaughtUp(int replicaId, AddRaftVoterRequest request) {
        ReplicaProgress progress = core.leader.knownProgress(replicaId);
        return progress != null && progress.directoryId.equals(request.voterDirectoryId())
                && progress.lastCaughtUpMs != Long.MIN_VALUE
                && core.nowMs - progress.lastCaughtUpMs <= core.config.fetchTimeoutMs();
    }

    private void append(RaftMessage request, VoterSet newVoters, int timeoutMs, boolean answerOnCommit) {
        long offset = core.log.endOffset();
        if (answerOnCommit) {
            pending = new Pending(request, offset, core.nowMs + Math.max(1, timeoutMs));
        } else {
            respond(request, Errors.NONE, null);
        }
        core.appendAsLeader(EntryType.VOTERS, newVoters.encode());
        if (core.role == Role.LEADER) {
            core.leaderFetches.answerParked();
        }
    }

    /** Whether an AddRaftVoter or RemoveRaftVoter waits for its commit. */
    boolean hasPending() {
        return pending != null || awaitingVersions != null;
    }

    /** The high watermark moved: answer the change it commits. */
    void maybeComplete() {
        if (pending != null && core.highWatermark > pending.offset()) {
            respond(pending.request(), Errors.NONE, null);
            pending = null;
        }
    }

    void expire() {
        if (awaitingVersions != null && core.nowMs >= awaitingVersions.deadlineMs()) {
            respond(awaitingVersions.request(), Errors.REQUEST_TIMED_OUT, "New voter "
                    + awaitingVersions.request().voterId() + " did not answer ApiVersions in time");
            awaitingVersions = null;
        }
        if (pending != null && core.nowMs >= pending.deadlineMs()) {
            respond(pending.request(), Errors.REQUEST_TIMED_OUT, "the voter change is not committed yet");
            pending = null;
        }
    }

    void leadershipEnded() {
        if (awaitingVersions != null) {
            respond(awaitingVersions.request(), Errors.NOT_LEADER_OR_FOLLOWER,
                    "the leader lost its epoch before the voter was added");
            awaitingVersions = null;
        }
        if (pending != null) {
            respond(pending.request(), Errors.NOT_LEADER_OR_FOLLOWER,
                    "the leader lost its epoch before the voter change was committed");
            pending = null;
        }
    }

    private void respond(RaftMessage request, Errors error, String message) {
        int self = core.config.nodeId();
        if (request instanceof AddRaftVoterRequest add) {
            core.send(new AddRaftVoterResponse(self, add.source(), add.correlationId(), error, message));
        } else {
            core.send(new RemoveRaftVoterResponse(self, request.source(), request.correlationId(), error, message));
        }
    }
}
