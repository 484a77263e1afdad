package io.fjord.broker.replica;

import io.fjord.storage.PartitionLog;
import io.fjord.storage.TopicPartition;

/**
 * One partition of a Fetch request as it was sent: the state it was made with and the log's position then. The
 * response is applied only if the partition still has this state and its log still ends at {@code fetchOffset}.
 * Immutable (the state and log are shared, guarded by the fetcher's partition map lock).
 */
record PlannedFetch(TopicPartition topicPartition, PartitionFetchState state, PartitionLog log, long fetchOffset,
        int lastFetchedEpoch, long logStartOffset) {

    /** Still the partition's state, and nothing moved its log end since the request was made. */
    boolean isCurrent(PartitionFetchState current) {
        return current == state && log.logEndOffset() == fetchOffset && !log.isClosed();
    }
}
