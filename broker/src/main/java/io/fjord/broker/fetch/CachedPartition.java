package io.fjord.broker.fetch;

import io.fjord.protocol.Errors;
import io.fjord.protocol.message.FetchRequestData;
import io.fjord.protocol.message.FetchResponseData;
import io.fjord.storage.TopicPartition;

/**
 * A partition of a fetch session (or of one sessionless request): what the fetcher asked for last, and what the
 * session last told it (high watermark, log start offset, last stable offset), so an incremental response can leave
 * out partitions with nothing new.
 *
 * <p>Not thread-safe: guarded by the monitor of the {@link FetchSession} holding it, or owned by one request.
 */
final class CachedPartition {
    /** A high watermark no real partition has, so the next response always includes the partition. */
    static final long UNKNOWN_OFFSET = -1L;

    final SessionPartitionKey key;
    /** The topic name: the request's, or the resolver's answer for the topic id; null if the id is unknown. */
    String resolvedTopicName;
    long fetchOffset;
    long fetcherLogStartOffset;
    int maxBytes;
    int currentLeaderEpoch;
    int lastFetchedEpoch;

    long highWatermark = UNKNOWN_OFFSET;
    long leaderLogStartOffset = UNKNOWN_OFFSET;
    long lastStableOffset = UNKNOWN_OFFSET;

    CachedPartition(SessionPartitionKey key, String resolvedTopicName, FetchRequestData.FetchPartition request) {
        this.key = key;
        this.resolvedTopicName = resolvedTopicName;
        updateRequestParameters(request);
    }

    void updateRequestParameters(FetchRequestData.FetchPartition request) {
        fetchOffset = request.fetchOffset();
        fetcherLogStartOffset = request.logStartOffset();
        maxBytes = request.partitionMaxBytes();
        currentLeaderEpoch = request.currentLeaderEpoch();
        lastFetchedEpoch = request.lastFetchedEpoch();
    }

    boolean isResolved() {
        return resolvedTopicName != null && !resolvedTopicName.isEmpty() && key.partition() >= 0;
    }

    TopicPartition topicPartition() {
        return new TopicPartition(resolvedTopicName, key.partition());
    }

    PartitionToFetch toPartitionToFetch() {
        return new PartitionToFetch(topicPartition(), key.topicId(), fetchOffset, fetcherLogStartOffset, maxBytes,
                currentLeaderEpoch, lastFetchedEpoch);
    }

    /**
     * Compares a read result with what the fetcher was told last and remembers the new values. Returns true if the
     * fetcher must hear about this partition: it has records, a changed high watermark, log start offset or last
     * stable offset, an error, a diverging epoch, a new leader, a snapshot to fetch or a preferred read replica.
     * After an error the high watermark is forgotten, so the partition is sent again once the error is gone.
     */
    boolean updateResponseData(FetchResponseData.PartitionData data) {
        boolean mustRespond = data.records() != null && data.records().sizeInBytes() > 0;
        if (highWatermark != data.highWatermark()) {
            mustRespond = true;
            highWatermark = data.highWatermark();
        }
        if (leaderLogStartOffset != data.logStartOffset()) {
            mustRespond = true;
            leaderLogStartOffset = data.logStartOffset();
        }
        if (lastStableOffset != data.lastStableOffset()) {
            mustRespond = true;
            lastStableOffset = data.lastStableOffset();
        }
        if (data.errorCode() != Errors.NONE.code()) {
            mustRespond = true;
            highWatermark = UNKNOWN_OFFSET;
        }
        if (data.preferredReadReplica() >= 0
                || data.divergingEpoch().epoch() >= 0
                || data.currentLeader().leaderId() >= 0
                || data.snapshotId().endOffset() >= 0) {
            mustRespond = true;
        }
        return mustRespond;
    }
}
