package io.fjord.raft.driver;

import io.fjord.protocol.Errors;

/**
 * Why a proposal did not commit: NOT_LEADER_OR_FOLLOWER (this node does not lead, or lost the leadership before the
 * entries committed, in which case they may still commit under a new leader: the outcome is unknown, as for a
 * Kafka producer's timed-out request), KAFKA_STORAGE_ERROR (the driver stopped), REQUEST_TIMED_OUT (the driver's
 * queue is full), or the core's refusal (MESSAGE_TOO_LARGE, INVALID_REQUEST). Immutable.
 */
public final class ProposalException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Errors error;
    private final int leaderId;

    public ProposalException(Errors error, int leaderId, String message) {
        super(error + ": " + message);
        this.error = error;
        this.leaderId = leaderId;
    }

    public Errors error() {
        return error;
    }

    /** The leader this node knew when it refused, -1 if none. */
    public int leaderId() {
        return leaderId;
    }
}
