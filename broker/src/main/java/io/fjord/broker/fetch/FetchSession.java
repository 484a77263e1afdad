package io.fjord.broker.fetch;

import java.util.LinkedHashMap;
import java.util.List;

/**
 * An incremental fetch session (KIP-227): the partitions a fetcher reads, in response order, and the epoch the next
 * request must carry.
 *
 * <p>Thread-safety: the partitions and the epoch are guarded by this object's monitor; the bookkeeping fields used by
 * the cache ({@code lastUsedMs}, {@code cachedSize}) by the {@link FetchSessionCache}'s monitor. Lock order: cache,
 * then session.
 */
final class FetchSession {
    final int id;
    /** A follower's session: preferred over consumers' when the cache has to evict. */
    final boolean privileged;
    final boolean usesTopicIds;
    final long creationMs;

    // Guarded by the cache's monitor.
    long lastUsedMs;
    int cachedSize;

    // Guarded by this session's monitor.
    private final LinkedHashMap<SessionPartitionKey, CachedPartition> partitions;
    private int epoch;

    FetchSession(int id, boolean privileged, boolean usesTopicIds, long nowMs,
            LinkedHashMap<SessionPartitionKey, CachedPartition> partitions) {
        this.id = id;
        this.privileged = privileged;
        this.usesTopicIds = usesTopicIds;
        this.creationMs = nowMs;
        this.lastUsedMs = nowMs;
        this.partitions = partitions;
        this.cachedSize = partitions.size();
        this.epoch = FetchSessionEpochs.nextEpoch(FetchSessionEpochs.INITIAL_EPOCH);
    }

    synchronized int epoch() {
        return epoch;
    }

    synchronized void advanceEpoch() {
        epoch = FetchSessionEpochs.nextEpoch(epoch);
    }

    synchronized int size() {
        return partitions.size();
    }

    /** The partitions in response order; the caller holds this session's monitor. */
    LinkedHashMap<SessionPartitionKey, CachedPartition> partitionsLocked() {
        return partitions;
    }

    /** Moves the partitions to the end of the response order, so others get the response space first next time. */
    void moveToEndLocked(List<SessionPartitionKey> keys) {
        for (SessionPartitionKey key : keys) {
            CachedPartition partition = partitions.remove(key);
            if (partition != null) {
                partitions.put(key, partition);
            }
        }
    }
}
