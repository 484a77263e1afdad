package io.fjord.broker.coordinator.group.internal;

import io.fjord.broker.coordinator.group.RequestContext;
import io.fjord.broker.coordinator.group.TopicIdResolver;
import io.fjord.broker.coordinator.group.records.OffsetCommitValue;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.OffsetFetchRequestData;
import io.fjord.protocol.message.OffsetFetchResponseData;
import io.fjord.storage.TopicPartition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * OffsetFetch: the committed offsets of the named partitions (-1 where there is none) or of every partition (null
 * topics), for one group (v1-7) or several (v8+; v10 names topics by id). Pending transactional offsets are never
 * shown; with {@code require_stable} (v7+) a partition that has some is answered UNSTABLE_OFFSET_COMMIT (offset -1),
 * which the consumer retries until the transaction ends, as Kafka does.
 *
 * <p>Not thread-safe: owned by the shard's thread.
 */
public final class OffsetFetchHandler {
    private final GroupStore store;
    private final TopicIdResolver topics;

    public OffsetFetchHandler(GroupStore store, TopicIdResolver topics) {
        this.store = store;
        this.topics = topics;
    }

    /** One partition's answer. */
    private record Fetched(String topic, UUID topicId, int partition, long offset, int leaderEpoch, String metadata,
            Errors error) {
    }

