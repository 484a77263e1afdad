package io.fjord.storage;

/**
 * A record found by timestamp: its timestamp, offset and the leader epoch of its batch. Immutable and thread-safe.
 */
public record TimestampAndOffset(long timestamp, long offset, int leaderEpoch) {
}
