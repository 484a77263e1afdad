package io.fjord.broker.replica;

import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.FetchRequestData;
import io.fjord.protocol.message.FetchResponseData;
import io.fjord.protocol.message.ListOffsetsRequestData;
import io.fjord.protocol.message.OffsetForLeaderEpochRequestData;
import io.fjord.storage.TopicPartition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The requests a follower sends its leader, each built for the version it goes out at, and the mapping of a Fetch
 * response back to partitions. Stateless and thread-safe.
 */
final class ReplicaRequests {
    /** KIP-320's last fetched epoch (the diverging-epoch check on the leader) exists from Fetch v12. */
    static final short FETCH_VERSION_MIN = 12;
    private static final short FETCH_TOPIC_IDS_VERSION = 13;
    private static final short FETCH_REPLICA_STATE_VERSION = 15;
    /** ListOffsets' timestamps: Kafka's EARLIEST_TIMESTAMP and LATEST_TIMESTAMP. */
    static final long EARLIEST_TIMESTAMP = -2;
    static final long LATEST_TIMESTAMP = -1;

    private ReplicaRequests() {
    }

    /**
     * A replica Fetch of one session round ({@link ReplicaFetchSession}): its session id and epoch, the partitions it
     * sends (each with the leader epoch it knows, its log end as the fetch offset, its latest epoch as the last
     * fetched epoch and its log start) and those it forgets; this replica's id and broker epoch (ReplicaState from
     * v15, the replica id field before).
     *
     * @throws UnsupportedOperationException below v12, which cannot carry the last fetched epoch
     */
    static FetchRequestData fetch(short version, int localId, long brokerEpoch, ReplicaFetcherConfig config,
            ReplicaFetchSession.Request round) {
        if (version < FETCH_VERSION_MIN) {
            throw new UnsupportedOperationException("Fetch v" + version + " has no last fetched epoch (KIP-320)");
        }
        FetchRequestData request = new FetchRequestData().setMaxWaitMs(config.fetchWaitMaxMs())
                .setMinBytes(config.fetchMinBytes()).setMaxBytes(config.responseMaxBytes())
                .setIsolationLevel((byte) 0).setSessionId(round.sessionId()).setSessionEpoch(round.epoch());
        if (version >= FETCH_REPLICA_STATE_VERSION) {
            request.setReplicaState(new FetchRequestData.ReplicaState().setReplicaId(localId)
                    .setReplicaEpoch(brokerEpoch));
        } else {
            request.setReplicaId(localId);
        }
        boolean byTopicId = version >= FETCH_TOPIC_IDS_VERSION;
        Map<String, FetchRequestData.FetchTopic> topics = new LinkedHashMap<>();
        for (PlannedFetch planned : round.toSend()) {
            String name = planned.topicPartition().topic();
            FetchRequestData.FetchTopic topic = topics.computeIfAbsent(name, unused -> {
                FetchRequestData.FetchTopic created = new FetchRequestData.FetchTopic();
                if (byTopicId) {
                    created.setTopicId(planned.state().topicId());
                } else {
                    created.setTopic(name);
                }
                request.topics().add(created);
                return created;
            });
            topic.partitions().add(new FetchRequestData.FetchPartition()
                    .setPartition(planned.topicPartition().partition())
                    .setCurrentLeaderEpoch(planned.state().currentLeaderEpoch())
                    .setFetchOffset(planned.fetchOffset()).setLastFetchedEpoch(planned.lastFetchedEpoch())
                    .setLogStartOffset(planned.logStartOffset())
                    .setPartitionMaxBytes(config.partitionFetchMaxBytes()));
        }
        Map<Object, FetchRequestData.ForgottenTopic> forgotten = new LinkedHashMap<>();
        for (ReplicaFetchSession.Forgotten partition : round.toForget()) {
            String name = partition.topicPartition().topic();
            FetchRequestData.ForgottenTopic topic = forgotten.computeIfAbsent(
                    byTopicId ? partition.topicId() : name, unused -> {
                        FetchRequestData.ForgottenTopic created = byTopicId
                                ? new FetchRequestData.ForgottenTopic().setTopicId(partition.topicId())
                                : new FetchRequestData.ForgottenTopic().setTopic(name);
                        request.forgottenTopicsData().add(created);
                        return created;
                    });
            topic.partitions().add(partition.topicPartition().partition());
        }
        return request;
    }

    /**
     * The partitions of a Fetch response by partition, matched to the request's topics by id (v13+) or name.
     * Partitions the request did not ask for are left out.
     */
    static Map<TopicPartition, FetchResponseData.PartitionData> partitions(FetchResponseData response,
            List<PlannedFetch> requested) {
        Map<UUID, String> namesById = new HashMap<>();
        Map<TopicPartition, PlannedFetch> byPartition = new HashMap<>();
        for (PlannedFetch planned : requested) {
            namesById.put(planned.state().topicId(), planned.topicPartition().topic());
            byPartition.put(planned.topicPartition(), planned);
        }
        Map<TopicPartition, FetchResponseData.PartitionData> result = new HashMap<>();
        for (FetchResponseData.FetchableTopicResponse topic : response.responses()) {
            String name = topic.topic() != null && !topic.topic().isEmpty() ? topic.topic()
                    : namesById.get(topic.topicId());
            if (name == null) {
                continue;
            }
            for (FetchResponseData.PartitionData partition : topic.partitions()) {
                TopicPartition topicPartition = new TopicPartition(name, partition.partitionIndex());
                if (byPartition.containsKey(topicPartition)) {
                    result.put(topicPartition, partition);
                }
            }
        }
        return result;
    }

    /** OffsetForLeaderEpoch for one partition, as a replica: where the leader's {@code leaderEpoch} ends. */
    static ApiMessage offsetForLeaderEpoch(int localId, TopicPartition partition, int currentLeaderEpoch,
            int leaderEpoch) {
        OffsetForLeaderEpochRequestData request = new OffsetForLeaderEpochRequestData().setReplicaId(localId);
        request.topics().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic(partition.topic())
                .setPartitions(new ArrayList<>(List.of(
                        new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition()
                                .setPartition(partition.partition()).setCurrentLeaderEpoch(currentLeaderEpoch)
                                .setLeaderEpoch(leaderEpoch)))));
        return request;
    }

    /** ListOffsets for one partition, as a replica (the leader answers from its whole log, not up to its HW). */
    static ApiMessage listOffsets(int localId, TopicPartition partition, int currentLeaderEpoch, long timestamp) {
        ListOffsetsRequestData request = new ListOffsetsRequestData().setReplicaId(localId)
                .setIsolationLevel((byte) 0);
        request.topics().add(new ListOffsetsRequestData.ListOffsetsTopic().setName(partition.topic())
                .setPartitions(new ArrayList<>(List.of(new ListOffsetsRequestData.ListOffsetsPartition()
                        .setPartitionIndex(partition.partition()).setCurrentLeaderEpoch(currentLeaderEpoch)
                        .setTimestamp(timestamp)))));
        return request;
    }
}
