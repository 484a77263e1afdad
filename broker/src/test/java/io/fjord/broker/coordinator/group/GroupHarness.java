package io.fjord.broker.coordinator.group;

import io.fjord.broker.coordinator.group.records.CoordinatorRecord;
import io.fjord.broker.coordinator.group.records.CoordinatorRecordSerde;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.HeartbeatRequestData;
import io.fjord.protocol.message.HeartbeatResponseData;
import io.fjord.protocol.message.JoinGroupRequestData;
import io.fjord.protocol.message.JoinGroupResponseData;
import io.fjord.protocol.message.LeaveGroupRequestData;
import io.fjord.protocol.message.LeaveGroupResponseData;
import io.fjord.protocol.message.OffsetCommitRequestData;
import io.fjord.protocol.message.OffsetCommitResponseData;
import io.fjord.protocol.message.SyncGroupRequestData;
import io.fjord.protocol.message.SyncGroupResponseData;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Drives a {@link GroupCoordinatorShard} the way the driver will: a fake clock, request ids, replies collected by
 * request id, and every record kept (through its bytes) so another shard can replay them.
 */
final class GroupHarness {
    static final int SESSION_TIMEOUT_MS = 10_000;
    static final int REBALANCE_TIMEOUT_MS = 30_000;
    static final short JOIN_VERSION = 9;

    final GroupCoordinatorShard shard;
    final List<CoordinatorRecord> log = new ArrayList<>();
    final Map<Long, ApiMessage> replies = new HashMap<>();
    final GroupCoordinatorConfig config;
    long nowMs;
    private long nextRequestId = 1;

    GroupHarness(GroupCoordinatorConfig config, long seed) {
        this.config = config;
        this.shard = new GroupCoordinatorShard(config, TopicIdResolver.NONE, new SplittableRandom(seed));
        shard.activate(nowMs);
    }

    GroupHarness() {
        this(GroupCoordinatorConfig.defaults(), 1);
    }

    /** A shard that replays this harness's log through the record bytes, then activates. */
    GroupCoordinatorShard replayedCopy(long seed) {
        GroupCoordinatorShard copy = new GroupCoordinatorShard(config, TopicIdResolver.NONE,
                new SplittableRandom(seed));
        replayThroughBytes(copy, log);
        copy.activate(nowMs);
        return copy;
    }

    /** Replays the records into a loading shard the way the driver will: serialized, then read back. */
    static void replayThroughBytes(GroupCoordinatorShard shard, List<CoordinatorRecord> records) {
        for (CoordinatorRecord record : records) {
            byte[] value = CoordinatorRecordSerde.serializeValue(record.value());
            shard.replay(ByteBuffer.wrap(CoordinatorRecordSerde.serializeKey(record.key())),
                    value == null ? null : ByteBuffer.wrap(value));
        }
    }

    long nextRequestId() {
        return nextRequestId++;
    }

    void collect(CoordinatorResult result) {
        log.addAll(result.records());
        for (Reply reply : result.replies()) {
            ApiMessage previous = replies.put(reply.requestId(), reply.response());
            if (previous != null) {
                throw new AssertionError("request " + reply.requestId() + " answered twice");
            }
        }
    }

    long call(short apiVersion, Function<RequestContext, CoordinatorResult> call) {
        long requestId = nextRequestId();
        collect(call.apply(new RequestContext(requestId, apiVersion, "client", "/127.0.0.1")));
        return requestId;
    }

    void advance(long ms) {
        nowMs += ms;
        collect(shard.pollTimers(nowMs));
    }

    @SuppressWarnings("unchecked")
    <T extends ApiMessage> T reply(long requestId) {
        return (T) replies.get(requestId);
    }

    boolean answered(long requestId) {
        return replies.containsKey(requestId);
    }

    static JoinGroupRequestData joinRequest(String groupId, String memberId, String instanceId, List<String> topics) {
        return new JoinGroupRequestData().setGroupId(groupId).setMemberId(memberId).setGroupInstanceId(instanceId)
                .setSessionTimeoutMs(SESSION_TIMEOUT_MS).setRebalanceTimeoutMs(REBALANCE_TIMEOUT_MS)
                .setProtocolType("consumer")
                .setProtocols(new ArrayList<>(List.of(new JoinGroupRequestData.JoinGroupRequestProtocol()
                        .setName("range").setMetadata(subscription(topics)))));
    }

