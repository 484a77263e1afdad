package io.fjord.raft;

/** Kafka's LeaderIdAndEpoch: a leader ({@code -1} when unknown) and the epoch the sender knows. */
public record LeaderAndEpoch(int leaderId, int leaderEpoch) {
}
