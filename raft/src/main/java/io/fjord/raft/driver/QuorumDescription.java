package io.fjord.raft.driver;

import io.fjord.raft.ReplicaKey;
import java.util.List;
import java.util.UUID;

/**
 * What the leader knows of the quorum, DescribeQuorum's content: the epoch, the high watermark, and for each voter and
 * observer the log end offset it has matched, when it last fetched and when it was last caught up (wall-clock
 * milliseconds; {@code -1} when unknown, as Kafka reports them). Immutable; thread-safe.
 */
public record QuorumDescription(int leaderId, int leaderEpoch, long highWatermark, List<Replica> voters,
        List<Replica> observers) {

    public QuorumDescription {
        voters = List.copyOf(voters);
        observers = List.copyOf(observers);
    }

    /**
     * One replica: its matched log end offset, its directory id (the zero UUID when unknown), and the wall-clock
     * times of its last fetch and of when it was last caught up with the leader ({@code -1} when unknown).
     */
    public record Replica(int replicaId, long logEndOffset, UUID directoryId, long lastFetchTimestamp,
            long lastCaughtUpTimestamp) {
        public Replica(int replicaId, long logEndOffset, UUID directoryId) {
            this(replicaId, logEndOffset, directoryId, -1, -1);
        }

        public Replica(int replicaId, long logEndOffset) {
            this(replicaId, logEndOffset, ReplicaKey.NO_DIRECTORY);
        }
    }
}
