package io.fjord.bench.fuzz;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;

/**
 * Builds the consumer-group requests (FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit,
 * OffsetFetch, OffsetDelete, DescribeGroups, ListGroups, DeleteGroups, ConsumerGroupHeartbeat, ConsumerGroupDescribe)
 * at a given version. Group names come from a small pool, so joins, syncs and commits meet the same groups. Not
 * thread-safe (one per generator).
 */
final class GroupRequests {
    private static final List<String> MEMBERS = List.of("", "member-1", "fuzz-member");
    private static final List<String> INSTANCES = List.of("instance-1", "instance-2");
    private final FuzzContext context;

    GroupRequests(FuzzContext context) {
        this.context = context;
    }

    private static String group(FuzzValues values) {
        return values.string(FuzzContext.GROUPS);
    }

    private static String topic(FuzzValues values) {
        return values.string(FuzzContext.topicNames());
    }

    FindCoordinatorRequestData findCoordinator(short version, FuzzValues values) {
        FindCoordinatorRequestData data = new FindCoordinatorRequestData();
        if (version >= 1) {
            data.setKeyType(values.chance(0.8) ? 0 : values.int8((byte) 1));
        }
        if (version >= 4) {
            List<String> keys = new ArrayList<>();
            int count = 1 + values.count(values.hostile() ? 30 : 2);
            for (int index = 0; index < count; index++) {
                keys.add(group(values));
            }
            data.setCoordinatorKeys(keys);
        } else {
            data.setKey(group(values));
        }
        return data;
    }

    JoinGroupRequestData joinGroup(short version, FuzzValues values) {
        JoinGroupRequestData.JoinGroupRequestProtocolCollection protocols =
                new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
        int count = 1 + values.count(values.hostile() ? 5 : 1);
        for (int index = 0; index < count; index++) {
            JoinGroupRequestData.JoinGroupRequestProtocol protocol = new JoinGroupRequestData.JoinGroupRequestProtocol()
                    .setName(values.string(List.of("range", "roundrobin", "cooperative-sticky")))
                    .setMetadata(values.bytes(40));
            if (protocols.find(protocol.name()) == null) {
                protocols.add(protocol);
            }
        }
        JoinGroupRequestData data = new JoinGroupRequestData().setGroupId(group(values))
                .setSessionTimeoutMs(values.int32(values.pick(List.of(6_000, 10_000, 45_000))))
                .setMemberId(values.string(MEMBERS))
                .setProtocolType(values.string(List.of("consumer", "connect", "")))
                .setProtocols(protocols);
        if (version >= 1) {
            data.setRebalanceTimeoutMs(values.int32(values.between(100, 2_000)));
        }
        if (version >= 5 && values.chance(0.3)) {
            data.setGroupInstanceId(values.string(INSTANCES));
        }
        if (version >= 8 && values.chance(0.3)) {
            data.setReason(values.nullableString(List.of("fuzz")));
        }
        return data;
    }

    SyncGroupRequestData syncGroup(short version, FuzzValues values) {
        List<SyncGroupRequestData.SyncGroupRequestAssignment> assignments = new ArrayList<>();
        int count = values.count(values.hostile() ? 5 : 2);
        for (int index = 0; index < count; index++) {
            assignments.add(new SyncGroupRequestData.SyncGroupRequestAssignment().setMemberId(values.string(MEMBERS))
                    .setAssignment(values.bytes(40)));
        }
        SyncGroupRequestData data = new SyncGroupRequestData().setGroupId(group(values))
                .setGenerationId(values.int32(values.between(-1, 3))).setMemberId(values.string(MEMBERS))
                .setAssignments(assignments);
        if (version >= 3 && values.chance(0.3)) {
            data.setGroupInstanceId(values.string(INSTANCES));
        }
        if (version >= 5) {
            data.setProtocolType(values.nullableString(List.of("consumer")))
                    .setProtocolName(values.nullableString(List.of("range")));
        }
        return data;
    }

    HeartbeatRequestData heartbeat(short version, FuzzValues values) {
        HeartbeatRequestData data = new HeartbeatRequestData().setGroupId(group(values))
                .setGenerationId(values.int32(values.between(-1, 3))).setMemberId(values.string(MEMBERS));
        if (version >= 3 && values.chance(0.3)) {
            data.setGroupInstanceId(values.string(INSTANCES));
        }
        return data;
    }

