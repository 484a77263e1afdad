package io.fjord.raft;

/** An offset and an epoch, as in Kafka's snapshot ids (end offset, epoch). */
public record OffsetAndEpoch(long offset, int epoch) {
}
