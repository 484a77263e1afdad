package io.fjord.raft.transport;

import io.fjord.protocol.Errors;
import io.fjord.protocol.message.DescribeQuorumResponseData;
import io.fjord.raft.driver.ProposalException;
import io.fjord.raft.driver.QuorumDescription;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The DescribeQuorum answer a Raft listener builds itself (what {@code kafka-metadata-quorum describe} shows), from
 * the leader's {@link QuorumDescription}; its ApiVersions answer is {@link ListenerApis}'. Stateless; thread-safe.
 */
public final class DescribeQuorumMapper {
    private DescribeQuorumMapper() {
    }

    /**
     * The answer at {@code version}: the quorum as {@code quorum} describes it, or {@code failure}'s error for the
     * metadata partition; from v2 the voters' controller listeners ({@code voterAddresses}).
     */
    public static DescribeQuorumResponseData describeQuorum(QuorumDescription quorum, Throwable failure, short version,
            Map<Integer, InetSocketAddress> voterAddresses) {
        return describeQuorum(quorum, failure, version, voterAddresses, RaftMessageMapper.LISTENER_NAME);
    }

    /** As above, naming the voters' listeners {@code listenerName} (the controller listener's name). */
    public static DescribeQuorumResponseData describeQuorum(QuorumDescription quorum, Throwable failure, short version,
            Map<Integer, InetSocketAddress> voterAddresses, String listenerName) {
        DescribeQuorumResponseData.PartitionData partition = new DescribeQuorumResponseData.PartitionData()
                .setPartitionIndex(0);
        if (failure != null) {
            Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
            Errors error = cause instanceof ProposalException refused ? refused.error() : Errors.UNKNOWN_SERVER_ERROR;
            partition.setErrorCode(error.code()).setErrorMessage(version >= 2 ? cause.getMessage() : null);
        } else {
            partition.setLeaderId(quorum.leaderId()).setLeaderEpoch(quorum.leaderEpoch())
                    .setHighWatermark(quorum.highWatermark()).setCurrentVoters(replicas(quorum.voters(), version))
                    .setObservers(replicas(quorum.observers(), version));
        }
        DescribeQuorumResponseData response = new DescribeQuorumResponseData().setTopics(List.of(
                new DescribeQuorumResponseData.TopicData().setTopicName(RaftMessageMapper.METADATA_TOPIC)
                        .setPartitions(List.of(partition))));
        if (version >= 2) {
            List<DescribeQuorumResponseData.Node> nodes = new ArrayList<>();
            voterAddresses.forEach((id, address) -> nodes.add(new DescribeQuorumResponseData.Node().setNodeId(id)
                    .setListeners(List.of(new DescribeQuorumResponseData.Listener()
                            .setName(listenerName).setHost(address.getHostString())
                            .setPort(address.getPort())))));
            response.setNodes(nodes);
        }
        return response;
    }

    /** The replicas' states; directory ids only from version 2 (KIP-853), which the encoder refuses below it. */
    private static List<DescribeQuorumResponseData.ReplicaState> replicas(List<QuorumDescription.Replica> replicas,
            short version) {
        List<DescribeQuorumResponseData.ReplicaState> states = new ArrayList<>();
        for (QuorumDescription.Replica replica : replicas) {
            DescribeQuorumResponseData.ReplicaState state = new DescribeQuorumResponseData.ReplicaState()
                    .setReplicaId(replica.replicaId()).setLogEndOffset(replica.logEndOffset())
                    .setLastFetchTimestamp(replica.lastFetchTimestamp())
                    .setLastCaughtUpTimestamp(replica.lastCaughtUpTimestamp());
            if (version >= 2) {
                state.setReplicaDirectoryId(replica.directoryId());
            }
            states.add(state);
        }
        return states;
    }
}
