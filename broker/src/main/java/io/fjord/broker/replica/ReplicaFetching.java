package io.fjord.broker.replica;

import io.fjord.storage.TopicPartition;
import java.util.Map;
import java.util.Set;

/**
 * The follower side of replication as the replica manager sees it: which partitions this node follows, and from which
 * leader at which leader epoch. The implementation runs the replica fetchers (one per source broker and fetcher
 * index, Kafka's {@code num.replica.fetchers}); they append what leaders send, truncate a diverging tail and keep each
 * follower log's high watermark.
 *
 * <p>Implementations are thread-safe. {@link #removePartitions} returns only once no fetcher touches those logs any
 * more, so the caller may then append to them as leader, truncate or delete them.
 */
public interface ReplicaFetching extends AutoCloseable {
    /**
     * Starts following the partitions, or updates the leader and epoch of partitions already followed (a fetcher
     * that followed another leader, or an older epoch, lets go of the partition first).
     */
    void addPartitions(Map<TopicPartition, InitialFetchState> partitions);

    /** Stops following the partitions; returns once no fetcher appends to, or truncates, their logs. */
    void removePartitions(Set<TopicPartition> partitions);

    /** Stops every fetcher; waits for them to finish. */
    @Override
    void close();
}
