package io.fjord.broker.handlers;

import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ConsumerGroupDescribeRequestData;
import io.fjord.protocol.message.ConsumerGroupDescribeResponseData;
import io.fjord.protocol.message.ConsumerGroupHeartbeatResponseData;
import io.fjord.protocol.message.DeleteGroupsRequestData;
import io.fjord.protocol.message.DeleteGroupsResponseData;
import io.fjord.protocol.message.DescribeGroupsRequestData;
import io.fjord.protocol.message.DescribeGroupsResponseData;
import io.fjord.protocol.message.HeartbeatResponseData;
import io.fjord.protocol.message.JoinGroupResponseData;
import io.fjord.protocol.message.LeaveGroupResponseData;
import io.fjord.protocol.message.ListGroupsResponseData;
import io.fjord.protocol.message.OffsetCommitRequestData;
import io.fjord.protocol.message.OffsetCommitResponseData;
import io.fjord.protocol.message.OffsetDeleteResponseData;
import io.fjord.protocol.message.OffsetFetchRequestData;
import io.fjord.protocol.message.OffsetFetchResponseData;
import io.fjord.protocol.message.SyncGroupResponseData;
import io.fjord.protocol.message.TxnOffsetCommitRequestData;
import io.fjord.protocol.message.TxnOffsetCommitResponseData;

/**
 * The response each group API gives when the whole request fails with one error (NOT_COORDINATOR,
 * COORDINATOR_LOAD_IN_PROGRESS, a failed append), shaped as Kafka's {@code getErrorResponse}: per group or
 * partition where the response has no top-level error code for the version. Stateless.
 */
final class GroupErrorResponses {
    private GroupErrorResponses() {
    }

    static JoinGroupResponseData joinGroup(Errors error) {
        return new JoinGroupResponseData().setErrorCode(error.code()).setGenerationId(-1).setMemberId("")
                .setLeader("").setProtocolName("");
    }

    static SyncGroupResponseData syncGroup(Errors error) {
        return new SyncGroupResponseData().setErrorCode(error.code()).setAssignment(new byte[0]);
    }

    static HeartbeatResponseData heartbeat(Errors error) {
        return new HeartbeatResponseData().setErrorCode(error.code());
    }

    static LeaveGroupResponseData leaveGroup(Errors error) {
        return new LeaveGroupResponseData().setErrorCode(error.code());
    }

    static ConsumerGroupHeartbeatResponseData consumerGroupHeartbeat(Errors error) {
        return new ConsumerGroupHeartbeatResponseData().setErrorCode(error.code()).setErrorMessage(error.message());
    }

    static ConsumerGroupDescribeResponseData consumerGroupDescribe(ConsumerGroupDescribeRequestData request,
            Errors error) {
        ConsumerGroupDescribeResponseData response = new ConsumerGroupDescribeResponseData();
        for (String groupId : request.groupIds()) {
            response.groups().add(new ConsumerGroupDescribeResponseData.DescribedGroup().setGroupId(groupId)
                    .setErrorCode(error.code()).setErrorMessage(error.message()));
        }
        return response;
    }

    static OffsetCommitResponseData offsetCommit(OffsetCommitRequestData request, Errors error) {
        OffsetCommitResponseData response = new OffsetCommitResponseData();
        for (OffsetCommitRequestData.OffsetCommitRequestTopic topic : request.topics()) {
            OffsetCommitResponseData.OffsetCommitResponseTopic topicResponse =
                    new OffsetCommitResponseData.OffsetCommitResponseTopic().setName(topic.name())
                            .setTopicId(topic.topicId());
            for (OffsetCommitRequestData.OffsetCommitRequestPartition partition : topic.partitions()) {
                topicResponse.partitions().add(new OffsetCommitResponseData.OffsetCommitResponsePartition()
                        .setPartitionIndex(partition.partitionIndex()).setErrorCode(error.code()));
            }
            response.topics().add(topicResponse);
        }
        return response;
    }

    static TxnOffsetCommitResponseData txnOffsetCommit(TxnOffsetCommitRequestData request, Errors error) {
        TxnOffsetCommitResponseData response = new TxnOffsetCommitResponseData();
        for (TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic topic : request.topics()) {
            TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic topicResponse =
                    new TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic().setName(topic.name())
                            .setTopicId(topic.topicId());
            for (TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition partition : topic.partitions()) {
                topicResponse.partitions().add(new TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition()
                        .setPartitionIndex(partition.partitionIndex()).setErrorCode(error.code()));
            }
            response.topics().add(topicResponse);
        }
        return response;
    }

    /** v0-1 carry the error per partition, v2-7 at the top, v8+ per group. */
    static OffsetFetchResponseData offsetFetch(short version, OffsetFetchRequestData request, Errors error) {
        OffsetFetchResponseData response = new OffsetFetchResponseData();
        if (version >= 8) {
            for (OffsetFetchRequestData.OffsetFetchRequestGroup group : request.groups()) {
                response.groups().add(new OffsetFetchResponseData.OffsetFetchResponseGroup()
                        .setGroupId(group.groupId()).setErrorCode(error.code()));
            }
            return response;
        }
        if (version >= 2) {
            return response.setErrorCode(error.code());
        }
        if (request.topics() != null) {
            for (OffsetFetchRequestData.OffsetFetchRequestTopic topic : request.topics()) {
                OffsetFetchResponseData.OffsetFetchResponseTopic topicResponse =
                        new OffsetFetchResponseData.OffsetFetchResponseTopic().setName(topic.name());
                for (int partition : topic.partitionIndexes()) {
                    topicResponse.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartition()
                            .setPartitionIndex(partition).setCommittedOffset(-1).setMetadata("")
                            .setErrorCode(error.code()));
                }
                response.topics().add(topicResponse);
            }
        }
        return response;
    }

    static OffsetDeleteResponseData offsetDelete(Errors error) {
        return new OffsetDeleteResponseData().setErrorCode(error.code());
    }

    static ListGroupsResponseData listGroups(Errors error) {
        return new ListGroupsResponseData().setErrorCode(error.code());
    }

    static DescribeGroupsResponseData describeGroups(DescribeGroupsRequestData request, Errors error) {
        DescribeGroupsResponseData response = new DescribeGroupsResponseData();
        for (String groupId : request.groups()) {
            response.groups().add(new DescribeGroupsResponseData.DescribedGroup().setGroupId(groupId)
                    .setErrorCode(error.code()).setGroupState("").setProtocolType("").setProtocolData(""));
        }
        return response;
    }

    static DeleteGroupsResponseData deleteGroups(DeleteGroupsRequestData request, Errors error) {
        DeleteGroupsResponseData response = new DeleteGroupsResponseData();
        for (String groupId : request.groupsNames()) {
            response.results().add(new DeleteGroupsResponseData.DeletableGroupResult().setGroupId(groupId)
                    .setErrorCode(error.code()));
        }
        return response;
    }
}
