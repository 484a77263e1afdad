package io.fjord.raft;

import java.util.Objects;
import java.util.UUID;

/**
 * What a leader knows of one other replica in its epoch (DescribeQuorum's ReplicaState, KIP-595/KIP-836): the
 * directory id it fetched with, the log end offset it has matched, when it last fetched validly and when it was last
 * caught up. Times are on the clock the node is ticked with; {@link #NEVER} when the replica has not fetched (or not
 * been caught up) in this epoch, and then its offset is {@code -1}.
 *
 * <p>Immutable; thread-safe.
 */
public record ReplicaState(int replicaId, UUID directoryId, long logEndOffset, long lastFetchMs,
        long lastCaughtUpMs) {
    /** The time of something that has not happened in this epoch. */
    public static final long NEVER = Long.MIN_VALUE;

    public ReplicaState {
        Objects.requireNonNull(directoryId, "directoryId");
    }
}
