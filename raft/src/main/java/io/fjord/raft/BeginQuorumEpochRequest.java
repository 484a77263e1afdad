package io.fjord.raft;

/** Kafka's BeginQuorumEpochRequest (API 53): a new leader announces itself to a voter. */
public record BeginQuorumEpochRequest(int source, int destination, int correlationId, int leaderId,
        int leaderEpoch) implements RaftMessage {
}
