package io.fjord.raft;

import java.util.List;

/**
 * Kafka's EndQuorumEpochRequest (API 54): a leader resigns its epoch and names the voters it prefers as successors,
 * most up to date first, so that they start an election sooner.
 */
public record EndQuorumEpochRequest(int source, int destination, int correlationId, int leaderId, int leaderEpoch,
        List<Integer> preferredCandidates) implements RaftMessage {

    public EndQuorumEpochRequest {
        preferredCandidates = List.copyOf(preferredCandidates);
    }
}
