package io.fjord.raft;

import io.fjord.protocol.Errors;

/**
 * The answer to a proposal: on success ({@link Errors#NONE}) the epoch and the offsets its entries got; they are
 * committed once the high watermark passes {@code lastOffset}, and lost if another entry ends up at those offsets.
 * Otherwise NOT_LEADER_OR_FOLLOWER (with the leader the replica knows, -1 if none), MESSAGE_TOO_LARGE or
 * INVALID_REQUEST.
 */
public record ProposeResult(Errors error, int epoch, long firstOffset, long lastOffset, int leaderId) {

    static ProposeResult refused(Errors error, int epoch, int leaderId) {
        return new ProposeResult(error, epoch, -1, -1, leaderId);
    }
}