    long join(String groupId, String memberId, String instanceId, List<String> topics) {
        return call(JOIN_VERSION, context -> shard.joinGroup(context,
                joinRequest(groupId, memberId, instanceId, topics), nowMs));
    }

    /** A dynamic member's two-step join (v4+): returns the request id of the join with the given member id. */
    String memberIdFor(String groupId) {
        JoinGroupResponseData first = reply(join(groupId, "", null, List.of("topic")));
        if (first.errorCode() != io.fjord.protocol.Errors.MEMBER_ID_REQUIRED.code()) {
            throw new AssertionError("expected MEMBER_ID_REQUIRED, got " + first);
        }
        return first.memberId();
    }

    long sync(String groupId, String memberId, String instanceId, int generationId, Map<String, byte[]> assignment) {
        SyncGroupRequestData request = new SyncGroupRequestData().setGroupId(groupId).setMemberId(memberId)
                .setGroupInstanceId(instanceId).setGenerationId(generationId)
                .setProtocolType("consumer").setProtocolName("range");
        assignment.forEach((member, bytes) -> request.assignments().add(
                new SyncGroupRequestData.SyncGroupRequestAssignment().setMemberId(member).setAssignment(bytes)));
        return call((short) 5, context -> shard.syncGroup(context, request, nowMs));
    }

    short heartbeat(String groupId, String memberId, String instanceId, int generationId) {
        long id = call((short) 4, context -> shard.heartbeat(context, new HeartbeatRequestData().setGroupId(groupId)
                .setMemberId(memberId).setGroupInstanceId(instanceId).setGenerationId(generationId), nowMs));
        return this.<HeartbeatResponseData>reply(id).errorCode();
    }

    LeaveGroupResponseData leave(String groupId, String memberId, String instanceId) {
        LeaveGroupRequestData request = new LeaveGroupRequestData().setGroupId(groupId);
        request.members().add(new LeaveGroupRequestData.MemberIdentity().setMemberId(memberId)
                .setGroupInstanceId(instanceId));
        return reply(call((short) 5, context -> shard.leaveGroup(context, request, nowMs)));
    }

    short commit(short version, String groupId, String memberId, int generationId, String topic, int partition,
            long offset) {
        OffsetCommitRequestData request = new OffsetCommitRequestData().setGroupId(groupId).setMemberId(memberId)
                .setGenerationIdOrMemberEpoch(generationId);
        OffsetCommitRequestData.OffsetCommitRequestTopic requestTopic =
                new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(topic);
        requestTopic.partitions().add(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                .setPartitionIndex(partition).setCommittedOffset(offset));
        request.topics().add(requestTopic);
        OffsetCommitResponseData response = reply(call(version, context -> shard.offsetCommit(context, request,
                nowMs)));
        return response.topics().get(0).partitions().get(0).errorCode();
    }

    /** Kafka's ConsumerProtocolSubscription v0: version, topics (int32 count, int16-length names), null user data. */
    static byte[] subscription(List<String> topics) {
        ByteBuffer buffer = ByteBuffer.allocate(256);
        buffer.putShort((short) 0);
        buffer.putInt(topics.size());
        for (String topic : topics) {
            byte[] name = topic.getBytes(StandardCharsets.UTF_8);
            buffer.putShort((short) name.length);
            buffer.put(name);
        }
        buffer.putInt(-1);
        byte[] bytes = new byte[buffer.position()];
        buffer.flip().get(bytes);
        return bytes;
    }

    /** A test assignment: the partition numbers, four bytes each. */
    static byte[] assignment(List<Integer> partitions) {
        ByteBuffer buffer = ByteBuffer.allocate(partitions.size() * 4);
        partitions.forEach(buffer::putInt);
        return buffer.array();
    }

    static List<Integer> partitions(byte[] assignment) {
        ByteBuffer buffer = ByteBuffer.wrap(assignment);
        List<Integer> partitions = new ArrayList<>();
        while (buffer.remaining() >= 4) {
            partitions.add(buffer.getInt());
        }
        return partitions;
    }

    static JoinGroupResponseData asJoin(ApiMessage message) {
        return (JoinGroupResponseData) message;
    }

    static SyncGroupResponseData asSync(ApiMessage message) {
        return (SyncGroupResponseData) message;
    }
}
