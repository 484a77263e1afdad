package io.fjord.broker.replica;

import io.fjord.storage.EpochEndOffset;
import java.util.Optional;

/**
 * Where a follower truncates its log when the leader says where one of its epochs ends (a diverging epoch in a Fetch
 * response, KIP-320, or an OffsetForLeaderEpoch answer): Kafka's rule, which compares the epochs of both logs
 * instead of trusting the high watermark (KIP-101).
 *
 * <ul>
 *   <li>The leader does not know the epoch's end (end offset -1): nothing to truncate.</li>
 *   <li>The follower knows the leader's epoch: the smaller of both ends of that epoch.</li>
 *   <li>The follower does not know the leader's epoch but an older one: the end of that older epoch here; the next
 *       fetch sends that epoch as its last fetched epoch, and the leader answers again if the logs still differ.</li>
 *   <li>The follower knows no epoch at or below the leader's: the leader's end offset.</li>
 * </ul>
 * Never beyond the follower's log end. Stateless and thread-safe.
 */
final class FollowerTruncation {
    private FollowerTruncation() {
    }

    /**
     * The offset to truncate the follower's log to; {@code followerLogEnd} means nothing to truncate.
     *
     * @param leaderEpoch the leader's epoch, at most the one asked about
     * @param leaderEndOffset where that epoch ends in the leader's log, -1 when unknown
     * @param followerEnd the follower's own answer for {@code leaderEpoch} ({@code endOffsetForEpoch})
     */
    static long truncationOffset(int leaderEpoch, long leaderEndOffset, Optional<EpochEndOffset> followerEnd,
            long followerLogEnd) {
        if (leaderEndOffset < 0) {
            return followerLogEnd;
        }
        if (leaderEpoch < 0 || followerEnd.isEmpty()) {
            return Math.min(leaderEndOffset, followerLogEnd);
        }
        EpochEndOffset follower = followerEnd.get();
        if (follower.epoch() != leaderEpoch) {
            return Math.min(follower.endOffset(), followerLogEnd);
        }
        return Math.min(Math.min(follower.endOffset(), leaderEndOffset), followerLogEnd);
    }
}
