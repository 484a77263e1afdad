package io.fjord.raft;

import io.fjord.protocol.Errors;

/**
 * Kafka's UpdateRaftVoterResponse (API 82): the error (NONE once the leader took the update) and the leader and
 * epoch as the answering node knows them (the schema's CurrentLeader; the transport adds the leader's endpoint).
 *
 * <p>Immutable; thread-safe.
 */
public record UpdateRaftVoterResponse(int source, int destination, int correlationId, Errors error,
        LeaderAndEpoch currentLeader) implements RaftMessage {
}
