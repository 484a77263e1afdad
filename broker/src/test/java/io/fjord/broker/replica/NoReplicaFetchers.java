package io.fjord.broker.replica;

import io.fjord.storage.TopicPartition;
import java.util.Map;
import java.util.Set;

/**
 * A test's {@link ReplicaFetching} for a node that only leads: nothing is ever followed, so removing partitions has
 * nothing to stop, and following one fails the test. Stateless; thread-safe.
 */
public final class NoReplicaFetchers implements ReplicaFetching {
    @Override
    public void addPartitions(Map<TopicPartition, InitialFetchState> partitions) {
        if (!partitions.isEmpty()) {
            throw new IllegalStateException("this test node follows no partition");
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
