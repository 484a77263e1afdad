package io.fjord.broker.replica;

import io.fjord.storage.TopicPartition;
import java.util.Map;
import java.util.Set;

/**
 * The {@link ReplicaFetching} of a node whose replica fetchers are not wired yet: nothing is ever followed, so
 * removing partitions has nothing to stop, and following one is refused. Unreachable while topics have a replication
 * factor of 1 (every replica leads). Stateless; thread-safe.
 */
public final class NoReplicaFetchers implements ReplicaFetching {
    @Override
    public void addPartitions(Map<TopicPartition, InitialFetchState> partitions) {
        if (!partitions.isEmpty()) {
            throw new IllegalStateException("replica fetchers not wired");
        }
    }

    @Override
    public void removePartitions(Set<TopicPartition> partitions) {
        // No fetcher runs.
    }

    @Override
    public void close() {
        // Nothing to stop.
    }
}
