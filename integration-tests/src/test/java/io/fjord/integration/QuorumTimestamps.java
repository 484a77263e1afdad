package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.clients.admin.QuorumInfo;

/**
 * Checks DescribeQuorum's LastFetchTimestamp and LastCaughtUpTimestamp (KIP-836) as an operator reads them: known
 * for every replica described, and recent. Recent is a liveness bound for a busy machine (replicas fetch every
 * half second), not a performance claim. Stateless; thread-safe.
 */
final class QuorumTimestamps {
    /** How far before the DescribeQuorum call a healthy replica's times may be. */
    private static final long RECENT_MS = 60_000;

    private QuorumTimestamps() {
    }

    /** Every replica's times are known and between {@code beforeMs - RECENT_MS} and {@code afterMs}. */
    static void assertRecent(List<QuorumInfo.ReplicaState> replicas, long beforeMs, long afterMs) {
        assertThat(replicas).isNotEmpty().allSatisfy(replica -> {
            assertThat(replica.lastFetchTimestamp()).as("replica %d's last fetch", replica.replicaId()).isPresent();
            assertThat(replica.lastFetchTimestamp().getAsLong()).as("replica %d's last fetch", replica.replicaId())
                    .isBetween(beforeMs - RECENT_MS, afterMs);
            assertThat(replica.lastCaughtUpTimestamp()).as("replica %d caught up", replica.replicaId()).isPresent();
            assertThat(replica.lastCaughtUpTimestamp().getAsLong()).as("replica %d caught up", replica.replicaId())
                    .isBetween(beforeMs - RECENT_MS, afterMs);
        });
    }
}
