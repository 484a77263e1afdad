package io.fjord.broker.coordinator.group;

import io.fjord.broker.coordinator.group.records.CoordinatorRecord;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.ConsumerGroupDescribeRequestData;
import io.fjord.protocol.message.ConsumerGroupDescribeResponseData;
import io.fjord.protocol.message.ConsumerGroupHeartbeatRequestData;
import io.fjord.protocol.message.ConsumerGroupHeartbeatResponseData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;

/**
 * Drives a {@link GroupCoordinatorShard}'s KIP-848 side as the driver will: a fake clock, request ids, the replies
 * by request id, every record kept (through its bytes) so another shard can replay them, and a topic image that
 * tests change with {@link #updateTopics}.
 */
final class ConsumerGroupHarness {
    static final short HEARTBEAT_VERSION = 1;
    static final int REBALANCE_TIMEOUT_MS = 30_000;

    final GroupCoordinatorConfig config;
    final ConsumerGroupConfig consumerConfig;
    GroupCoordinatorShard shard;
    final List<CoordinatorRecord> log = new ArrayList<>();
    final Map<Long, ApiMessage> replies = new HashMap<>();
    TestTopics topics;
    long nowMs;
    private long nextRequestId = 1;

    ConsumerGroupHarness(TestTopics topics, ConsumerGroupConfig consumerConfig) {
        this(topics, consumerConfig, ConsumerGroupSettings.fixed(consumerConfig));
    }

    /** A harness whose groups' own settings (group configs) come from {@code settings}. */
    ConsumerGroupHarness(TestTopics topics, ConsumerGroupConfig consumerConfig, ConsumerGroupSettings settings) {
        this.config = GroupCoordinatorConfig.defaults();
        this.consumerConfig = consumerConfig;
        this.topics = topics;
        this.shard = new GroupCoordinatorShard(config, consumerConfig, settings, topics, new SplittableRandom(7));
        shard.activate(nowMs);
    }

    ConsumerGroupHarness(TestTopics topics) {
        this(topics, ConsumerGroupConfig.defaults());
    }

    void collect(CoordinatorResult result) {
        log.addAll(result.records());
        for (Reply reply : result.replies()) {
            if (replies.put(reply.requestId(), reply.response()) != null) {
                throw new AssertionError("request " + reply.requestId() + " answered twice");
            }
        }
    }

    @SuppressWarnings("unchecked")
    <T extends ApiMessage> T call(short version, Function<RequestContext, CoordinatorResult> call) {
        long requestId = nextRequestId++;
        collect(call.apply(new RequestContext(requestId, version, "client-" + requestId % 1, "/10.0.0.1")));
        return (T) replies.get(requestId);
    }

    ConsumerGroupHeartbeatResponseData heartbeat(ConsumerGroupHeartbeatRequestData request) {
        return heartbeat(HEARTBEAT_VERSION, request);
    }

    ConsumerGroupHeartbeatResponseData heartbeat(short version, ConsumerGroupHeartbeatRequestData request) {
        return call(version, context -> shard.consumerGroupHeartbeat(context, request, nowMs));
    }

    static ConsumerGroupHeartbeatRequestData joinRequest(String groupId, String memberId, String... topicNames) {
        return new ConsumerGroupHeartbeatRequestData().setGroupId(groupId).setMemberId(memberId).setMemberEpoch(0)
                .setRebalanceTimeoutMs(REBALANCE_TIMEOUT_MS).setSubscribedTopicNames(List.of(topicNames))
                .setTopicPartitions(new ArrayList<>());
    }

    ConsumerGroupHeartbeatResponseData join(String groupId, String memberId, String... topicNames) {
        return heartbeat(joinRequest(groupId, memberId, topicNames));
    }

    /** A plain heartbeat; {@code owned} null sends no owned partitions. */
    ConsumerGroupHeartbeatResponseData heartbeat(String groupId, String memberId, int epoch,
            Map<String, List<Integer>> owned) {
        ConsumerGroupHeartbeatRequestData request = new ConsumerGroupHeartbeatRequestData().setGroupId(groupId)
                .setMemberId(memberId).setMemberEpoch(epoch);
        if (owned != null) {
            request.setTopicPartitions(ownedPartitions(owned));
        }
        return heartbeat(request);
    }

    static List<ConsumerGroupHeartbeatRequestData.TopicPartitions> ownedPartitions(Map<String, List<Integer>> owned) {
        List<ConsumerGroupHeartbeatRequestData.TopicPartitions> list = new ArrayList<>();
        owned.forEach((topic, partitions) -> list.add(new ConsumerGroupHeartbeatRequestData.TopicPartitions()
                .setTopicId(TestTopics.id(topic)).setPartitions(new ArrayList<>(partitions))));
        return list;
    }

    ConsumerGroupHeartbeatResponseData leave(String groupId, String memberId, int epoch) {
        return heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId(groupId).setMemberId(memberId)
                .setMemberEpoch(epoch));
    }

    ConsumerGroupDescribeResponseData.DescribedGroup describe(String groupId) {
        ConsumerGroupDescribeResponseData response = call((short) 1, context -> shard.consumerGroupDescribe(context,
                new ConsumerGroupDescribeRequestData().setGroupIds(List.of(groupId)), nowMs));
        return response.groups().get(0);
    }

    void advance(long ms) {
        nowMs += ms;
        collect(shard.pollTimers(nowMs));
    }

    void updateTopics(TestTopics next) {
        topics = next;
        collect(shard.onMetadataUpdate(next, nowMs));
    }

    /** A shard that replays this harness's log through the record bytes, then activates. */
    GroupCoordinatorShard replayedCopy() {
        GroupCoordinatorShard copy = new GroupCoordinatorShard(config, consumerConfig, topics,
                new SplittableRandom(99));
        GroupHarness.replayThroughBytes(copy, log);
        copy.activate(nowMs);
        return copy;
    }

    /**
     * The coordinator moves: the old shard is deactivated and a new one, loaded from the records, takes over (with
     * fresh session and rebalance timeouts, as after a leader change).
     */
    void failover() {
        collect(shard.deactivate(nowMs));
        shard = replayedCopy();
    }

    /** The assignment in a heartbeat response by topic name (null when the response carries none). */
    SortedMap<String, SortedSet<Integer>> assignment(ConsumerGroupHeartbeatResponseData response) {
        if (response.assignment() == null) {
            return null;
        }
        SortedMap<String, SortedSet<Integer>> byName = new TreeMap<>();
        for (ConsumerGroupHeartbeatResponseData.TopicPartitions topic : response.assignment().topicPartitions()) {
            byName.put(topics.topicName(topic.topicId()), new TreeSet<>(topic.partitions()));
        }
        return byName;
    }

    static Map<String, List<Integer>> owned(Object... topicAndPartitions) {
        Map<String, List<Integer>> owned = new TreeMap<>();
        for (int i = 0; i < topicAndPartitions.length; i += 2) {
            @SuppressWarnings("unchecked")
            List<Integer> partitions = (List<Integer>) topicAndPartitions[i + 1];
            owned.put((String) topicAndPartitions[i], partitions);
        }
        return owned;
    }

    static Map<String, List<Integer>> ownedAll(SortedMap<String, SortedSet<Integer>> assignment) {
        Map<String, List<Integer>> owned = new TreeMap<>();
        assignment.forEach((topic, partitions) -> owned.put(topic, new ArrayList<>(partitions)));
        return owned;
    }

    static UUID id(String topic) {
        return TestTopics.id(topic);
    }
}
