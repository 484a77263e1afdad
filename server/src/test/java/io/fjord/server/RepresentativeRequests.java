package io.fjord.server;

import io.fjord.protocol.message.AlterPartitionReassignmentsRequestData;
import io.fjord.protocol.message.CreateAclsRequestData;
import io.fjord.protocol.message.DeleteAclsRequestData;
import io.fjord.protocol.message.DescribeAclsRequestData;
import io.fjord.protocol.message.DescribeQuorumRequestData;
import io.fjord.protocol.message.ElectLeadersRequestData;
import io.fjord.protocol.message.ListPartitionReassignmentsRequestData;
import io.fjord.protocol.message.UnregisterBrokerRequestData;
import io.fjord.protocol.message.TxnOffsetCommitRequestData;
import io.fjord.protocol.message.WriteTxnMarkersRequestData;
import io.fjord.protocol.message.UpdateFeaturesRequestData;
import io.fjord.protocol.message.AddOffsetsToTxnRequestData;
import io.fjord.protocol.message.AddPartitionsToTxnRequestData;
import io.fjord.protocol.message.DescribeTransactionsRequestData;
import io.fjord.protocol.message.EndTxnRequestData;
import io.fjord.protocol.message.ListTransactionsRequestData;
import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.message.AlterConfigsRequestData;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.ApiVersionsRequestData;
import io.fjord.protocol.message.BufferRecords;
import io.fjord.protocol.message.CreatePartitionsRequestData;
import io.fjord.protocol.message.ConsumerGroupDescribeRequestData;
import io.fjord.protocol.message.ConsumerGroupHeartbeatRequestData;
import io.fjord.protocol.message.CreateTopicsRequestData;
import io.fjord.protocol.message.DeleteGroupsRequestData;
import io.fjord.protocol.message.DeleteRecordsRequestData;
import io.fjord.protocol.message.DescribeGroupsRequestData;
import io.fjord.protocol.message.FindCoordinatorRequestData;
import io.fjord.protocol.message.HeartbeatRequestData;
import io.fjord.protocol.message.JoinGroupRequestData;
import io.fjord.protocol.message.LeaveGroupRequestData;
import io.fjord.protocol.message.ListConfigResourcesRequestData;
import io.fjord.protocol.message.ListGroupsRequestData;
import io.fjord.protocol.message.OffsetCommitRequestData;
import io.fjord.protocol.message.OffsetDeleteRequestData;
import io.fjord.protocol.message.OffsetFetchRequestData;
import io.fjord.protocol.message.SyncGroupRequestData;
import io.fjord.protocol.message.DeleteTopicsRequestData;
import io.fjord.protocol.message.DescribeClusterRequestData;
import io.fjord.protocol.message.DescribeConfigsRequestData;
import io.fjord.protocol.message.DescribeLogDirsRequestData;
import io.fjord.protocol.message.DescribeProducersRequestData;
import io.fjord.protocol.message.DescribeTopicPartitionsRequestData;
import io.fjord.protocol.message.FetchRequestData;
import io.fjord.protocol.message.IncrementalAlterConfigsRequestData;
import io.fjord.protocol.message.InitProducerIdRequestData;
import io.fjord.protocol.message.ListOffsetsRequestData;
import io.fjord.protocol.message.MetadataRequestData;
import io.fjord.protocol.message.OffsetForLeaderEpochRequestData;
import io.fjord.protocol.message.ProduceRequestData;
import io.fjord.protocol.message.SaslHandshakeRequestData;
import io.fjord.protocol.message.SaslAuthenticateRequestData;
import io.fjord.protocol.message.DescribeUserScramCredentialsRequestData;
import io.fjord.protocol.message.AlterUserScramCredentialsRequestData;
import io.fjord.protocol.message.AlterClientQuotasRequestData;
import io.fjord.protocol.message.DescribeClientQuotasRequestData;
import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.TimestampType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * Requests a real client could send to a node, for each API at each version: the common case and the errors
 * (unknown topics and partitions, invalid names and values, out-of-range offsets), with every field valid at that
 * version. They name the topics {@link #TOPICS_TO_CREATE} makes. Not thread-safe; immutable once built.
 */
final class RepresentativeRequests {
    static final int ORDERS_PARTITIONS = 3;
    /** Topics DeleteTopics deletes, one per version. */
    static final int DOOMED_TOPICS = 7;

    private final UUID ordersId;
    private final long producerId;
    private final short producerEpoch;
    private final Map<ApiKey, Function<Short, List<ApiMessage>>> byApi;

    RepresentativeRequests(UUID ordersId, long producerId, short producerEpoch) {
        this.ordersId = ordersId;
        this.producerId = producerId;
        this.producerEpoch = producerEpoch;
        this.byApi = Map.ofEntries(
                Map.entry(ApiKey.API_VERSIONS, this::apiVersions),
                Map.entry(ApiKey.SASL_HANDSHAKE, version -> List.of(new SaslHandshakeRequestData()
                        .setMechanism("PLAIN"))),
                Map.entry(ApiKey.METADATA, this::metadata),
                Map.entry(ApiKey.DESCRIBE_CLUSTER, this::describeCluster),
                Map.entry(ApiKey.CREATE_TOPICS, this::createTopics),
                Map.entry(ApiKey.DELETE_TOPICS, this::deleteTopics),
                Map.entry(ApiKey.CREATE_PARTITIONS, this::createPartitions),
                Map.entry(ApiKey.FETCH, this::fetch),
                Map.entry(ApiKey.LIST_OFFSETS, this::listOffsets),
                Map.entry(ApiKey.OFFSET_FOR_LEADER_EPOCH, this::offsetForLeaderEpoch),
                Map.entry(ApiKey.PRODUCE, this::produce),
                Map.entry(ApiKey.INIT_PRODUCER_ID, this::initProducerId),
                Map.entry(ApiKey.DESCRIBE_CONFIGS, this::describeConfigs),
                Map.entry(ApiKey.ALTER_CONFIGS, this::alterConfigs),
                Map.entry(ApiKey.INCREMENTAL_ALTER_CONFIGS, this::incrementalAlterConfigs),
                Map.entry(ApiKey.DELETE_RECORDS, this::deleteRecords),
                Map.entry(ApiKey.LIST_CONFIG_RESOURCES, version -> version == 0
                        ? List.of(new ListConfigResourcesRequestData())
                        : List.of(new ListConfigResourcesRequestData(), new ListConfigResourcesRequestData()
                                .setResourceTypes(list((byte) 2, (byte) 32)), new ListConfigResourcesRequestData()
                                .setResourceTypes(list((byte) 2, (byte) 64)))), // 64: UNSUPPORTED_VERSION
                Map.entry(ApiKey.DESCRIBE_LOG_DIRS, this::describeLogDirs),
                Map.entry(ApiKey.DESCRIBE_TOPIC_PARTITIONS, this::describeTopicPartitions),
                Map.entry(ApiKey.DESCRIBE_PRODUCERS, this::describeProducers),
                Map.entry(ApiKey.FIND_COORDINATOR, this::findCoordinator),
                Map.entry(ApiKey.JOIN_GROUP, this::joinGroup),
                Map.entry(ApiKey.SYNC_GROUP, this::syncGroup),
                Map.entry(ApiKey.HEARTBEAT, this::heartbeat),
                Map.entry(ApiKey.LEAVE_GROUP, this::leaveGroup),
                Map.entry(ApiKey.OFFSET_COMMIT, this::offsetCommit),
                Map.entry(ApiKey.TXN_OFFSET_COMMIT, this::txnOffsetCommit),
                Map.entry(ApiKey.OFFSET_FETCH, this::offsetFetch),
                Map.entry(ApiKey.OFFSET_DELETE, this::offsetDelete),
                Map.entry(ApiKey.LIST_GROUPS, this::listGroups),
                Map.entry(ApiKey.DESCRIBE_GROUPS, this::describeGroups),
                Map.entry(ApiKey.DELETE_GROUPS, this::deleteGroups),
                Map.entry(ApiKey.CONSUMER_GROUP_HEARTBEAT, this::consumerGroupHeartbeat),
                Map.entry(ApiKey.CONSUMER_GROUP_DESCRIBE, this::consumerGroupDescribe),
                Map.entry(ApiKey.DESCRIBE_QUORUM, version -> List.of(new DescribeQuorumRequestData().setTopics(
                        list(new DescribeQuorumRequestData.TopicData().setTopicName("__cluster_metadata")
                                .setPartitions(list(new DescribeQuorumRequestData.PartitionData()
                                        .setPartitionIndex(0))))))),
                Map.entry(ApiKey.ELECT_LEADERS, this::electLeaders),
                Map.entry(ApiKey.UNREGISTER_BROKER, version -> List.of(new UnregisterBrokerRequestData()
                        .setBrokerId(99))), // not registered: BROKER_ID_NOT_REGISTERED
                Map.entry(ApiKey.UPDATE_FEATURES, this::updateFeatures),
                // On a listener without SASL: ILLEGAL_SASL_STATE.
                Map.entry(ApiKey.SASL_AUTHENTICATE, version -> List.of(new SaslAuthenticateRequestData()
                        .setAuthBytes(new byte[] {0, 'a', 0, 'b'}))),
                Map.entry(ApiKey.DESCRIBE_USER_SCRAM_CREDENTIALS, version -> List.of(
                        new DescribeUserScramCredentialsRequestData().setUsers(null),
                        new DescribeUserScramCredentialsRequestData().setUsers(list(
                                new DescribeUserScramCredentialsRequestData.UserName().setName("alice"),
                                new DescribeUserScramCredentialsRequestData.UserName().setName("nobody"))))),
                Map.entry(ApiKey.ALTER_USER_SCRAM_CREDENTIALS, version -> List.of(
                        new AlterUserScramCredentialsRequestData().setUpsertions(list(
                                new AlterUserScramCredentialsRequestData.ScramCredentialUpsertion().setName("alice")
                                        .setMechanism((byte) 1).setIterations(4096).setSalt(new byte[32])
                                        .setSaltedPassword(new byte[32]))),
                        new AlterUserScramCredentialsRequestData().setDeletions(list( // RESOURCE_NOT_FOUND
                                new AlterUserScramCredentialsRequestData.ScramCredentialDeletion().setName("nobody")
                                        .setMechanism((byte) 2))))),
                // Without an authorizer the ACL APIs answer SECURITY_DISABLED, as Kafka's.
                Map.entry(ApiKey.CREATE_ACLS, version -> List.of(new CreateAclsRequestData().setCreations(list(
                        new CreateAclsRequestData.AclCreation().setResourceType((byte) 2).setResourceName("orders")
                                .setResourcePatternType((byte) 3).setPrincipal("User:alice").setHost("*")
                                .setOperation((byte) 3).setPermissionType((byte) 3))))),
                Map.entry(ApiKey.DELETE_ACLS, version -> List.of(new DeleteAclsRequestData().setFilters(list(
                        new DeleteAclsRequestData.DeleteAclsFilter().setResourceTypeFilter((byte) 2)
                                .setResourceNameFilter("orders").setPatternTypeFilter((byte) 3)
                                .setPrincipalFilter(null).setHostFilter(null).setOperation((byte) 1)
                                .setPermissionType((byte) 1))))),
                Map.entry(ApiKey.DESCRIBE_ACLS, version -> List.of(new DescribeAclsRequestData()
                        .setResourceTypeFilter((byte) 1).setResourceNameFilter(null).setPatternTypeFilter((byte) 1)
                        .setPrincipalFilter(null).setHostFilter(null).setOperation((byte) 1)
                        .setPermissionType((byte) 1))),
                Map.entry(ApiKey.ALTER_CLIENT_QUOTAS, version -> List.of(new AlterClientQuotasRequestData().setEntries(
                        list(new AlterClientQuotasRequestData.EntryData().setEntity(list(
                                new AlterClientQuotasRequestData.EntityData().setEntityType("user")
                                        .setEntityName("alice"))).setOps(list(
                                new AlterClientQuotasRequestData.OpData().setKey("producer_byte_rate")
                                        .setValue(1_048_576))),
                                new AlterClientQuotasRequestData.EntryData().setEntity(list( // INVALID_REQUEST
                                        new AlterClientQuotasRequestData.EntityData().setEntityType("ip")
                                                .setEntityName(null))).setOps(list(
                                        new AlterClientQuotasRequestData.OpData().setKey("producer_byte_rate")
                                                .setValue(1))))))),
                Map.entry(ApiKey.DESCRIBE_CLIENT_QUOTAS, version -> List.of(new DescribeClientQuotasRequestData()
                        .setComponents(list(new DescribeClientQuotasRequestData.ComponentData().setEntityType("user")
                                .setMatchType((byte) 2).setMatch(null))), new DescribeClientQuotasRequestData()
                        .setComponents(list(new DescribeClientQuotasRequestData.ComponentData() // INVALID_REQUEST
                                .setEntityType("user").setMatchType((byte) 0).setMatch(null))))),
                Map.entry(ApiKey.WRITE_TXN_MARKERS, this::writeTxnMarkers),
                Map.entry(ApiKey.ADD_PARTITIONS_TO_TXN, this::addPartitionsToTxn),
                Map.entry(ApiKey.ADD_OFFSETS_TO_TXN, version -> List.of(new AddOffsetsToTxnRequestData()
                        .setTransactionalId("transactions-" + version).setProducerId(producerId)
                        .setProducerEpoch(producerEpoch).setGroupId("rep-group"))),
                Map.entry(ApiKey.END_TXN, version -> List.of(new EndTxnRequestData()
                        .setTransactionalId("transactions-" + version).setProducerId(producerId)
                        .setProducerEpoch(producerEpoch).setCommitted(true), new EndTxnRequestData()
                        .setTransactionalId("no-such-transaction").setProducerId(producerId)
                        .setProducerEpoch(producerEpoch).setCommitted(false))),
                Map.entry(ApiKey.DESCRIBE_TRANSACTIONS, version -> List.of(new DescribeTransactionsRequestData()
                        .setTransactionalIds(list("transactions-1", "no-such-transaction")))),
                Map.entry(ApiKey.LIST_TRANSACTIONS, this::listTransactions),
                Map.entry(ApiKey.ALTER_PARTITION_REASSIGNMENTS, this::alterPartitionReassignments),
                Map.entry(ApiKey.LIST_PARTITION_REASSIGNMENTS, version -> List.of(
                        new ListPartitionReassignmentsRequestData().setTopics(null),
                        new ListPartitionReassignmentsRequestData().setTopics(list(
                                new ListPartitionReassignmentsRequestData.ListPartitionReassignmentsTopics()
                                        .setName("orders").setPartitionIndexes(list(0, 1)))))));
    }

    /** The topics the requests expect: orders (3 partitions), compacted, growing and the doomed ones. */
    static CreateTopicsRequestData topicsToCreate() {
        CreateTopicsRequestData request = new CreateTopicsRequestData().setTimeoutMs(30_000);
        request.topics().add(topic("orders", ORDERS_PARTITIONS));
        request.topics().add(topic("compacted", 1).setConfigs(new ArrayList<>(List.of(
                new CreateTopicsRequestData.CreatableTopicConfig().setName("cleanup.policy").setValue("compact")))));
        request.topics().add(topic("growing", 1));
        for (int index = 0; index < DOOMED_TOPICS; index++) {
            request.topics().add(topic("doomed-" + index, 1));
        }
        return request;
    }

    /** Whether requests exist for the API; every API a node serves must have some. */
    boolean covers(ApiKey apiKey) {
        return byApi.containsKey(apiKey);
    }

    List<ApiMessage> of(ApiKey apiKey, short version) {
        return byApi.get(apiKey).apply(version);
    }

    private static CreateTopicsRequestData.CreatableTopic topic(String name, int partitions) {
        return new CreateTopicsRequestData.CreatableTopic().setName(name).setNumPartitions(partitions)
                .setReplicationFactor((short) 1);
    }

    static ByteBuffer batch(long producerId, short producerEpoch, int baseSequence, String key, String... values) {
        List<Record> records = new ArrayList<>();
        for (int index = 0; index < values.length; index++) {
            records.add(new Record(index, System.currentTimeMillis(), key == null ? null : utf8(key),
                    utf8(values[index]), List.of()));
        }
        return RecordCodec.encode(new BatchSpec(0, CompressionType.NONE, TimestampType.CREATE_TIME,
                RecordBatch.NO_TIMESTAMP, producerId, producerEpoch, baseSequence, false, false,
                RecordBatch.NO_PARTITION_LEADER_EPOCH, RecordBatch.NO_TIMESTAMP), records);
    }

    private static ByteBuffer utf8(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    @SafeVarargs
    private static <T> List<T> list(T... elements) {
        List<T> result = new ArrayList<>(elements.length);
        for (T element : elements) {
            result.add(element);
        }
        return result;
    }

    private List<ApiMessage> electLeaders(short version) {
        ElectLeadersRequestData named = new ElectLeadersRequestData().setTimeoutMs(30_000).setTopicPartitions(list(
                new ElectLeadersRequestData.TopicPartitions().setTopic("orders").setPartitions(list(0, 1)),
                new ElectLeadersRequestData.TopicPartitions().setTopic("missing").setPartitions(list(0))));
        List<ApiMessage> requests = new ArrayList<>(List.of(named,
                new ElectLeadersRequestData().setTimeoutMs(30_000).setTopicPartitions(null)));
        if (version >= 1) {
            requests.add(new ElectLeadersRequestData().setElectionType((byte) 1).setTimeoutMs(30_000)
                    .setTopicPartitions(null)); // unclean
        }
        return requests;
    }

    private List<ApiMessage> updateFeatures(short version) {
        UpdateFeaturesRequestData same = new UpdateFeaturesRequestData().setFeatureUpdates(list(
                new UpdateFeaturesRequestData.FeatureUpdateKey().setFeature("transaction.version")
                        .setMaxVersionLevel((short) 0)));
        UpdateFeaturesRequestData refused = new UpdateFeaturesRequestData().setFeatureUpdates(list(
                new UpdateFeaturesRequestData.FeatureUpdateKey().setFeature("transaction.version")
                        .setMaxVersionLevel((short) 2),
                new UpdateFeaturesRequestData.FeatureUpdateKey().setFeature("no.such.version")
                        .setMaxVersionLevel((short) 1)));
        if (version >= 1) {
            refused.setValidateOnly(true);
        }
        return List.of(same, refused);
    }

    private List<ApiMessage> alterPartitionReassignments(short version) {
        AlterPartitionReassignmentsRequestData request = new AlterPartitionReassignmentsRequestData().setTopics(list(
                new AlterPartitionReassignmentsRequestData.ReassignableTopic().setName("orders").setPartitions(list(
                        new AlterPartitionReassignmentsRequestData.ReassignablePartition().setPartitionIndex(0)
                                .setReplicas(list(1)), // where it is: done at once
                        new AlterPartitionReassignmentsRequestData.ReassignablePartition().setPartitionIndex(1)
                                .setReplicas(null), // cancel: none in progress
                        new AlterPartitionReassignmentsRequestData.ReassignablePartition().setPartitionIndex(2)
                                .setReplicas(list(7)))), // no such broker
                new AlterPartitionReassignmentsRequestData.ReassignableTopic().setName("missing").setPartitions(list(
                        new AlterPartitionReassignmentsRequestData.ReassignablePartition().setPartitionIndex(0)
                                .setReplicas(list(1))))));
        if (version >= 1) {
            request.setAllowReplicationFactorChange(false);
        }
        return List.of(request);
    }

    private List<ApiMessage> apiVersions(short version) {
        ApiVersionsRequestData request = new ApiVersionsRequestData();
        if (version >= 3) {
            request.setClientSoftwareName("fjord-test").setClientSoftwareVersion("1.0");
        }
        return List.of(request);
    }

    private List<ApiMessage> metadata(short version) {
        MetadataRequestData named = new MetadataRequestData();
        named.topics().add(new MetadataRequestData.MetadataRequestTopic().setName("orders"));
        named.topics().add(new MetadataRequestData.MetadataRequestTopic().setName("bad/name"));
        if (version >= 4) {
            named.setAllowAutoTopicCreation(false);
            named.topics().add(new MetadataRequestData.MetadataRequestTopic().setName("missing"));
        } else {
            // Before v4 clients always allow auto-creation: exercises it (LEADER_NOT_AVAILABLE).
            named.topics().add(new MetadataRequestData.MetadataRequestTopic().setName("auto-" + version));
        }
        if (version >= 8) {
            named.setIncludeTopicAuthorizedOperations(true);
        }
        List<ApiMessage> requests = new ArrayList<>(List.of(named,
                new MetadataRequestData().setTopics(version == 0 ? new ArrayList<>() : null)));
        if (version >= 12) {
            MetadataRequestData byId = new MetadataRequestData().setAllowAutoTopicCreation(false);
            byId.topics().add(new MetadataRequestData.MetadataRequestTopic().setTopicId(ordersId).setName(null));
            byId.topics().add(new MetadataRequestData.MetadataRequestTopic().setTopicId(UUID.randomUUID())
                    .setName(null));
            requests.add(byId);
        }
        return requests;
    }

    private List<ApiMessage> describeCluster(short version) {
        List<ApiMessage> requests = new ArrayList<>(List.of(new DescribeClusterRequestData()));
        if (version >= 1) {
            requests.add(new DescribeClusterRequestData().setEndpointType((byte) 2)); // controllers: an error here
        }
        if (version >= 2) {
            requests.add(new DescribeClusterRequestData().setIncludeFencedBrokers(true));
        }
        return requests;
    }

    private List<ApiMessage> createTopics(short version) {
        CreateTopicsRequestData request = new CreateTopicsRequestData().setTimeoutMs(30_000);
        request.topics().add(topic("created-" + version, 2).setConfigs(new ArrayList<>(List.of(
                new CreateTopicsRequestData.CreatableTopicConfig().setName("retention.ms").setValue("3600000")))));
        request.topics().add(new CreateTopicsRequestData.CreatableTopic().setName("defaults-" + version)
                .setNumPartitions(-1).setReplicationFactor((short) -1));
        request.topics().add(topic("orders", 1));
        request.topics().add(topic("bad/name", 1));
        request.topics().add(topic("bad-config-" + version, 1).setConfigs(new ArrayList<>(List.of(
                new CreateTopicsRequestData.CreatableTopicConfig().setName("retention.ms").setValue("soon")))));
        CreateTopicsRequestData validateOnly = new CreateTopicsRequestData().setValidateOnly(true).setTimeoutMs(30_000);
        validateOnly.topics().add(topic("validated-" + version, 4));
        return List.of(request, validateOnly);
    }

    private List<ApiMessage> deleteTopics(short version) {
        DeleteTopicsRequestData request = new DeleteTopicsRequestData().setTimeoutMs(30_000);
        if (version >= 6) {
            request.topics().add(new DeleteTopicsRequestData.DeleteTopicState().setName("doomed-" + version));
            request.topics().add(new DeleteTopicsRequestData.DeleteTopicState().setName(null)
                    .setTopicId(UUID.randomUUID()));
            request.topics().add(new DeleteTopicsRequestData.DeleteTopicState().setName("missing"));
        } else {
            request.setTopicNames(list("doomed-" + version, "missing"));
        }
        return List.of(request);
    }

    private List<ApiMessage> createPartitions(short version) {
        CreatePartitionsRequestData request = new CreatePartitionsRequestData().setTimeoutMs(30_000);
        request.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("growing")
                .setCount(version + 2).setAssignments(null));
        request.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("orders").setCount(1)
                .setAssignments(null));
        request.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("missing").setCount(2)
                .setAssignments(null));
        CreatePartitionsRequestData validateOnly = new CreatePartitionsRequestData().setValidateOnly(true)
                .setTimeoutMs(30_000);
        validateOnly.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("growing")
                .setCount(100).setAssignments(null));
        return List.of(request, validateOnly);
    }

    private FetchRequestData.FetchTopic fetchTopic(short version, String name, UUID topicId) {
        return version >= 13 ? new FetchRequestData.FetchTopic().setTopicId(topicId)
                : new FetchRequestData.FetchTopic().setTopic(name);
    }

    private List<ApiMessage> fetch(short version) {
        List<ApiMessage> requests = new ArrayList<>();
        for (byte isolationLevel : new byte[] {0, 1}) {
            FetchRequestData request = new FetchRequestData().setMaxWaitMs(0).setMinBytes(0).setMaxBytes(1 << 20)
                    .setIsolationLevel(isolationLevel);
            FetchRequestData.FetchTopic orders = fetchTopic(version, "orders", ordersId);
            orders.partitions().add(new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0)
                    .setPartitionMaxBytes(1 << 20));
            orders.partitions().add(new FetchRequestData.FetchPartition().setPartition(1).setFetchOffset(1_000)
                    .setPartitionMaxBytes(1 << 20));
            orders.partitions().add(new FetchRequestData.FetchPartition().setPartition(9).setFetchOffset(0)
                    .setPartitionMaxBytes(1 << 20));
            request.topics().add(orders);
            FetchRequestData.FetchTopic missing = fetchTopic(version, "missing", UUID.randomUUID());
            missing.partitions().add(new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0)
                    .setPartitionMaxBytes(1 << 20));
            request.topics().add(missing);
            requests.add(request);
        }
        // A replica fetch (refused per partition with NOT_LEADER_OR_FOLLOWER: a single node has no followers), and a
        // leader epoch from the future where the version has one.
        FetchRequestData follower = new FetchRequestData().setMaxWaitMs(0).setMinBytes(0);
        if (version >= 15) {
            follower.setReplicaState(new FetchRequestData.ReplicaState().setReplicaId(1).setReplicaEpoch(1));
        } else {
            follower.setReplicaId(1);
        }
        FetchRequestData.FetchTopic followed = fetchTopic(version, "orders", ordersId);
        followed.partitions().add(new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0)
                .setPartitionMaxBytes(1 << 20));
        if (version >= 9) {
            followed.partitions().add(new FetchRequestData.FetchPartition().setPartition(2).setFetchOffset(0)
                    .setCurrentLeaderEpoch(99).setPartitionMaxBytes(1 << 20));
        }
        follower.topics().add(followed);
        requests.add(follower);
        if (version >= 7) {
            // Epoch 0 opens an incremental fetch session.
            FetchRequestData session = new FetchRequestData().setMaxWaitMs(0).setMinBytes(0).setSessionId(0)
                    .setSessionEpoch(0);
            FetchRequestData.FetchTopic orders = fetchTopic(version, "orders", ordersId);
            orders.partitions().add(new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(1)
                    .setPartitionMaxBytes(1 << 20));
            session.topics().add(orders);
            requests.add(session);
        }
        return requests;
    }

    private List<ApiMessage> listOffsets(short version) {
        ListOffsetsRequestData request = new ListOffsetsRequestData().setReplicaId(-1);
        if (version >= 2) {
            request.setIsolationLevel((byte) 1);
        }
        ListOffsetsRequestData.ListOffsetsTopic orders = new ListOffsetsRequestData.ListOffsetsTopic()
                .setName("orders");
        List<Long> timestamps = new ArrayList<>(List.of(-1L, -2L, 0L, System.currentTimeMillis() + 60_000));
        if (version >= 7) {
            timestamps.add(-3L);
        }
        for (int index = 0; index < timestamps.size(); index++) {
            // Kafka refuses a partition named twice, so each lookup asks another (partly unknown) partition.
            orders.partitions().add(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(index)
                    .setTimestamp(timestamps.get(index)));
        }
        request.topics().add(orders);
        if (version >= 4) {
            request.topics().add(new ListOffsetsRequestData.ListOffsetsTopic().setName("compacted").setPartitions(
                    list(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0).setTimestamp(-1)
                            .setCurrentLeaderEpoch(99))));
        }
        request.topics().add(new ListOffsetsRequestData.ListOffsetsTopic().setName("missing").setPartitions(
                list(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0).setTimestamp(-1))));
        return List.of(request);
    }

    /** Known, newer and negative epochs, a current epoch from the future, unknown partitions and topics. */
    private List<ApiMessage> offsetForLeaderEpoch(short version) {
        OffsetForLeaderEpochRequestData request = new OffsetForLeaderEpochRequestData();
        if (version >= 3) {
            request.setReplicaId(-1);
        }
        OffsetForLeaderEpochRequestData.OffsetForLeaderTopic orders =
                new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic("orders");
        orders.partitions().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition().setPartition(0)
                .setCurrentLeaderEpoch(-1).setLeaderEpoch(0));
        orders.partitions().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition().setPartition(1)
                .setCurrentLeaderEpoch(-1).setLeaderEpoch(42));
        orders.partitions().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition().setPartition(2)
                .setCurrentLeaderEpoch(99).setLeaderEpoch(-1));
        orders.partitions().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition().setPartition(9)
                .setCurrentLeaderEpoch(-1).setLeaderEpoch(0));
        request.topics().add(orders);
        request.topics().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic("missing")
                .setPartitions(list(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition().setPartition(0)
                        .setLeaderEpoch(0))));
        return List.of(request);
    }

    private ProduceRequestData.TopicProduceData produceTopic(short version, String name, UUID topicId) {
        return version >= 13 ? new ProduceRequestData.TopicProduceData().setName("").setTopicId(topicId)
                : new ProduceRequestData.TopicProduceData().setName(name);
    }

    private UUID topicIdOf(String name) {
        return name.equals("orders") ? ordersId : UUID.randomUUID();
    }

    private List<ApiMessage> produce(short version) {
        List<ApiMessage> requests = new ArrayList<>();
        for (short acks : new short[] {-1, 1, 0}) {
            ProduceRequestData request = new ProduceRequestData().setAcks(acks).setTimeoutMs(30_000);
            ProduceRequestData.TopicProduceData orders = produceTopic(version, "orders", ordersId);
            orders.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(2).setRecords(
                    new BufferRecords(batch(RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH,
                            RecordBatch.NO_SEQUENCE, null, "v" + version))));
            orders.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(9).setRecords(
                    new BufferRecords(batch(RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH,
                            RecordBatch.NO_SEQUENCE, null, "nowhere"))));
            request.topicData().add(orders);
            if (version < 13) {
                // A keyless record on a compacted topic is INVALID_RECORD with record errors (v8+).
                ProduceRequestData.TopicProduceData compacted = produceTopic(version, "compacted", null);
                compacted.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(
                        new BufferRecords(batch(RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH,
                                RecordBatch.NO_SEQUENCE, null, "no key"))));
                request.topicData().add(compacted);
            }
            ProduceRequestData.TopicProduceData missing = produceTopic(version, "missing", topicIdOf("missing"));
            missing.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(
                    new BufferRecords(batch(RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH,
                            RecordBatch.NO_SEQUENCE, null, "lost"))));
            request.topicData().add(missing);
            requests.add(request);
        }
        // An idempotent producer out of sequence: OUT_OF_ORDER_SEQUENCE_NUMBER.
        ProduceRequestData outOfOrder = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30_000);
        ProduceRequestData.TopicProduceData orders = produceTopic(version, "orders", ordersId);
        orders.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(
                new BufferRecords(batch(producerId, producerEpoch, 1_000, null, "late"))));
        outOfOrder.topicData().add(orders);
        requests.add(outOfOrder);
        return requests;
    }

    private List<ApiMessage> initProducerId(short version) {
        List<ApiMessage> requests = new ArrayList<>(List.of(
                new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(-1),
                new InitProducerIdRequestData().setTransactionalId("transactions-" + version)
                        .setTransactionTimeoutMs(60_000)));
        if (version >= 3) {
            requests.add(new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(-1)
                    .setProducerId(producerId).setProducerEpoch(producerEpoch));
        }
        return requests;
    }

    private static final byte TOPIC = 2;
    private static final byte BROKER = 4;

    private List<ApiMessage> describeConfigs(short version) {
        DescribeConfigsRequestData request = new DescribeConfigsRequestData().setIncludeSynonyms(true)
                .setIncludeDocumentation(version >= 3);
        request.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType(TOPIC)
                .setResourceName("orders").setConfigurationKeys(null));
        request.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType(BROKER)
                .setResourceName("1").setConfigurationKeys(list("num.io.threads", "log.retention.hours")));
        request.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType(TOPIC)
                .setResourceName("missing").setConfigurationKeys(null));
        request.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType(BROKER)
                .setResourceName("77").setConfigurationKeys(null));
        return List.of(request, new DescribeConfigsRequestData().setResources(list(
                new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType(BROKER).setResourceName("")
                        .setConfigurationKeys(null))));
    }

    private List<ApiMessage> alterConfigs(short version) {
        AlterConfigsRequestData request = new AlterConfigsRequestData().setValidateOnly(true);
        request.resources().add(new AlterConfigsRequestData.AlterConfigsResource().setResourceType(TOPIC)
                .setResourceName("orders").setConfigs(list(new AlterConfigsRequestData.AlterableConfig()
                        .setName("retention.ms").setValue("86400000"))));
        request.resources().add(new AlterConfigsRequestData.AlterConfigsResource().setResourceType(TOPIC)
                .setResourceName("compacted").setConfigs(list(new AlterConfigsRequestData.AlterableConfig()
                        .setName("retention.ms").setValue("never"))));
        request.resources().add(new AlterConfigsRequestData.AlterConfigsResource().setResourceType(TOPIC)
                .setResourceName("missing").setConfigs(list()));
        AlterConfigsRequestData applied = new AlterConfigsRequestData();
        applied.resources().add(new AlterConfigsRequestData.AlterConfigsResource().setResourceType(TOPIC)
                .setResourceName("growing").setConfigs(list(new AlterConfigsRequestData.AlterableConfig()
                        .setName("retention.ms").setValue(Integer.toString(3_600_000 + version)))));
        return List.of(request, applied);
    }

    private List<ApiMessage> incrementalAlterConfigs(short version) {
        IncrementalAlterConfigsRequestData request = new IncrementalAlterConfigsRequestData();
        request.resources().add(new IncrementalAlterConfigsRequestData.AlterConfigsResource().setResourceType(TOPIC)
                .setResourceName("orders").setConfigs(list(
                        new IncrementalAlterConfigsRequestData.AlterableConfig().setName("retention.ms")
                                .setConfigOperation((byte) 0).setValue(Integer.toString(7_200_000 + version)),
                        new IncrementalAlterConfigsRequestData.AlterableConfig().setName("no.such.config")
                                .setConfigOperation((byte) 1).setValue(null))));
        request.resources().add(new IncrementalAlterConfigsRequestData.AlterConfigsResource().setResourceType(TOPIC)
                .setResourceName("missing").setConfigs(list()));
        request.resources().add(new IncrementalAlterConfigsRequestData.AlterConfigsResource().setResourceType(BROKER)
                .setResourceName("1").setConfigs(list(new IncrementalAlterConfigsRequestData.AlterableConfig()
                        .setName("log.cleaner.threads").setConfigOperation((byte) 0).setValue("2"))));
        return List.of(request, new IncrementalAlterConfigsRequestData().setValidateOnly(true)
                .setResources(list(new IncrementalAlterConfigsRequestData.AlterConfigsResource().setResourceType(TOPIC)
                        .setResourceName("orders").setConfigs(list(
                                new IncrementalAlterConfigsRequestData.AlterableConfig().setName("cleanup.policy")
                                        .setConfigOperation((byte) 2).setValue("compact"))))));
    }

    private List<ApiMessage> deleteRecords(short version) {
        DeleteRecordsRequestData request = new DeleteRecordsRequestData().setTimeoutMs(30_000);
        request.topics().add(new DeleteRecordsRequestData.DeleteRecordsTopic().setName("orders").setPartitions(list(
                new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(1).setOffset(-1),
                new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(0).setOffset(0),
                new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(2).setOffset(1_000_000),
                new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(9).setOffset(0))));
        request.topics().add(new DeleteRecordsRequestData.DeleteRecordsTopic().setName("missing").setPartitions(list(
                new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(0).setOffset(0))));
        return List.of(request);
    }

    private List<ApiMessage> describeLogDirs(short version) {
        return List.of(new DescribeLogDirsRequestData().setTopics(null), new DescribeLogDirsRequestData().setTopics(
                list(new DescribeLogDirsRequestData.DescribableLogDirTopic().setTopic("orders").setPartitions(
                        list(0, 1, 9)), new DescribeLogDirsRequestData.DescribableLogDirTopic().setTopic("missing")
                        .setPartitions(list(0)))));
    }

    private List<ApiMessage> describeTopicPartitions(short version) {
        DescribeTopicPartitionsRequestData named = new DescribeTopicPartitionsRequestData();
        for (String name : List.of("orders", "missing", "bad/name")) {
            named.topics().add(new DescribeTopicPartitionsRequestData.TopicRequest().setName(name));
        }
        DescribeTopicPartitionsRequestData badCursor = new DescribeTopicPartitionsRequestData().setCursor(
                new DescribeTopicPartitionsRequestData.Cursor().setTopicName("orders").setPartitionIndex(-1));
        badCursor.topics().add(new DescribeTopicPartitionsRequestData.TopicRequest().setName("orders"));
        return List.of(named, new DescribeTopicPartitionsRequestData(),
                new DescribeTopicPartitionsRequestData().setResponsePartitionLimit(2), badCursor);
    }

    /**
     * Markers for partitions that do not exist (UNKNOWN_TOPIC_OR_PARTITION, so the other requests' logs stay free of
     * control batches), and a request with no markers.
     */
    private List<ApiMessage> writeTxnMarkers(short version) {
        WriteTxnMarkersRequestData.WritableTxnMarker marker = new WriteTxnMarkersRequestData.WritableTxnMarker()
                .setProducerId(4_000).setProducerEpoch((short) 0).setTransactionResult(false).setCoordinatorEpoch(0)
                .setTopics(list(new WriteTxnMarkersRequestData.WritableTxnMarkerTopic().setName("orders")
                                .setPartitionIndexes(list(ORDERS_PARTITIONS + 5)),
                        new WriteTxnMarkersRequestData.WritableTxnMarkerTopic().setName("no-such-topic")
                                .setPartitionIndexes(list(0))));
        return List.of(new WriteTxnMarkersRequestData().setMarkers(list(marker)),
                new WriteTxnMarkersRequestData().setMarkers(new ArrayList<>()));
    }

    private List<ApiMessage> addPartitionsToTxn(short version) {
        if (version <= 3) {
            return List.of(new AddPartitionsToTxnRequestData().setV3AndBelowTransactionalId("transactions-" + version)
                    .setV3AndBelowProducerId(producerId).setV3AndBelowProducerEpoch(producerEpoch)
                    .setV3AndBelowTopics(list(new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic()
                            .setName("orders").setPartitions(list(0, 1)))),
                    new AddPartitionsToTxnRequestData().setV3AndBelowTransactionalId("transactions-" + version)
                            .setV3AndBelowProducerId(producerId).setV3AndBelowProducerEpoch(producerEpoch)
                            .setV3AndBelowTopics(list(new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic()
                                    .setName("no-such-topic").setPartitions(list(0)))));
        }
        return List.of(new AddPartitionsToTxnRequestData().setTransactions(list(
                new AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction().setTransactionalId("transactions-1")
                        .setProducerId(producerId).setProducerEpoch(producerEpoch).setVerifyOnly(true)
                        .setTopics(list(new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic()
                                .setName("orders").setPartitions(list(0)))),
                new AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction().setTransactionalId("other-tx")
                        .setProducerId(producerId).setProducerEpoch(producerEpoch).setVerifyOnly(false)
                        .setTopics(list(new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic()
                                .setName("no-such-topic").setPartitions(list(0)))))));
    }

    private List<ApiMessage> listTransactions(short version) {
        List<ApiMessage> requests = new ArrayList<>(List.of(new ListTransactionsRequestData(),
                new ListTransactionsRequestData().setStateFilters(list("Ongoing", "NoSuchState"))
                        .setProducerIdFilters(list(producerId))));
        if (version >= 1) {
            requests.add(new ListTransactionsRequestData().setDurationFilter(60_000));
        }
        if (version >= 2) {
            requests.add(new ListTransactionsRequestData().setTransactionalIdPattern("transactions-.*"));
        }
        return requests;
    }

    private List<ApiMessage> describeProducers(short version) {
        DescribeProducersRequestData request = new DescribeProducersRequestData();
        request.topics().add(new DescribeProducersRequestData.TopicRequest().setName("orders")
                .setPartitionIndexes(list(0, 1, 9)));
        request.topics().add(new DescribeProducersRequestData.TopicRequest().setName("missing")
                .setPartitionIndexes(list(0)));
        request.topics().add(new DescribeProducersRequestData.TopicRequest().setName("bad/name")
                .setPartitionIndexes(list(0)));
        return List.of(request);
    }

    // ---------------------------------------------------------------- groups

    private List<ApiMessage> findCoordinator(short version) {
        List<ApiMessage> requests = new ArrayList<>();
        if (version >= 4) {
            requests.add(new FindCoordinatorRequestData().setKeyType((byte) 0)
                    .setCoordinatorKeys(list("rep-group", "other-group", "")));
            requests.add(new FindCoordinatorRequestData().setKeyType((byte) 1).setCoordinatorKeys(list("txn")));
        } else {
            requests.add(new FindCoordinatorRequestData().setKey("rep-group"));
            if (version >= 1) {
                requests.add(new FindCoordinatorRequestData().setKey("txn").setKeyType((byte) 1));
            }
        }
        return requests;
    }

    private static JoinGroupRequestData join(String groupId, int sessionTimeoutMs) {
        JoinGroupRequestData request = new JoinGroupRequestData().setGroupId(groupId)
                .setSessionTimeoutMs(sessionTimeoutMs).setRebalanceTimeoutMs(10_000).setMemberId("")
                .setProtocolType("consumer");
        request.protocols().add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range")
                .setMetadata(new byte[] {0, 1}));
        return request;
    }

    /** A first join (v4+: MEMBER_ID_REQUIRED; before: a one-member generation at once) and a bad timeout. */
    private List<ApiMessage> joinGroup(short version) {
        return List.of(join("rep-join-v" + version, 10_000), join("rep-join-bad", 1));
    }

    private List<ApiMessage> syncGroup(short version) {
        SyncGroupRequestData request = new SyncGroupRequestData().setGroupId("rep-join-v0").setGenerationId(1)
                .setMemberId("nobody");
        if (version >= 5) {
            request.setProtocolType("consumer").setProtocolName("range");
        }
        request.assignments().add(new SyncGroupRequestData.SyncGroupRequestAssignment().setMemberId("nobody")
                .setAssignment(new byte[] {1}));
        return List.of(request, new SyncGroupRequestData().setGroupId("missing-group").setGenerationId(1)
                .setMemberId("nobody"));
    }

    private List<ApiMessage> heartbeat(short version) {
        return List.of(new HeartbeatRequestData().setGroupId("rep-join-v0").setGenerationId(1).setMemberId("nobody"),
                new HeartbeatRequestData().setGroupId("").setGenerationId(1).setMemberId("nobody"));
    }

    private List<ApiMessage> leaveGroup(short version) {
        LeaveGroupRequestData request = new LeaveGroupRequestData().setGroupId("rep-join-v0");
        if (version >= 3) {
            request.members().add(new LeaveGroupRequestData.MemberIdentity().setMemberId("nobody"));
        } else {
            request.setMemberId("nobody");
        }
        return List.of(request);
    }

    /** A commit of a simple group (generation -1), to orders (by id from v10) and to a missing topic. */
    private List<ApiMessage> offsetCommit(short version) {
        OffsetCommitRequestData request = new OffsetCommitRequestData().setGroupId("rep-commit")
                .setGenerationIdOrMemberEpoch(-1).setMemberId("");
        OffsetCommitRequestData.OffsetCommitRequestTopic orders = new OffsetCommitRequestData.OffsetCommitRequestTopic();
        OffsetCommitRequestData.OffsetCommitRequestTopic missing =
                new OffsetCommitRequestData.OffsetCommitRequestTopic();
        if (version >= 10) {
            orders.setTopicId(ordersId);
            missing.setTopicId(new UUID(7, 7));
        } else {
            orders.setName("orders");
            missing.setName("missing");
        }
        orders.partitions().add(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0)
                .setCommittedOffset(1).setCommittedMetadata("meta"));
        orders.partitions().add(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(9)
                .setCommittedOffset(1));
        missing.partitions().add(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0)
                .setCommittedOffset(1));
        request.topics().add(orders);
        request.topics().add(missing);
        return List.of(request);
    }

    /** A producer's transactional commit (pending until its marker), an unknown topic, and a stale generation. */
    private List<ApiMessage> txnOffsetCommit(short version) {
        List<ApiMessage> requests = new ArrayList<>();
        for (int generation : new int[] {-1, 5}) {
            TxnOffsetCommitRequestData request = new TxnOffsetCommitRequestData().setTransactionalId("rep-txn")
                    .setGroupId("rep-txn-commit").setProducerId(producerId).setProducerEpoch(producerEpoch);
            if (version >= 3) {
                request.setGenerationIdOrMemberEpoch(generation).setMemberId(generation < 0 ? "" : "member");
            }
            TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic orders =
                    new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic();
            TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic missing =
                    new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic();
            if (version >= 6) {
                orders.setTopicId(ordersId);
                missing.setTopicId(new UUID(7, 7));
            } else {
                orders.setName("orders");
                missing.setName("missing");
            }
            orders.partitions().add(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition()
                    .setPartitionIndex(0).setCommittedOffset(1).setCommittedMetadata("meta"));
            missing.partitions().add(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition()
                    .setPartitionIndex(0).setCommittedOffset(1));
            request.topics().add(orders);
            request.topics().add(missing);
            requests.add(request);
            if (version < 3) {
                break; // no group metadata before v3
            }
        }
        return requests;
    }

    private List<ApiMessage> offsetFetch(short version) {
        List<ApiMessage> requests = new ArrayList<>();
        if (version < 8) {
            requests.add(new OffsetFetchRequestData().setGroupId("rep-commit").setTopics(new ArrayList<>(List.of(
                    new OffsetFetchRequestData.OffsetFetchRequestTopic().setName("orders")
                            .setPartitionIndexes(list(0, 1))))));
            if (version >= 2) {
                requests.add(new OffsetFetchRequestData().setGroupId("rep-commit").setTopics(null)
                        .setRequireStable(version >= 7));
            }
            return requests;
        }
        OffsetFetchRequestData.OffsetFetchRequestTopics orders = new OffsetFetchRequestData.OffsetFetchRequestTopics()
                .setPartitionIndexes(list(0, 1));
        if (version >= 10) {
            orders.setTopicId(ordersId);
        } else {
            orders.setName("orders");
        }
        requests.add(new OffsetFetchRequestData().setRequireStable(true).setGroups(new ArrayList<>(List.of(
                new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("rep-commit")
                        .setTopics(new ArrayList<>(List.of(orders))),
                new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("other-group").setTopics(null),
                new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("rep-group").setTopics(null)))));
        return requests;
    }

    private List<ApiMessage> offsetDelete(short version) {
        OffsetDeleteRequestData request = new OffsetDeleteRequestData().setGroupId("rep-commit");
        request.topics().add(new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName("orders")
                .setPartitions(new ArrayList<>(List.of(
                        new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(2)))));
        request.topics().add(new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName("missing")
                .setPartitions(new ArrayList<>(List.of(
                        new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(0)))));
        return List.of(request, new OffsetDeleteRequestData().setGroupId("missing-group"));
    }

    private List<ApiMessage> listGroups(short version) {
        ListGroupsRequestData filtered = new ListGroupsRequestData();
        if (version >= 4) {
            filtered.setStatesFilter(list("Empty", "Stable"));
        }
        if (version >= 5) {
            filtered.setTypesFilter(list("classic"));
        }
        return List.of(new ListGroupsRequestData(), filtered);
    }

    private List<ApiMessage> describeGroups(short version) {
        return List.of(new DescribeGroupsRequestData().setGroups(list("rep-commit", "rep-join-v0", "missing-group"))
                .setIncludeAuthorizedOperations(version >= 3));
    }

    private List<ApiMessage> deleteGroups(short version) {
        return List.of(new DeleteGroupsRequestData().setGroupsNames(list("rep-join-bad", "missing-group", "")));
    }

    /**
     * A KIP-848 member joins a group of its own subscribing to orders (v0 leaves the member id to the coordinator;
     * from v1 the client names it) and, from v1, leaves it; a join without a group id is INVALID_REQUEST.
     */
    private List<ApiMessage> consumerGroupHeartbeat(short version) {
        String groupId = "rep-consumer-v" + version;
        String memberId = version >= 1 ? "rep-member-v" + version : "";
        ConsumerGroupHeartbeatRequestData join = new ConsumerGroupHeartbeatRequestData().setGroupId(groupId)
                .setMemberId(memberId).setMemberEpoch(0).setRebalanceTimeoutMs(30_000)
                .setSubscribedTopicNames(list("orders")).setTopicPartitions(new ArrayList<>());
        ConsumerGroupHeartbeatRequestData invalid = new ConsumerGroupHeartbeatRequestData().setGroupId("")
                .setMemberId(memberId).setMemberEpoch(0).setRebalanceTimeoutMs(30_000)
                .setSubscribedTopicNames(list("orders")).setTopicPartitions(new ArrayList<>());
        if (version == 0) {
            return List.of(join, invalid);
        }
        ConsumerGroupHeartbeatRequestData leave = new ConsumerGroupHeartbeatRequestData().setGroupId(groupId)
                .setMemberId(memberId).setMemberEpoch(-1);
        return List.of(join, invalid, leave);
    }

    /** The groups the heartbeats made, a classic group, a missing one and an invalid id, across shards. */
    private List<ApiMessage> consumerGroupDescribe(short version) {
        return List.of(new ConsumerGroupDescribeRequestData().setGroupIds(list("rep-consumer-v0", "rep-consumer-v1",
                "rep-commit", "missing-group", "")).setIncludeAuthorizedOperations(true));
    }
}
