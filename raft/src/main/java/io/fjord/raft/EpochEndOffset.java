package io.fjord.raft;

/** Kafka's EpochEndOffset in a FetchResponse: the largest matching epoch and the end offset of it on the leader. */
public record EpochEndOffset(int epoch, long endOffset) {
}
