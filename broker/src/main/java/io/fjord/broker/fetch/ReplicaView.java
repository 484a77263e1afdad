package io.fjord.broker.fetch;

/**
 * One replica of a partition as the replica selector sees it (Kafka's {@code ReplicaView}). Immutable.
 *
 * @param brokerId the replica's broker
 * @param rack the broker's {@code broker.rack}, or null when it has none
 * @param logEndOffset the replica's log end offset as the leader knows it
 * @param timeSinceLastCaughtUpMs how long ago the replica was last caught up with the leader; 0 for the leader
 */
public record ReplicaView(int brokerId, String rack, long logEndOffset, long timeSinceLastCaughtUpMs) {
}
