package io.fjord.raft.driver;

import io.fjord.raft.ReplicaKey;
import java.util.List;
import java.util.UUID;

/**
 * What the leader knows of the quorum, DescribeQuorum's content: the epoch, the high watermark, and the log end
 * offset each voter and observer has matched ({@code -1} when unknown). Immutable; thread-safe.
 */
public record QuorumDescription(int leaderId, int leaderEpoch, long highWatermark, List<Replica> voters,
        List<Replica> observers) {

    public QuorumDescription {
        voters = List.copyOf(voters);
        observers = List.copyOf(observers);
    }

    /** One replica's matched log end offset and its directory id (the zero UUID when unknown). */
    public record Replica(int replicaId, long logEndOffset, UUID directoryId) {
        public Replica(int replicaId, long logEndOffset) {
            this(replicaId, logEndOffset, ReplicaKey.NO_DIRECTORY);
        }
    }
}
