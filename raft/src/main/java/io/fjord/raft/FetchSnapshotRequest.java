package io.fjord.raft;

/**
 * Kafka's FetchSnapshotRequest (API 59, KIP-630): a replica behind the leader's log start asks for up to
 * {@code maxBytes} of snapshot {@code snapshotId} from byte {@code position}.
 */
public record FetchSnapshotRequest(int source, int destination, int correlationId, int replicaId,
        int currentLeaderEpoch, OffsetAndEpoch snapshotId, long position, int maxBytes) implements RaftMessage {
}
