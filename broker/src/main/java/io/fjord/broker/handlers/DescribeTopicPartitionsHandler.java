package io.fjord.broker.handlers;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.network.RequestContext;
import io.fjord.metadata.controller.TopicNames;
import io.fjord.metadata.image.BrokerImage;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.DescribeTopicPartitionsRequestData;
import io.fjord.protocol.message.DescribeTopicPartitionsResponseData;
import io.fjord.protocol.message.DescribeTopicPartitionsResponseData.Cursor;
import io.fjord.protocol.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponsePartition;
import io.fjord.protocol.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * DescribeTopicPartitions (KIP-966), what kafka-clients 4.x Admin.describeTopics uses when a broker offers it. Topics
 * in name order (all of them for an empty list), partitions in index order, at most
 * {@code min(response_partition_limit, max.request.partition.size.limit)} partitions per response (at least one); a
 * cut response carries the cursor where the next request starts. Topics before the cursor's topic are skipped, and
 * the cursor's topic starts at the cursor's partition. A cursor whose partition is negative, or whose topic is not in
 * a non-empty topic list, is INVALID_REQUEST for every topic asked for, as Kafka answers. Asked-for topics that do not
 * exist are UNKNOWN_TOPIC_OR_PARTITION (INVALID_TOPIC_EXCEPTION for an illegal name) with a zero topic id.
 *
 * <p>Eligible leader replicas are not tracked yet, so both ELR lists are empty. Thread-safe: reads one immutable
 * image per request.
 */
public final class DescribeTopicPartitionsHandler implements ApiHandler {
    /** Kafka's default of {@code max.request.partition.size.limit}. */
    public static final int PARTITION_LIMIT_DEFAULT = 2000;
    private static final int NO_LEADER = -1;
    private static final UUID ZERO_UUID = new UUID(0, 0);
    /**
     * Kafka answers the operations a client may perform on each topic; with no authorizer (Fjord has none) that is
     * every operation a topic supports: READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS and
     * ALTER_CONFIGS (Kafka's AclOperation codes 3-8, 10 and 11, one bit each).
     */
    static final int TOPIC_OPERATIONS_ALLOWED = (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8)
            | (1 << 10) | (1 << 11);

    private final MetadataCache cache;
    private final int partitionLimitMax;

    /** @param partitionLimitMax the broker's {@code max.request.partition.size.limit}, at least 1 */
    public DescribeTopicPartitionsHandler(MetadataCache cache, int partitionLimitMax) {
        if (partitionLimitMax < 1) {
            throw new IllegalArgumentException("max.request.partition.size.limit must be at least 1: "
                    + partitionLimitMax);
        }
        this.cache = cache;
        this.partitionLimitMax = partitionLimitMax;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DecodedRequest request) {
        DescribeTopicPartitionsRequestData body = (DescribeTopicPartitionsRequestData) request.body();
        return CompletableFuture.completedFuture(describe(body, cache.image(), context.listenerName()));
    }

