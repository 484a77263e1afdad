package io.fjord.raft;

/**
 * Kafka's VoteRequest (API 52) for one partition: a candidate, or with {@code preVote} a prospective candidate
 * (KIP-996), asks for a vote. {@code replicaEpoch} is the sender's current epoch (the candidate's new epoch; for a
 * pre-vote the epoch it has now), {@code lastOffsetEpoch} and {@code lastOffset} the epoch of its last entry and its
 * log end offset.
 */
public record VoteRequest(int source, int destination, int correlationId, int replicaEpoch, int replicaId,
        int lastOffsetEpoch, long lastOffset, boolean preVote) implements RaftMessage {
}
