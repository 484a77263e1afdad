package io.fjord.broker.fetch;

import io.fjord.protocol.Errors;
import io.fjord.protocol.message.FetchResponseData;
import io.fjord.storage.TopicPartition;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds a Fetch response's topic list: consecutive partitions of one topic share a topic entry, which carries the
 * topic id and the name (the encoder writes whichever the version has). Not thread-safe: one per response.
 */
final class FetchResponseAssembler {
    private final List<FetchResponseData.FetchableTopicResponse> topics = new ArrayList<>();
    private Object currentTopicKey;

    /** The read result for the partition, or the error its topic calls for when it cannot be read. */
    static FetchResponseData.PartitionData resultFor(CachedPartition partition,
            Map<TopicPartition, FetchResponseData.PartitionData> readResults) {
        if (!partition.isResolved()) {
            boolean unknownTopicId = partition.key.topicName() == null && partition.resolvedTopicName == null;
            Errors error = unknownTopicId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
            return errorPartition(partition.key.partition(), error);
        }
        FetchResponseData.PartitionData data = readResults.get(partition.topicPartition());
        if (data == null) {
            return errorPartition(partition.key.partition(), Errors.UNKNOWN_SERVER_ERROR);
        }
        return data.setPartitionIndex(partition.key.partition());
    }

    static FetchResponseData.PartitionData errorPartition(int partitionIndex, Errors error) {
        return new FetchResponseData.PartitionData()
                .setPartitionIndex(partitionIndex)
                .setErrorCode(error.code())
                .setHighWatermark(CachedPartition.UNKNOWN_OFFSET)
                .setLastStableOffset(CachedPartition.UNKNOWN_OFFSET)
                .setLogStartOffset(CachedPartition.UNKNOWN_OFFSET);
    }

    static List<PartitionToFetch> readable(Collection<CachedPartition> partitions) {
        List<PartitionToFetch> readable = new ArrayList<>(partitions.size());
        for (CachedPartition partition : partitions) {
            if (partition.isResolved()) {
                readable.add(partition.toPartitionToFetch());
            }
        }
        return List.copyOf(readable);
    }

    void add(CachedPartition partition, FetchResponseData.PartitionData data) {
        Object topicKey = partition.key.topicKey();
        if (topics.isEmpty() || !Objects.equals(currentTopicKey, topicKey)) {
            String name = partition.resolvedTopicName != null ? partition.resolvedTopicName : "";
            topics.add(new FetchResponseData.FetchableTopicResponse()
                    .setTopic(name)
                    .setTopicId(partition.key.topicId())
                    .setPartitions(new ArrayList<>()));
            currentTopicKey = topicKey;
        }
        topics.get(topics.size() - 1).partitions().add(data);
    }

    FetchResponseData build(int sessionId) {
        return new FetchResponseData()
                .setErrorCode(Errors.NONE.code())
                .setSessionId(sessionId)
                .setResponses(topics);
    }
}