    LeaveGroupRequestData leaveGroup(short version, FuzzValues values) {
        LeaveGroupRequestData data = new LeaveGroupRequestData().setGroupId(group(values));
        if (version <= 2) {
            return data.setMemberId(values.string(MEMBERS));
        }
        List<LeaveGroupRequestData.MemberIdentity> members = new ArrayList<>();
        int count = values.count(values.hostile() ? 10 : 2);
        for (int index = 0; index < count; index++) {
            LeaveGroupRequestData.MemberIdentity member = new LeaveGroupRequestData.MemberIdentity()
                    .setMemberId(values.string(MEMBERS))
                    .setGroupInstanceId(values.chance(0.3) ? values.string(INSTANCES) : null);
            if (version >= 5) {
                member.setReason(values.nullableString(List.of("fuzz")));
            }
            members.add(member);
        }
        return data.setMembers(members);
    }

    OffsetCommitRequestData offsetCommit(short version, FuzzValues values) {
        List<OffsetCommitRequestData.OffsetCommitRequestTopic> topics = new ArrayList<>();
        int count = values.count(values.hostile() ? 6 : 2);
        for (int index = 0; index < count; index++) {
            List<OffsetCommitRequestData.OffsetCommitRequestPartition> partitions = new ArrayList<>();
            int partitionCount = 1 + values.count(2);
            for (int partition = 0; partition < partitionCount; partition++) {
                OffsetCommitRequestData.OffsetCommitRequestPartition entry =
                        new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(values.partition())
                                .setCommittedOffset(values.int64(values.between(0, 10)))
                                .setCommittedMetadata(values.chance(0.1) ? null : values.string(List.of("", "m")));
                if (version >= 6) {
                    entry.setCommittedLeaderEpoch(values.int32(-1));
                }
                partitions.add(entry);
            }
            OffsetCommitRequestData.OffsetCommitRequestTopic topic =
                    new OffsetCommitRequestData.OffsetCommitRequestTopic().setPartitions(partitions);
            if (version >= 10) {
                topic.setTopicId(values.uuid(context.topicIds()));
            } else {
                topic.setName(topic(values));
            }
            topics.add(topic);
        }
        OffsetCommitRequestData data = new OffsetCommitRequestData().setGroupId(group(values))
                .setGenerationIdOrMemberEpoch(values.int32(-1)).setMemberId(values.string(MEMBERS))
                .setTopics(topics);
        if (version >= 7 && values.chance(0.2)) {
            data.setGroupInstanceId(values.string(INSTANCES));
        }
        if (version <= 4) {
            data.setRetentionTimeMs(values.int64(-1L));
        }
        return data;
    }

    OffsetFetchRequestData offsetFetch(short version, FuzzValues values) {
        OffsetFetchRequestData data = new OffsetFetchRequestData();
        if (version >= 7) {
            data.setRequireStable(values.chance(0.5));
        }
        if (version <= 7) {
            data.setGroupId(group(values));
            if (version >= 2 && values.chance(0.4)) {
                return data.setTopics(null);
            }
            List<OffsetFetchRequestData.OffsetFetchRequestTopic> topics = new ArrayList<>();
            int count = values.count(3);
            for (int index = 0; index < count; index++) {
                topics.add(new OffsetFetchRequestData.OffsetFetchRequestTopic().setName(topic(values))
                        .setPartitionIndexes(List.of(values.partition())));
            }
            return data.setTopics(topics);
        }
        List<OffsetFetchRequestData.OffsetFetchRequestGroup> groups = new ArrayList<>();
        int groupCount = 1 + values.count(values.hostile() ? 8 : 2);
        for (int index = 0; index < groupCount; index++) {
            OffsetFetchRequestData.OffsetFetchRequestGroup group = new OffsetFetchRequestData.OffsetFetchRequestGroup()
                    .setGroupId(group(values));
            if (version >= 9) {
                group.setMemberId(values.chance(0.7) ? null : values.string(MEMBERS))
                        .setMemberEpoch(values.int32(-1));
            }
            if (values.chance(0.4)) {
                group.setTopics(null);
            } else {
                List<OffsetFetchRequestData.OffsetFetchRequestTopics> topics = new ArrayList<>();
                int count = values.count(3);
                for (int topicIndex = 0; topicIndex < count; topicIndex++) {
                    OffsetFetchRequestData.OffsetFetchRequestTopics topic =
                            new OffsetFetchRequestData.OffsetFetchRequestTopics()
                                    .setPartitionIndexes(List.of(values.partition()));
                    if (version >= 10) {
                        topic.setTopicId(values.uuid(context.topicIds()));
                    } else {
                        topic.setName(topic(values));
                    }
                    topics.add(topic);
                }
                group.setTopics(topics);
            }
            groups.add(group);
        }
        return data.setGroups(groups);
    }

