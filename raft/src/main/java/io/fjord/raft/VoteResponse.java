package io.fjord.raft;

import io.fjord.protocol.Errors;

/**
 * Kafka's VoteResponse (API 52) for one partition. {@code leaderId} and {@code leaderEpoch} are what the voter knows
 * (-1 for an unknown leader). {@code preVote} is not on the wire: the transport copies it from the request the
 * response answers.
 */
public record VoteResponse(int source, int destination, int correlationId, Errors error, int leaderId,
        int leaderEpoch, boolean voteGranted, boolean preVote) implements RaftMessage {
}