    private DescribeTopicPartitionsResponseData describe(DescribeTopicPartitionsRequestData body, MetadataImage image,
                                                         String listenerName) {
        DescribeTopicPartitionsRequestData.Cursor cursor = body.cursor();
        String cursorTopic = cursor == null ? "" : cursor.topicName();
        boolean allTopics = body.topics().isEmpty();
        TreeSet<String> names = new TreeSet<>();
        if (allTopics) {
            image.topicsByName().keySet().stream().filter(name -> name.compareTo(cursorTopic) >= 0).forEach(names::add);
        } else {
            body.topics().stream().map(DescribeTopicPartitionsRequestData.TopicRequest::name)
                    .filter(name -> name.compareTo(cursorTopic) >= 0).forEach(names::add);
        }
        if (cursor != null && (cursor.partitionIndex() < 0 || (!allTopics && !names.contains(cursorTopic)))) {
            return invalidRequest(body);
        }
        int remaining = Math.max(1, Math.min(partitionLimitMax, body.responsePartitionLimit()));
        DescribeTopicPartitionsResponseData response = new DescribeTopicPartitionsResponseData();
        for (String name : names) {
            if (remaining == 0) {
                // The previous topic filled the page exactly: the next page starts at this one.
                response.setNextCursor(new Cursor().setTopicName(name).setPartitionIndex(0));
                break;
            }
            Optional<TopicImage> topic = image.topic(name);
            if (topic.isEmpty()) {
                response.topics().add(missing(name));
                continue;
            }
            DescribeTopicPartitionsResponseTopic described = new DescribeTopicPartitionsResponseTopic().setName(name)
                    .setTopicId(topic.get().topicId()).setIsInternal(TopicNames.isInternal(name))
                    .setTopicAuthorizedOperations(TOPIC_OPERATIONS_ALLOWED);
            int firstPartition = name.equals(cursorTopic) ? cursor.partitionIndex() : 0;
            Iterator<PartitionImage> partitions = topic.get().partitions().tailMap(firstPartition, true).values()
                    .iterator();
            while (remaining > 0 && partitions.hasNext()) {
                described.partitions().add(describe(partitions.next(), image, listenerName));
                remaining--;
            }
            response.topics().add(described);
            if (partitions.hasNext()) {
                response.setNextCursor(new Cursor().setTopicName(name)
                        .setPartitionIndex(partitions.next().partitionId()));
                break;
            }
        }
        return response;
    }

    private static DescribeTopicPartitionsResponseTopic missing(String name) {
        Errors error = TopicNames.validate(name).isPresent() ? Errors.INVALID_TOPIC_EXCEPTION
                : Errors.UNKNOWN_TOPIC_OR_PARTITION;
        return new DescribeTopicPartitionsResponseTopic().setName(name).setErrorCode(error.code())
                .setTopicId(ZERO_UUID).setIsInternal(TopicNames.isInternal(name));
    }

    private static DescribeTopicPartitionsResponseData invalidRequest(DescribeTopicPartitionsRequestData body) {
        DescribeTopicPartitionsResponseData response = new DescribeTopicPartitionsResponseData();
        for (DescribeTopicPartitionsRequestData.TopicRequest topic : body.topics()) {
            response.topics().add(new DescribeTopicPartitionsResponseTopic().setName(topic.name())
                    .setErrorCode(Errors.INVALID_REQUEST.code()).setTopicId(ZERO_UUID));
        }
        return response;
    }

    /**
     * A partition as Kafka describes it: a leader that is not registered is LEADER_NOT_AVAILABLE, one without an
     * endpoint on the request's listener LISTENER_NOT_FOUND (leader -1 for both); replicas that are not registered,
     * fenced or without that listener are offline.
     */
    private static DescribeTopicPartitionsResponsePartition describe(PartitionImage partition, MetadataImage image,
                                                                     String listenerName) {
        List<Integer> offline = new ArrayList<>();
        for (int replica : partition.replicas()) {
            BrokerImage broker = image.brokers().get(replica);
            if (broker == null || broker.fenced() || Endpoints.on(broker, listenerName).isEmpty()) {
                offline.add(replica);
            }
        }
        DescribeTopicPartitionsResponsePartition result = new DescribeTopicPartitionsResponsePartition()
                .setPartitionIndex(partition.partitionId()).setLeaderEpoch(partition.leaderEpoch())
                .setReplicaNodes(new ArrayList<>(partition.replicas())).setIsrNodes(new ArrayList<>(partition.isr()))
                .setEligibleLeaderReplicas(new ArrayList<>(partition.eligibleLeaderReplicas()))
                .setLastKnownElr(new ArrayList<>(partition.lastKnownElr()))
                .setOfflineReplicas(offline);
        BrokerImage leader = image.brokers().get(partition.leader());
        if (leader == null) {
            return result.setErrorCode(Errors.LEADER_NOT_AVAILABLE.code()).setLeaderId(NO_LEADER);
        }
        if (Endpoints.on(leader, listenerName).isEmpty()) {
            return result.setErrorCode(Errors.LISTENER_NOT_FOUND.code()).setLeaderId(NO_LEADER);
        }
        return result.setLeaderId(leader.brokerId());
    }
}
