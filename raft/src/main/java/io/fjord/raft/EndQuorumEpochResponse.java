package io.fjord.raft;

import io.fjord.protocol.Errors;

/** Kafka's EndQuorumEpochResponse (API 54) for one partition. */
public record EndQuorumEpochResponse(int source, int destination, int correlationId, Errors error, int leaderId,
        int leaderEpoch) implements RaftMessage {
}