    public void handle(RequestContext context, OffsetFetchRequestData request, Effects effects) {
        OffsetFetchResponseData response = new OffsetFetchResponseData();
        if (context.apiVersion() < 8) {
            List<TopicRequest> requested = null;
            if (request.topics() != null) {
                requested = new ArrayList<>();
                for (OffsetFetchRequestData.OffsetFetchRequestTopic topic : request.topics()) {
                    requested.add(new TopicRequest(topic.name(), null, topic.partitionIndexes()));
                }
            }
            Map<String, List<Fetched>> byTopic = fetch(request.groupId(), requested, false, request.requireStable());
            for (Map.Entry<String, List<Fetched>> entry : byTopic.entrySet()) {
                List<OffsetFetchResponseData.OffsetFetchResponsePartition> partitions = new ArrayList<>();
                for (Fetched fetched : entry.getValue()) {
                    partitions.add(new OffsetFetchResponseData.OffsetFetchResponsePartition()
                            .setPartitionIndex(fetched.partition()).setCommittedOffset(fetched.offset())
                            .setCommittedLeaderEpoch(context.apiVersion() >= 5 ? fetched.leaderEpoch() : -1)
                            .setMetadata(fetched.metadata()).setErrorCode(fetched.error().code()));
                }
                response.topics().add(new OffsetFetchResponseData.OffsetFetchResponseTopic()
                        .setName(entry.getValue().get(0).topic()).setPartitions(partitions));
            }
            effects.reply(context.requestId(), response);
            return;
        }
        boolean byId = context.apiVersion() >= 10;
        for (OffsetFetchRequestData.OffsetFetchRequestGroup group : request.groups()) {
            Errors memberError = group.groupId() == null ? Errors.NONE : ConsumerOffsetValidation.fetchError(
                    store.consumerGroup(group.groupId()), group.memberId(), group.memberEpoch());
            if (memberError != Errors.NONE) {
                response.groups().add(new OffsetFetchResponseData.OffsetFetchResponseGroup()
                        .setGroupId(group.groupId()).setErrorCode(memberError.code()));
                continue;
            }
            List<TopicRequest> requested = null;
            if (group.topics() != null) {
                requested = new ArrayList<>();
                for (OffsetFetchRequestData.OffsetFetchRequestTopics topic : group.topics()) {
                    String name = byId ? topics.topicName(topic.topicId()) : topic.name();
                    requested.add(new TopicRequest(name, byId ? topic.topicId() : null, topic.partitionIndexes()));
                }
            }
            OffsetFetchResponseData.OffsetFetchResponseGroup groupResponse =
                    new OffsetFetchResponseData.OffsetFetchResponseGroup().setGroupId(group.groupId());
            for (List<Fetched> topicFetched : fetch(group.groupId(), requested, byId, request.requireStable())
                    .values()) {
                Fetched first = topicFetched.get(0);
                OffsetFetchResponseData.OffsetFetchResponseTopics topicResponse =
                        new OffsetFetchResponseData.OffsetFetchResponseTopics();
                if (byId) {
                    topicResponse.setTopicId(first.topicId());
                } else {
                    topicResponse.setName(first.topic());
                }
                for (Fetched fetched : topicFetched) {
                    topicResponse.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartitions()
                            .setPartitionIndex(fetched.partition()).setCommittedOffset(fetched.offset())
                            .setCommittedLeaderEpoch(fetched.leaderEpoch()).setMetadata(fetched.metadata())
                            .setErrorCode(fetched.error().code()));
                }
                groupResponse.topics().add(topicResponse);
            }
            response.groups().add(groupResponse);
        }
        effects.reply(context.requestId(), response);
    }

    private record TopicRequest(String name, UUID topicId, List<Integer> partitions) {
    }

    /** A partition an open transaction holds an offset for: the consumer asked for stable offsets and retries. */
    private static Fetched unstable(String topic, UUID topicId, int partition) {
        return new Fetched(topic, topicId, partition, -1L, -1, "", Errors.UNSTABLE_OFFSET_COMMIT);
    }

    /** Answers by topic key (name, or id when names are unknown), in request order or sorted for "all". */
    private Map<String, List<Fetched>> fetch(String groupId, List<TopicRequest> requested, boolean byId,
            boolean requireStable) {
        Map<TopicPartition, OffsetCommitValue> committed = groupId == null ? Map.of() : store.offsets(groupId);
        Map<String, List<Fetched>> result = new java.util.LinkedHashMap<>();
        if (requested == null) {
            Map<String, List<Fetched>> sorted = new TreeMap<>();
            committed.entrySet().stream()
                    .sorted(Comparator.comparing((Map.Entry<TopicPartition, OffsetCommitValue> e) -> e.getKey().topic())
                            .thenComparingInt(e -> e.getKey().partition()))
                    .forEach(entry -> {
                        UUID topicId = byId ? topics.topicId(entry.getKey().topic()) : null;
                        if (byId && topicId == null) {
                            return; // a deleted topic cannot be named by id
                        }
                        OffsetCommitValue value = entry.getValue();
                        List<Fetched> list = sorted.computeIfAbsent(entry.getKey().topic(), t -> new ArrayList<>());
                        if (requireStable && store.hasPendingOffset(groupId, entry.getKey())) {
                            list.add(unstable(entry.getKey().topic(), topicId, entry.getKey().partition()));
                            return;
                        }
                        list.add(new Fetched(entry.getKey().topic(), topicId, entry.getKey().partition(),
                                value.offset(), value.leaderEpoch(), value.metadata(), Errors.NONE));
                    });
            return sorted;
        }
        for (TopicRequest topic : requested) {
            String key = topic.name() != null ? topic.name() : String.valueOf(topic.topicId());
            List<Fetched> list = result.computeIfAbsent(key, k -> new ArrayList<>());
            for (int partition : topic.partitions()) {
                if (topic.name() == null) {
                    list.add(new Fetched(null, topic.topicId(), partition, -1L, -1, "", Errors.UNKNOWN_TOPIC_ID));
                    continue;
                }
                // No offset can be committed under an empty name or a negative partition (Kafka answers -1).
                TopicPartition topicPartition = partition < 0 || topic.name().isEmpty() ? null
                        : new TopicPartition(topic.name(), partition);
                if (requireStable && topicPartition != null && groupId != null
                        && store.hasPendingOffset(groupId, topicPartition)) {
                    list.add(unstable(topic.name(), topic.topicId(), partition));
                    continue;
                }
                OffsetCommitValue value = topicPartition == null ? null : committed.get(topicPartition);
                list.add(value == null
                        ? new Fetched(topic.name(), topic.topicId(), partition, -1L, -1, "", Errors.NONE)
                        : new Fetched(topic.name(), topic.topicId(), partition, value.offset(), value.leaderEpoch(),
                                value.metadata(), Errors.NONE));
            }
            if (list.isEmpty()) {
                result.remove(key);
            }
        }
        return result;
    }
}