    OffsetDeleteRequestData offsetDelete(FuzzValues values) {
        OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection topics =
                new OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection();
        int count = values.count(3);
        for (int index = 0; index < count; index++) {
            List<OffsetDeleteRequestData.OffsetDeleteRequestPartition> partitions = List.of(
                    new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(values.partition()));
            OffsetDeleteRequestData.OffsetDeleteRequestTopic topic = new OffsetDeleteRequestData.OffsetDeleteRequestTopic()
                    .setName(topic(values)).setPartitions(partitions);
            if (topics.find(topic.name()) == null) {
                topics.add(topic);
            }
        }
        return new OffsetDeleteRequestData().setGroupId(group(values)).setTopics(topics);
    }

    DescribeGroupsRequestData describeGroups(short version, FuzzValues values) {
        List<String> groups = new ArrayList<>();
        int count = values.count(values.hostile() ? 50 : 3);
        for (int index = 0; index < count; index++) {
            groups.add(group(values));
        }
        DescribeGroupsRequestData data = new DescribeGroupsRequestData().setGroups(groups);
        if (version >= 3) {
            data.setIncludeAuthorizedOperations(values.chance(0.5));
        }
        return data;
    }

    ListGroupsRequestData listGroups(short version, FuzzValues values) {
        ListGroupsRequestData data = new ListGroupsRequestData();
        if (version >= 4 && values.chance(0.5)) {
            data.setStatesFilter(List.of(values.string(List.of("Stable", "Empty", "PreparingRebalance", "Dead"))));
        }
        if (version >= 5 && values.chance(0.5)) {
            data.setTypesFilter(List.of(values.string(List.of("classic", "consumer", "share"))));
        }
        return data;
    }

    DeleteGroupsRequestData deleteGroups(FuzzValues values) {
        List<String> groups = new ArrayList<>();
        int count = values.count(3);
        for (int index = 0; index < count; index++) {
            groups.add(group(values));
        }
        return new DeleteGroupsRequestData().setGroupsNames(groups);
    }

    ConsumerGroupHeartbeatRequestData consumerGroupHeartbeat(short version, FuzzValues values) {
        ConsumerGroupHeartbeatRequestData data = new ConsumerGroupHeartbeatRequestData()
                .setGroupId(values.string(FuzzContext.GROUPS.subList(3, 5)))
                .setMemberId(values.string(List.of("", "fuzz-member-0000000000000", "AAAAAAAAAAAAAAAAAAAAAA")))
                .setMemberEpoch(values.int32(values.pick(List.of(0, 0, 1, -1, -2))))
                .setInstanceId(values.chance(0.2) ? values.string(INSTANCES) : null)
                .setRackId(values.chance(0.2) ? values.string(List.of("rack-a")) : null)
                .setRebalanceTimeoutMs(values.int32(values.between(-1, 5_000)));
        if (values.chance(0.7)) {
            List<String> names = new ArrayList<>();
            int count = values.count(values.hostile() ? 20 : 3);
            for (int index = 0; index < count; index++) {
                names.add(topic(values));
            }
            data.setSubscribedTopicNames(names);
        } else if (version >= 1) {
            data.setSubscribedTopicRegex(values.string(List.of("fuzz-.*", ".*", "(a+)+$", "[", "")));
        }
        if (values.chance(0.3)) {
            data.setServerAssignor(values.nullableString(List.of("uniform", "range", "unknown")));
        }
        if (values.chance(0.3)) {
            data.setTopicPartitions(List.of(new ConsumerGroupHeartbeatRequestData.TopicPartitions()
                    .setTopicId(values.uuid(context.topicIds())).setPartitions(List.of(values.partition()))));
        }
        return data;
    }

    ConsumerGroupDescribeRequestData consumerGroupDescribe(FuzzValues values) {
        List<String> groups = new ArrayList<>();
        int count = values.count(3);
        for (int index = 0; index < count; index++) {
            groups.add(group(values));
        }
        return new ConsumerGroupDescribeRequestData().setGroupIds(groups)
                .setIncludeAuthorizedOperations(values.chance(0.5));
    }
}
