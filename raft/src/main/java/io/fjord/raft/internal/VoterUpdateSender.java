package io.fjord.raft.internal;

import io.fjord.protocol.Errors;
import io.fjord.raft.KraftVersionRange;
import io.fjord.raft.Role;
import io.fjord.raft.UpdateRaftVoterRequest;
import io.fjord.raft.UpdateRaftVoterResponse;

/**
 * A follower voter's side of UpdateRaftVoter (KIP-853): once per epoch it tells its leader where it listens and
 * which {@code kraft.version} levels it supports, as Kafka's voters do after they start or a new leader is elected:
 * at {@code kraft.version} 0 always (the leader keeps it in memory, for the upgrade), at 1 only when the voter set's
 * endpoints for it are not its own (it restarted on another address). One request in flight; an error answer or no
 * answer within the request timeout is tried again (an error answer after {@value #RETRY_BACKOFF_MS} ms, no answer
 * after the request timeout). A replica that does not know its own endpoints sends
 * nothing.
 *
 * <p>Not thread-safe: owned by the core's thread.
 */
final class VoterUpdateSender {
    /** The wait before asking again after an error answer (a new leader commits its epoch within milliseconds). */
    static final int RETRY_BACKOFF_MS = 100;
    private final RaftCore core;
    /** The epoch whose leader took this voter's update; -1 if none yet. */
    private int updatedEpoch = -1;
    private int inFlightCorrelationId;
    private boolean inFlight;
    private long nextAttemptMs;

    VoterUpdateSender(RaftCore core) {
        this.core = core;
    }

    /** A role change: a request in flight is forgotten (its answer would be of another epoch). */
    void reset() {
        inFlight = false;
        nextAttemptMs = 0;
    }

    /** Sends the update if this follower voter owes its leader one and none is in flight. */
    void maybeSend() {
        if (core.role != Role.FOLLOWER || updatedEpoch == core.epoch || core.config.localEndpoints().isEmpty()
                || !core.isVoter()) {
            return;
        }
        if (core.kraftVersion() > 0
                && core.log.voters().endpoints(core.config.nodeId()).equals(core.config.localEndpoints())
                && core.log.voters().supportedKraftVersions(core.config.nodeId()).equals(KraftVersionRange.SUPPORTED)) {
            updatedEpoch = core.epoch; // the log already says where this voter listens and what it supports
            return;
        }
        if (core.nowMs < nextAttemptMs) {
            return;
        }
        inFlightCorrelationId = core.nextCorrelationId();
        inFlight = true;
        nextAttemptMs = core.nowMs + core.config.requestTimeoutMs();
        core.send(new UpdateRaftVoterRequest(core.config.nodeId(), core.leaderId, inFlightCorrelationId, core.epoch,
                core.config.nodeId(), core.localKey.directoryId(), core.config.localEndpoints(),
                KraftVersionRange.SUPPORTED.min(), KraftVersionRange.SUPPORTED.max()));
    }

    void handleResponse(UpdateRaftVoterResponse response) {
        if (!inFlight || response.correlationId() != inFlightCorrelationId) {
            return;
        }
        inFlight = false;
        if (core.learnEpoch(response.currentLeader().leaderEpoch(), response.currentLeader().leaderId())) {
            return;
        }
        if (response.error() == Errors.NONE) {
            updatedEpoch = core.epoch;
        } else {
            // REQUEST_TIMED_OUT while the leader commits its epoch or a voter change, ...: ask again soon.
            nextAttemptMs = core.nowMs + RETRY_BACKOFF_MS;
        }
    }
}
