package io.fjord.raft;

import java.util.Objects;
import java.util.UUID;

/**
 * The KRaft subset of Kafka's FetchRequest (API 1) for the one metadata partition: replica {@code replicaId}, which
 * believes {@code currentLeaderEpoch} is the current epoch, asks for entries from {@code fetchOffset}; its entry
 * before that offset has epoch {@code lastFetchedEpoch} (0 for an empty log), which lets the leader detect
 * divergence. {@code highWatermark} is the high watermark the replica knows (Fetch v18), so the leader answers a
 * parked fetch as soon as it has a newer one. {@code maxWaitMs} bounds how long the leader may hold the fetch.
 * {@code replicaDirectoryId} (Fetch v17, KIP-853's ReplicaDirectoryId) identifies the fetcher's log directory, so
 * the leader can tell which replica may become a voter.
 */
public record FetchRequest(int source, int destination, int correlationId, int replicaId, int currentLeaderEpoch,
        long fetchOffset, int lastFetchedEpoch, long highWatermark, int maxBytes, int maxWaitMs,
        UUID replicaDirectoryId) implements RaftMessage {

    public FetchRequest {
        Objects.requireNonNull(replicaDirectoryId, "replicaDirectoryId");
    }

    /** A fetch without a directory id (before Fetch v17). */
    public FetchRequest(int source, int destination, int correlationId, int replicaId, int currentLeaderEpoch,
            long fetchOffset, int lastFetchedEpoch, long highWatermark, int maxBytes, int maxWaitMs) {
        this(source, destination, correlationId, replicaId, currentLeaderEpoch, fetchOffset, lastFetchedEpoch,
                highWatermark, maxBytes, maxWaitMs, ReplicaKey.NO_DIRECTORY);
    }
}
