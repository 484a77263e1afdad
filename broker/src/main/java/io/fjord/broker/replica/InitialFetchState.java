package io.fjord.broker.replica;

import java.util.UUID;

/**
 * Where a follower starts fetching one partition: the leader's broker id, the leader epoch this node learned from the
 * metadata (sent as Fetch's current leader epoch, so a stale leader or follower is detected) and the offset to fetch
 * from (the follower log's end). Immutable.
 */
public record InitialFetchState(UUID topicId, int leaderId, int currentLeaderEpoch, long initialOffset) {
}
