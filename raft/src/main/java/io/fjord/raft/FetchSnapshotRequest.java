package io.fjord.raft;

/**
 * Kafka's FetchSnapshotRequest (API 59): a replica behind the leader's log start asks for a chunk of snapshot
 * {@code snapshotId} from byte {@code position}. Snapshots are not implemented yet; the core answers
 * SNAPSHOT_NOT_FOUND.
 */
public record FetchSnapshotRequest(int source, int destination, int correlationId, int replicaId,
        int currentLeaderEpoch, OffsetAndEpoch snapshotId, long position, int maxBytes) implements RaftMessage {
}
