package io.fjord.raft.transport;

import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.AddRaftVoterRequestData;
import io.fjord.protocol.message.AddRaftVoterResponseData;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.BeginQuorumEpochRequestData;
import io.fjord.protocol.message.BeginQuorumEpochResponseData;
import io.fjord.protocol.message.BufferRecords;
import io.fjord.protocol.message.EndQuorumEpochRequestData;
import io.fjord.protocol.message.EndQuorumEpochResponseData;
import io.fjord.protocol.message.FetchRequestData;
import io.fjord.protocol.message.FetchResponseData;
import io.fjord.protocol.message.FetchSnapshotRequestData;
import io.fjord.protocol.message.FetchSnapshotResponseData;
import io.fjord.protocol.message.Records;
import io.fjord.protocol.message.RemoveRaftVoterRequestData;
import io.fjord.protocol.message.RemoveRaftVoterResponseData;
import io.fjord.protocol.message.ApiVersionsRequestData;
import io.fjord.protocol.message.ApiVersionsResponseData;
import io.fjord.protocol.message.UpdateRaftVoterRequestData;
import io.fjord.protocol.message.UpdateRaftVoterResponseData;
import io.fjord.protocol.message.VoteRequestData;
import io.fjord.protocol.message.VoteResponseData;
import io.fjord.raft.AddRaftVoterRequest;
import io.fjord.raft.AddRaftVoterResponse;
import io.fjord.raft.BeginQuorumEpochRequest;
import io.fjord.raft.BeginQuorumEpochResponse;
import io.fjord.raft.EndQuorumEpochRequest;
import io.fjord.raft.EndQuorumEpochResponse;
import io.fjord.raft.EpochEndOffset;
import io.fjord.raft.FetchRequest;
import io.fjord.raft.FetchResponse;
import io.fjord.raft.FetchSnapshotRequest;
import io.fjord.raft.FetchSnapshotResponse;
import io.fjord.raft.LeaderAndEpoch;
import io.fjord.raft.LogEntry;
import io.fjord.raft.OffsetAndEpoch;
import io.fjord.raft.RaftMessage;
import io.fjord.raft.RemoveRaftVoterRequest;
import io.fjord.raft.RemoveRaftVoterResponse;
import io.fjord.raft.ReplicaKey;
import io.fjord.raft.ApiVersionsRequest;
import io.fjord.raft.ApiVersionsResponse;
import io.fjord.raft.KraftVersionRange;
import io.fjord.raft.KraftVersionUpgrade;
import io.fjord.raft.UpdateRaftVoterRequest;
import io.fjord.raft.UpdateRaftVoterResponse;
import io.fjord.raft.VoteRequest;
import io.fjord.raft.VoteResponse;
import io.fjord.raft.VoterEndpoint;
import io.fjord.raft.records.EntryBatches;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * Maps the core's message records to Kafka's Raft messages ({@code io.fjord.protocol.message.*Data}) and back, field
 * by field, for the one metadata partition {@code __cluster_metadata-0} (topic id {@link #METADATA_TOPIC_ID}, Kafka's
 * {@code Topic.CLUSTER_METADATA_TOPIC_ID}). Requests carry the cluster id; the source of a request is the replica it
 * names (the candidate, the leader, the fetching replica). Log entries travel as record batches
 * ({@link EntryBatches}).
 *
 * <p>Immutable; thread-safe.
 */
public final class RaftMessageMapper {
    public static final String METADATA_TOPIC = "__cluster_metadata";
    /** {@code AAAAAAAAAAAAAAAAAAAAAQ} in Kafka's base64 form. */
    public static final UUID METADATA_TOPIC_ID = new UUID(0L, 1L);
    public static final String LISTENER_NAME = "CONTROLLER";
    /**
     * The source of a mapped AddRaftVoter or RemoveRaftVoter (an admin client, not a replica); the listener replaces
     * it with its connection's own id before the core sees it, and the answer goes back on that connection.
     */
    public static final int ADMIN_SOURCE_ID = -2;
    /** How a Raft node names itself in the ApiVersions requests it sends (Kafka's client software fields). */
    private static final String CLIENT_SOFTWARE_NAME = "fjord-raft";
    private static final String CLIENT_SOFTWARE_VERSION = "0.1.0";

    private final int localId;
    private final String clusterId;
    private final Collection<Integer> voterIds;
    private final int maxEntryBytes;
    private final int maxEntriesPerFetch;
    private final String localHost;
    private final int localPort;
    private final String listenerName;

    public RaftMessageMapper(int localId, String clusterId, Collection<Integer> voterIds, int maxEntryBytes,
            int maxEntriesPerFetch, String localHost, int localPort) {
        this(localId, clusterId, voterIds, maxEntryBytes, maxEntriesPerFetch, localHost, localPort, LISTENER_NAME);
    }

    /** @param listenerName the name of this node's controller listener, which its leader endpoints carry */
    public RaftMessageMapper(int localId, String clusterId, Collection<Integer> voterIds, int maxEntryBytes,
            int maxEntriesPerFetch, String localHost, int localPort, String listenerName) {
        this.listenerName = listenerName;
        this.localId = localId;
        this.clusterId = clusterId;
        this.voterIds = List.copyOf(voterIds);
        this.maxEntryBytes = maxEntryBytes;
        this.maxEntriesPerFetch = maxEntriesPerFetch;
        this.localHost = localHost;
        this.localPort = localPort;
    }

    public String clusterId() {
        return clusterId;
    }

    /** The API of a request record, or null for a response. */
    public static ApiKey requestApi(RaftMessage message) {
        if (message instanceof VoteRequest) {
            return ApiKey.VOTE;
        } else if (message instanceof BeginQuorumEpochRequest) {
            return ApiKey.BEGIN_QUORUM_EPOCH;
        } else if (message instanceof EndQuorumEpochRequest) {
            return ApiKey.END_QUORUM_EPOCH;
        } else if (message instanceof FetchRequest) {
            return ApiKey.FETCH;
        } else if (message instanceof FetchSnapshotRequest) {
            return ApiKey.FETCH_SNAPSHOT;
        } else if (message instanceof UpdateRaftVoterRequest) {
            return ApiKey.UPDATE_RAFT_VOTER;
        } else if (message instanceof ApiVersionsRequest) {
            return ApiKey.API_VERSIONS;
        }
        return null;
    }

    // ---------------------------------------------------------------- requests out

    /** The wire form of a request record, at {@link RaftApis#requestVersion(ApiKey)}. */
    public ApiMessage toRequest(RaftMessage request) {
        if (request instanceof VoteRequest vote) {
            return new VoteRequestData().setClusterId(clusterId).setVoterId(vote.destination()).setTopics(List.of(
                    new VoteRequestData.TopicData().setTopicName(METADATA_TOPIC).setPartitions(List.of(
                            new VoteRequestData.PartitionData().setPartitionIndex(0)
                                    .setReplicaEpoch(vote.replicaEpoch()).setReplicaId(vote.replicaId())
                                    .setLastOffsetEpoch(vote.lastOffsetEpoch()).setLastOffset(vote.lastOffset())
                                    .setPreVote(vote.preVote())))));
        } else if (request instanceof BeginQuorumEpochRequest begin) {
            return new BeginQuorumEpochRequestData().setClusterId(clusterId).setVoterId(begin.destination())
                    .setTopics(List.of(new BeginQuorumEpochRequestData.TopicData().setTopicName(METADATA_TOPIC)
                            .setPartitions(List.of(new BeginQuorumEpochRequestData.PartitionData()
                                    .setPartitionIndex(0).setLeaderId(begin.leaderId())
                                    .setLeaderEpoch(begin.leaderEpoch())))))
                    .setLeaderEndpoints(List.of(new BeginQuorumEpochRequestData.LeaderEndpoint()
                            .setName(listenerName).setHost(localHost).setPort(localPort)));
        } else if (request instanceof EndQuorumEpochRequest end) {
            List<EndQuorumEpochRequestData.ReplicaInfo> candidates = new ArrayList<>();
            for (int candidate : end.preferredCandidates()) {
                candidates.add(new EndQuorumEpochRequestData.ReplicaInfo().setCandidateId(candidate));
            }
            return new EndQuorumEpochRequestData().setClusterId(clusterId).setTopics(List.of(
                    new EndQuorumEpochRequestData.TopicData().setTopicName(METADATA_TOPIC).setPartitions(List.of(
                            new EndQuorumEpochRequestData.PartitionData().setPartitionIndex(0)
                                    .setLeaderId(end.leaderId()).setLeaderEpoch(end.leaderEpoch())
                                    .setPreferredCandidates(candidates)))))
                    .setLeaderEndpoints(List.of(new EndQuorumEpochRequestData.LeaderEndpoint()
                            .setName(listenerName).setHost(localHost).setPort(localPort)));
        } else if (request instanceof FetchRequest fetch) {
            return new FetchRequestData().setClusterId(clusterId).setReplicaId(-1)
                    .setReplicaState(new FetchRequestData.ReplicaState().setReplicaId(fetch.replicaId())
                            .setReplicaEpoch(-1))
                    .setMaxWaitMs(fetch.maxWaitMs()).setMinBytes(0).setMaxBytes(fetch.maxBytes())
                    .setSessionId(0).setSessionEpoch(-1)
                    .setTopics(List.of(new FetchRequestData.FetchTopic().setTopic(METADATA_TOPIC)
                            .setTopicId(METADATA_TOPIC_ID).setPartitions(List.of(
                                    new FetchRequestData.FetchPartition().setPartition(0)
                                            .setCurrentLeaderEpoch(fetch.currentLeaderEpoch())
                                            .setFetchOffset(fetch.fetchOffset())
                                            .setLastFetchedEpoch(fetch.lastFetchedEpoch()).setLogStartOffset(-1)
                                            .setPartitionMaxBytes(fetch.maxBytes())
                                            .setHighWatermark(fetch.highWatermark())
                                            .setReplicaDirectoryId(fetch.replicaDirectoryId())))));
        } else if (request instanceof FetchSnapshotRequest snapshot) {
            return new FetchSnapshotRequestData().setClusterId(clusterId).setReplicaId(snapshot.replicaId())
                    .setMaxBytes(snapshot.maxBytes()).setTopics(List.of(
                            new FetchSnapshotRequestData.TopicSnapshot().setName(METADATA_TOPIC).setPartitions(
                                    List.of(new FetchSnapshotRequestData.PartitionSnapshot().setPartition(0)
                                            .setCurrentLeaderEpoch(snapshot.currentLeaderEpoch())
                                            .setSnapshotId(new FetchSnapshotRequestData.SnapshotId()
                                                    .setEndOffset(snapshot.snapshotId().offset())
                                                    .setEpoch(snapshot.snapshotId().epoch()))
                                            .setPosition(snapshot.position())))));
        } else if (request instanceof UpdateRaftVoterRequest update) {
            UpdateRaftVoterRequestData data = new UpdateRaftVoterRequestData().setClusterId(clusterId)
                    .setCurrentLeaderEpoch(update.currentLeaderEpoch()).setVoterId(update.voterId())
                    .setVoterDirectoryId(update.voterDirectoryId());
            for (VoterEndpoint endpoint : update.listeners()) {
                data.listeners().add(new UpdateRaftVoterRequestData.Listener().setName(endpoint.listenerName())
                        .setHost(endpoint.host()).setPort(endpoint.port()));
            }
            data.kRaftVersionFeature().setMinSupportedVersion(update.minSupportedKraftVersion())
                    .setMaxSupportedVersion(update.maxSupportedKraftVersion());
            return data;
        } else if (request instanceof ApiVersionsRequest) {
            return new ApiVersionsRequestData().setClientSoftwareName(CLIENT_SOFTWARE_NAME)
                    .setClientSoftwareVersion(CLIENT_SOFTWARE_VERSION);
        }
        throw new IllegalArgumentException("not a request: " + request);
    }

    // ---------------------------------------------------------------- requests in

    /**
     * The core's record of a received request.
     *
     * @throws InvalidRaftMessageException (with the error Kafka answers) when the request is not for this cluster
     *     or not for the one metadata partition
     */
    public RaftMessage fromRequest(ApiMessage request, int correlationId) {
        if (request instanceof VoteRequestData vote) {
            checkCluster(vote.clusterId());
            VoteRequestData.PartitionData partition = onlyPartition(vote.topics().size() == 1
                    && METADATA_TOPIC.equals(vote.topics().get(0).topicName())
                    ? vote.topics().get(0).partitions() : null);
            return new VoteRequest(partition.replicaId(), localId, correlationId, partition.replicaEpoch(),
                    partition.replicaId(), partition.lastOffsetEpoch(), partition.lastOffset(), partition.preVote());
        } else if (request instanceof BeginQuorumEpochRequestData begin) {
            checkCluster(begin.clusterId());
            BeginQuorumEpochRequestData.PartitionData partition = onlyPartition(begin.topics().size() == 1
                    && METADATA_TOPIC.equals(begin.topics().get(0).topicName())
                    ? begin.topics().get(0).partitions() : null);
            return new BeginQuorumEpochRequest(partition.leaderId(), localId, correlationId, partition.leaderId(),
                    partition.leaderEpoch());
        } else if (request instanceof EndQuorumEpochRequestData end) {
            checkCluster(end.clusterId());
            EndQuorumEpochRequestData.PartitionData partition = onlyPartition(end.topics().size() == 1
                    && METADATA_TOPIC.equals(end.topics().get(0).topicName())
                    ? end.topics().get(0).partitions() : null);
            List<Integer> candidates = new ArrayList<>();
            partition.preferredCandidates().forEach(candidate -> candidates.add(candidate.candidateId()));
            if (candidates.isEmpty()) {
                candidates.addAll(partition.preferredSuccessors()); // version 0
            }
            return new EndQuorumEpochRequest(partition.leaderId(), localId, correlationId, partition.leaderId(),
                    partition.leaderEpoch(), candidates);
        } else if (request instanceof FetchRequestData fetch) {
            checkCluster(fetch.clusterId());
            if (fetch.topics().size() != 1 || !METADATA_TOPIC_ID.equals(fetch.topics().get(0).topicId())) {
                throw new InvalidRaftMessageException(Errors.UNKNOWN_TOPIC_ID, "a fetch for another topic");
            }
            FetchRequestData.FetchPartition partition = onlyPartition(fetch.topics().get(0).partitions());
            int replicaId = fetch.replicaState().replicaId();
            return new FetchRequest(replicaId, localId, correlationId, replicaId, partition.currentLeaderEpoch(),
                    partition.fetchOffset(), partition.lastFetchedEpoch(), partition.highWatermark(),
                    Math.min(partition.partitionMaxBytes(), Math.max(0, fetch.maxBytes())), fetch.maxWaitMs(),
                    partition.replicaDirectoryId() == null ? ReplicaKey.NO_DIRECTORY : partition.replicaDirectoryId());
        } else if (request instanceof FetchSnapshotRequestData snapshot) {
            checkCluster(snapshot.clusterId());
            FetchSnapshotRequestData.PartitionSnapshot partition = onlyPartition(snapshot.topics().size() == 1
                    && METADATA_TOPIC.equals(snapshot.topics().get(0).name())
                    ? snapshot.topics().get(0).partitions() : null);
            return new FetchSnapshotRequest(snapshot.replicaId(), localId, correlationId, snapshot.replicaId(),
                    partition.currentLeaderEpoch(), new OffsetAndEpoch(partition.snapshotId().endOffset(),
                            partition.snapshotId().epoch()), partition.position(), snapshot.maxBytes());
        } else if (request instanceof AddRaftVoterRequestData add) {
            checkCluster(add.clusterId());
            // The listeners go into the voter set, where every replica learns the new voter's endpoints.
            List<VoterEndpoint> listeners = new ArrayList<>();
            for (AddRaftVoterRequestData.Listener listener : add.listeners()) {
                try {
                    listeners.add(new VoterEndpoint(listener.name(), listener.host(), listener.port()));
                } catch (IllegalArgumentException | NullPointerException e) {
                    throw new InvalidRaftMessageException(Errors.INVALID_REQUEST, "invalid listener " + listener);
                }
            }
            if (listeners.size() > io.fjord.raft.VoterSet.MAX_ENDPOINTS) {
                throw new InvalidRaftMessageException(Errors.INVALID_REQUEST, "too many listeners: "
                        + listeners.size());
            }
            return new AddRaftVoterRequest(ADMIN_SOURCE_ID, localId, correlationId, add.timeoutMs(), add.voterId(),
                    add.voterDirectoryId() == null ? ReplicaKey.NO_DIRECTORY : add.voterDirectoryId(),
                    add.ackWhenCommitted(), listeners);
        } else if (request instanceof UpdateRaftVoterRequestData update) {
            checkCluster(update.clusterId());
            List<VoterEndpoint> listeners = new ArrayList<>();
            for (UpdateRaftVoterRequestData.Listener listener : update.listeners()) {
                try {
                    listeners.add(new VoterEndpoint(listener.name(), listener.host(), listener.port()));
                } catch (IllegalArgumentException | NullPointerException e) {
                    throw new InvalidRaftMessageException(Errors.INVALID_REQUEST, "invalid listener " + listener);
                }
            }
            if (listeners.size() > io.fjord.raft.VoterSet.MAX_ENDPOINTS || update.voterId() < 0) {
                throw new InvalidRaftMessageException(Errors.INVALID_REQUEST, "invalid voter " + update.voterId()
                        + " or too many listeners: " + listeners.size());
            }
            return new UpdateRaftVoterRequest(update.voterId(), localId, correlationId,
                    update.currentLeaderEpoch(), update.voterId(), update.voterDirectoryId() == null
                    ? ReplicaKey.NO_DIRECTORY : update.voterDirectoryId(), listeners,
                    update.kRaftVersionFeature().minSupportedVersion(),
                    update.kRaftVersionFeature().maxSupportedVersion());
        } else if (request instanceof RemoveRaftVoterRequestData remove) {
            checkCluster(remove.clusterId());
            return new RemoveRaftVoterRequest(ADMIN_SOURCE_ID, localId, correlationId, remove.voterId(),
                    remove.voterDirectoryId() == null ? ReplicaKey.NO_DIRECTORY : remove.voterDirectoryId());
        }
        throw new InvalidRaftMessageException(Errors.INVALID_REQUEST, "not a Raft request: " + request);
    }

    private void checkCluster(String requestClusterId) {
        // Kafka accepts a request without a cluster id (older senders) and refuses another cluster's.
        if (requestClusterId != null && !requestClusterId.equals(clusterId)) {
            throw new InvalidRaftMessageException(Errors.INCONSISTENT_CLUSTER_ID,
                    "cluster id " + requestClusterId + " is not " + clusterId);
        }
    }

    private static <T> T onlyPartition(List<T> partitions) {
        if (partitions == null || partitions.size() != 1) {
            throw new InvalidRaftMessageException(Errors.UNKNOWN_TOPIC_OR_PARTITION,
                    "a Raft request must name the one partition __cluster_metadata-0");
        }
        return partitions.get(0);
    }

    // ---------------------------------------------------------------- responses out

    /** The wire form of a response record. */
    public ApiMessage toResponse(RaftMessage response) {
        if (response instanceof VoteResponse vote) {
            return new VoteResponseData().setTopics(List.of(new VoteResponseData.TopicData()
                    .setTopicName(METADATA_TOPIC).setPartitions(List.of(new VoteResponseData.PartitionData()
                            .setPartitionIndex(0).setErrorCode(vote.error().code()).setLeaderId(vote.leaderId())
                            .setLeaderEpoch(vote.leaderEpoch()).setVoteGranted(vote.voteGranted())))));
        } else if (response instanceof BeginQuorumEpochResponse begin) {
            return new BeginQuorumEpochResponseData().setTopics(List.of(new BeginQuorumEpochResponseData.TopicData()
                    .setTopicName(METADATA_TOPIC).setPartitions(List.of(
                            new BeginQuorumEpochResponseData.PartitionData().setPartitionIndex(0)
                                    .setErrorCode(begin.error().code()).setLeaderId(begin.leaderId())
                                    .setLeaderEpoch(begin.leaderEpoch())))));
        } else if (response instanceof EndQuorumEpochResponse end) {
            return new EndQuorumEpochResponseData().setTopics(List.of(new EndQuorumEpochResponseData.TopicData()
                    .setTopicName(METADATA_TOPIC).setPartitions(List.of(
                            new EndQuorumEpochResponseData.PartitionData().setPartitionIndex(0)
                                    .setErrorCode(end.error().code()).setLeaderId(end.leaderId())
                                    .setLeaderEpoch(end.leaderEpoch())))));
        } else if (response instanceof FetchResponse fetch) {
            FetchResponseData.PartitionData partition = new FetchResponseData.PartitionData().setPartitionIndex(0)
                    .setErrorCode(fetch.error().code()).setHighWatermark(fetch.highWatermark())
                    .setLogStartOffset(fetch.logStartOffset())
                    .setCurrentLeader(new FetchResponseData.LeaderIdAndEpoch()
                            .setLeaderId(fetch.currentLeader().leaderId())
                            .setLeaderEpoch(fetch.currentLeader().leaderEpoch()))
                    .setRecords(new BufferRecords(EntryBatches.encode(fetch.records(), voterIds)));
            if (fetch.divergingEpoch() != null) {
                partition.setDivergingEpoch(new FetchResponseData.EpochEndOffset()
                        .setEpoch(fetch.divergingEpoch().epoch()).setEndOffset(fetch.divergingEpoch().endOffset()));
            }
            if (fetch.snapshotId() != null) {
                partition.setSnapshotId(new FetchResponseData.SnapshotId().setEndOffset(fetch.snapshotId().offset())
                        .setEpoch(fetch.snapshotId().epoch()));
            }
            return new FetchResponseData().setResponses(List.of(new FetchResponseData.FetchableTopicResponse()
                    .setTopic(METADATA_TOPIC).setTopicId(METADATA_TOPIC_ID).setPartitions(List.of(partition))));
        } else if (response instanceof FetchSnapshotResponse snapshot) {
            FetchSnapshotResponseData.PartitionSnapshot partition = new FetchSnapshotResponseData.PartitionSnapshot()
                    .setIndex(0).setErrorCode(snapshot.error().code()).setSize(snapshot.size())
                    .setPosition(snapshot.position())
                    .setCurrentLeader(new FetchSnapshotResponseData.LeaderIdAndEpoch()
                            .setLeaderId(snapshot.currentLeader().leaderId())
                            .setLeaderEpoch(snapshot.currentLeader().leaderEpoch()))
                    .setUnalignedRecords(new BufferRecords(ByteBuffer.wrap(snapshot.unalignedRecords())));
            if (snapshot.snapshotId() != null) {
                partition.setSnapshotId(new FetchSnapshotResponseData.SnapshotId()
                        .setEndOffset(snapshot.snapshotId().offset()).setEpoch(snapshot.snapshotId().epoch()));
            }
            return new FetchSnapshotResponseData().setTopics(List.of(new FetchSnapshotResponseData.TopicSnapshot()
                    .setName(METADATA_TOPIC).setPartitions(List.of(partition))));
        } else if (response instanceof AddRaftVoterResponse add) {
            return new AddRaftVoterResponseData().setErrorCode(add.error().code()).setErrorMessage(add.errorMessage());
        } else if (response instanceof RemoveRaftVoterResponse remove) {
            return new RemoveRaftVoterResponseData().setErrorCode(remove.error().code())
                    .setErrorMessage(remove.errorMessage());
        } else if (response instanceof UpdateRaftVoterResponse update) {
            UpdateRaftVoterResponseData data = new UpdateRaftVoterResponseData().setErrorCode(update.error().code());
            data.currentLeader().setLeaderId(update.currentLeader().leaderId())
                    .setLeaderEpoch(update.currentLeader().leaderEpoch());
            if (update.currentLeader().leaderId() == localId && !localHost.isEmpty() && localPort >= 0) {
                data.currentLeader().setHost(localHost).setPort(localPort);
            }
            return data;
        }
        throw new IllegalArgumentException("not a response: " + response);
    }

    /** A response to a request of {@code apiKey} that carries only a top-level error (a refused request). */
    public static ApiMessage errorResponse(ApiKey apiKey, Errors error) {
        short code = error.code();
        return switch (apiKey) {
            case VOTE -> new VoteResponseData().setErrorCode(code);
            case BEGIN_QUORUM_EPOCH -> new BeginQuorumEpochResponseData().setErrorCode(code);
            case END_QUORUM_EPOCH -> new EndQuorumEpochResponseData().setErrorCode(code);
            case FETCH -> new FetchResponseData().setErrorCode(code);
            case FETCH_SNAPSHOT -> new FetchSnapshotResponseData().setErrorCode(code);
            case DESCRIBE_QUORUM -> new io.fjord.protocol.message.DescribeQuorumResponseData().setErrorCode(code);
            case ADD_RAFT_VOTER -> new AddRaftVoterResponseData().setErrorCode(code);
            case REMOVE_RAFT_VOTER -> new RemoveRaftVoterResponseData().setErrorCode(code);
            case UPDATE_RAFT_VOTER -> new UpdateRaftVoterResponseData().setErrorCode(code);
            default -> throw new IllegalArgumentException("not a Raft API: " + apiKey);
        };
    }

    // ---------------------------------------------------------------- responses in

    /**
     * The core's record of a response from {@code peerId} to {@code request}.
     *
     * @throws InvalidRaftMessageException when the response does not answer for the metadata partition, or its
     *     records are not valid entries
     */
    public RaftMessage fromResponse(ApiMessage response, RaftMessage request) {
        int peerId = request.destination();
        int correlationId = request.correlationId();
        if (response instanceof VoteResponseData vote) {
            if (vote.errorCode() != 0) {
                return new VoteResponse(peerId, localId, correlationId, Errors.forCode(vote.errorCode()), -1, -1,
                        false, ((VoteRequest) request).preVote());
            }
            VoteResponseData.PartitionData partition = onlyPartition(vote.topics().size() == 1
                    ? vote.topics().get(0).partitions() : null);
            return new VoteResponse(peerId, localId, correlationId, Errors.forCode(partition.errorCode()),
                    partition.leaderId(), partition.leaderEpoch(), partition.voteGranted(),
                    ((VoteRequest) request).preVote());
        } else if (response instanceof BeginQuorumEpochResponseData begin) {
            if (begin.errorCode() != 0) {
                return new BeginQuorumEpochResponse(peerId, localId, correlationId,
                        Errors.forCode(begin.errorCode()), -1, -1);
            }
            BeginQuorumEpochResponseData.PartitionData partition = onlyPartition(begin.topics().size() == 1
                    ? begin.topics().get(0).partitions() : null);
            return new BeginQuorumEpochResponse(peerId, localId, correlationId,
                    Errors.forCode(partition.errorCode()), partition.leaderId(), partition.leaderEpoch());
        } else if (response instanceof EndQuorumEpochResponseData end) {
            if (end.errorCode() != 0) {
                return new EndQuorumEpochResponse(peerId, localId, correlationId, Errors.forCode(end.errorCode()),
                        -1, -1);
            }
            EndQuorumEpochResponseData.PartitionData partition = onlyPartition(end.topics().size() == 1
                    ? end.topics().get(0).partitions() : null);
            return new EndQuorumEpochResponse(peerId, localId, correlationId, Errors.forCode(partition.errorCode()),
                    partition.leaderId(), partition.leaderEpoch());
        } else if (response instanceof FetchResponseData fetch) {
            if (fetch.errorCode() != 0) {
                return new FetchResponse(peerId, localId, correlationId, Errors.forCode(fetch.errorCode()), -1, -1,
                        null, new LeaderAndEpoch(-1, -1), List.of());
            }
            FetchResponseData.PartitionData partition = onlyPartition(fetch.responses().size() == 1
                    ? fetch.responses().get(0).partitions() : null);
            EpochEndOffset diverging = partition.divergingEpoch().epoch() < 0
                    && partition.divergingEpoch().endOffset() < 0 ? null
                    : new EpochEndOffset(partition.divergingEpoch().epoch(), partition.divergingEpoch().endOffset());
            // Kafka's default SnapshotId is (-1, -1): none.
            OffsetAndEpoch snapshotId = partition.snapshotId().endOffset() < 0 || partition.snapshotId().epoch() < 0
                    ? null : new OffsetAndEpoch(partition.snapshotId().endOffset(), partition.snapshotId().epoch());
            List<LogEntry> entries = EntryBatches.decode(buffer(partition.records()), maxEntriesPerFetch,
                    maxEntryBytes);
            return new FetchResponse(peerId, localId, correlationId, Errors.forCode(partition.errorCode()),
                    partition.highWatermark(), partition.logStartOffset(), diverging,
                    new LeaderAndEpoch(partition.currentLeader().leaderId(), partition.currentLeader().leaderEpoch()),
                    entries, snapshotId);
        } else if (response instanceof FetchSnapshotResponseData snapshot) {
            FetchSnapshotRequest asked = (FetchSnapshotRequest) request;
            if (snapshot.errorCode() != 0) {
                return new FetchSnapshotResponse(peerId, localId, correlationId,
                        Errors.forCode(snapshot.errorCode()), asked.snapshotId(), new LeaderAndEpoch(-1, -1), -1,
                        asked.position(), new byte[0]);
            }
            FetchSnapshotResponseData.PartitionSnapshot partition = onlyPartition(snapshot.topics().size() == 1
                    ? snapshot.topics().get(0).partitions() : null);
            ByteBuffer bytes = buffer(partition.unalignedRecords());
            byte[] chunk = new byte[bytes.remaining()];
            bytes.duplicate().get(chunk);
            return new FetchSnapshotResponse(peerId, localId, correlationId, Errors.forCode(partition.errorCode()),
                    new OffsetAndEpoch(partition.snapshotId().endOffset(), partition.snapshotId().epoch()),
                    new LeaderAndEpoch(partition.currentLeader().leaderId(), partition.currentLeader().leaderEpoch()),
                    partition.size(), partition.position(), chunk);
        } else if (response instanceof UpdateRaftVoterResponseData update) {
            return new UpdateRaftVoterResponse(peerId, localId, correlationId, Errors.forCode(update.errorCode()),
                    new LeaderAndEpoch(update.currentLeader().leaderId(), update.currentLeader().leaderEpoch()));
        } else if (response instanceof ApiVersionsResponseData versions) {
            return new ApiVersionsResponse(peerId, localId, correlationId, Errors.forCode(versions.errorCode()),
                    supportedKraftVersions(versions));
        }
        throw new InvalidRaftMessageException(Errors.INVALID_REQUEST, "not a Raft response: " + response);
    }

    /** The kraft.version range an ApiVersions answer lists among its SupportedFeatures, or null (none, or invalid). */
    private static KraftVersionRange supportedKraftVersions(ApiVersionsResponseData versions) {
        for (ApiVersionsResponseData.SupportedFeatureKey feature : versions.supportedFeatures()) {
            if (KraftVersionUpgrade.FEATURE_NAME.equals(feature.name()) && feature.minVersion() >= 0
                    && feature.maxVersion() >= feature.minVersion()) {
                return new KraftVersionRange(feature.minVersion(), feature.maxVersion());
            }
        }
        return null;
    }

    private static ByteBuffer buffer(Records records) {
        if (records == null) {
            return ByteBuffer.allocate(0);
        }
        if (records instanceof BufferRecords buffer) {
            return buffer.buffer();
        }
        throw new InvalidRaftMessageException(Errors.INVALID_REQUEST, "records in a file region on the client side");
    }
}
