package io.fjord.broker.fetch;

import io.fjord.storage.TopicPartition;
import java.util.UUID;

/**
 * One partition a Fetch request (or its fetch session) asks for: where to read and how much. Immutable and
 * thread-safe.
 *
 * @param topicPartition the partition, by name
 * @param topicId the topic's id, or the zero UUID when the request names topics (Fetch below v13)
 * @param fetchOffset the offset to read from
 * @param logStartOffset the fetcher's log start offset (followers), or -1
 * @param maxBytes {@code partition_max_bytes}
 * @param currentLeaderEpoch the leader epoch the fetcher knows, or -1
 * @param lastFetchedEpoch the epoch of the last fetched batch (followers, for divergence checks), or -1
 */
public record PartitionToFetch(
        TopicPartition topicPartition,
        UUID topicId,
        long fetchOffset,
        long logStartOffset,
        int maxBytes,
        int currentLeaderEpoch,
        int lastFetchedEpoch) {}
