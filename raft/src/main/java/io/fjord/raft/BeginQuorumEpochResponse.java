package io.fjord.raft;

import io.fjord.protocol.Errors;

/** Kafka's BeginQuorumEpochResponse (API 53) for one partition: the voter's answer and the leader it knows. */
public record BeginQuorumEpochResponse(int source, int destination, int correlationId, Errors error, int leaderId,
        int leaderEpoch) implements RaftMessage {
}
