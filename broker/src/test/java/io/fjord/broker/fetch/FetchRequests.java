package io.fjord.broker.fetch;

import io.fjord.protocol.message.BufferRecords;
import io.fjord.protocol.message.FetchRequestData;
import io.fjord.protocol.message.FetchResponseData;
import io.fjord.storage.TopicPartition;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Builders of Fetch requests and read results for the fetch session tests. */
final class FetchRequests {
    private final FetchRequestData request = new FetchRequestData();

    private FetchRequests(int sessionId, int epoch) {
        request.setSessionId(sessionId).setSessionEpoch(epoch);
    }

    static FetchRequests session(int sessionId, int epoch) {
        return new FetchRequests(sessionId, epoch);
    }

    FetchRequests follower(int replicaId) {
        request.setReplicaId(replicaId);
        request.replicaState().setReplicaId(replicaId);
        return this;
    }

    FetchRequests byId(UUID topicId, int partition, long fetchOffset) {
        request.topics().add(new FetchRequestData.FetchTopic()
                .setTopicId(topicId)
                .setPartitions(new ArrayList<>(List.of(partition(partition, fetchOffset)))));
        return this;
    }

    FetchRequests byName(String topic, int partition, long fetchOffset) {
        request.topics().add(new FetchRequestData.FetchTopic()
                .setTopic(topic)
                .setPartitions(new ArrayList<>(List.of(partition(partition, fetchOffset)))));
        return this;
    }

    FetchRequests forgetById(UUID topicId, int partition) {
        request.forgottenTopicsData().add(new FetchRequestData.ForgottenTopic()
                .setTopicId(topicId)
                .setPartitions(new ArrayList<>(List.of(partition))));
        return this;
    }

    FetchRequests forgetByName(String topic, int partition) {
        request.forgottenTopicsData().add(new FetchRequestData.ForgottenTopic()
                .setTopic(topic)
                .setPartitions(new ArrayList<>(List.of(partition))));
        return this;
    }

    FetchRequestData build() {
        return request;
    }

    private static FetchRequestData.FetchPartition partition(int partition, long fetchOffset) {
        return new FetchRequestData.FetchPartition()
                .setPartition(partition)
                .setFetchOffset(fetchOffset)
                .setLogStartOffset(-1)
                .setPartitionMaxBytes(1 << 20);
    }

    /** Read results: every partition to read gets the given high watermark and log start offset 0, no records. */
    static Map<TopicPartition, FetchResponseData.PartitionData> results(FetchContext context, long highWatermark) {
        Map<TopicPartition, FetchResponseData.PartitionData> results = new LinkedHashMap<>();
        for (PartitionToFetch partition : context.partitionsToRead()) {
            results.put(partition.topicPartition(), partition(highWatermark));
        }
        return results;
    }

    static FetchResponseData.PartitionData partition(long highWatermark) {
        return new FetchResponseData.PartitionData()
                .setHighWatermark(highWatermark)
                .setLastStableOffset(highWatermark)
                .setLogStartOffset(0);
    }

    static FetchResponseData.PartitionData withRecords(long highWatermark, int bytes) {
        return partition(highWatermark).setRecords(new BufferRecords(ByteBuffer.allocate(bytes)));
    }

    /** The response's partitions as "topic-partition" (or "id-partition" for topics without a name). */
    static List<String> partitionsOf(FetchResponseData response) {
        List<String> names = new ArrayList<>();
        for (FetchResponseData.FetchableTopicResponse topic : response.responses()) {
            String name = topic.topic().isEmpty() ? topic.topicId().toString() : topic.topic();
            for (FetchResponseData.PartitionData partition : topic.partitions()) {
                names.add(name + "-" + partition.partitionIndex());
            }
        }
        return names;
    }
}
