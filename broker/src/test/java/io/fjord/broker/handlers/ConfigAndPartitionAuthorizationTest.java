package io.fjord.broker.handlers;

import static io.fjord.broker.handlers.AuthorizationFixture.ALICE;
import static io.fjord.broker.handlers.AuthorizationFixture.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.fjord.metadata.acl.AclOperation;
import io.fjord.metadata.acl.AclResourceType;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.AlterConfigsRequestData;
import io.fjord.protocol.message.AlterConfigsResponseData;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.DeleteRecordsRequestData;
import io.fjord.protocol.message.DeleteRecordsResponseData;
import io.fjord.protocol.message.DescribeClientQuotasRequestData;
import io.fjord.protocol.message.DescribeClientQuotasResponseData;
import io.fjord.protocol.message.DescribeConfigsRequestData;
import io.fjord.protocol.message.DescribeConfigsResponseData;
import io.fjord.protocol.message.DescribeProducersRequestData;
import io.fjord.protocol.message.DescribeProducersResponseData;
import io.fjord.protocol.message.FindCoordinatorRequestData;
import io.fjord.protocol.message.FindCoordinatorResponseData;
import io.fjord.protocol.message.IncrementalAlterConfigsRequestData;
import io.fjord.protocol.message.IncrementalAlterConfigsResponseData;
import io.fjord.protocol.message.ListOffsetsRequestData;
import io.fjord.protocol.message.ListOffsetsResponseData;
import io.fjord.protocol.message.OffsetDeleteRequestData;
import io.fjord.protocol.message.OffsetDeleteResponseData;
import io.fjord.protocol.message.OffsetForLeaderEpochRequestData;
import io.fjord.protocol.message.OffsetForLeaderEpochResponseData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The checks of the config APIs, the partition APIs (ListOffsets, OffsetForLeaderEpoch, DeleteRecords,
 * DescribeProducers), OffsetDelete and FindCoordinator against a test authorizer: the inner handler sees only what was
 * allowed, and the denied part comes back with Kafka's error code in the request's place.
 */
class ConfigAndPartitionAuthorizationTest {
    private static final byte TOPIC = 2;
    private static final byte BROKER = 4;
    private static final byte BROKER_LOGGER = 8;
    private static final byte GROUP = 32;

    private final AuthorizationFixture fixture = new AuthorizationFixture(Map.of());

    private static DescribeConfigsRequestData.DescribeConfigsResource describe(byte type, String name) {
        return new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType(type).setResourceName(name);
    }

    /** An inner DescribeConfigs handler answering each resource it gets, in order, without error. */
    private static CompletableFuture<ApiMessage> describedAsAsked(ApiMessage body) {
        DescribeConfigsResponseData response = new DescribeConfigsResponseData();
        ((DescribeConfigsRequestData) body).resources().forEach(resource -> response.results().add(
                new DescribeConfigsResponseData.DescribeConfigsResult().setResourceType(resource.resourceType())
                        .setResourceName(resource.resourceName())));
        return CompletableFuture.completedFuture(response);
    }

    @Test
    void describeConfigsNeedsDescribeConfigsOnTheTopicTheGroupOrTheClusterAndAnswersInTheRequestsOrder() {
        fixture.authorizer.allow(ALICE, AclOperation.DESCRIBE_CONFIGS, AclResourceType.TOPIC, "mine");
        DescribeConfigsRequestData request = new DescribeConfigsRequestData().setResources(new ArrayList<>(List.of(
                describe(TOPIC, "theirs"), describe(TOPIC, "mine"), describe(BROKER, "1"),
                describe(BROKER_LOGGER, "1"), describe(GROUP, "g"))));

        DescribeConfigsResponseData response = (DescribeConfigsResponseData) call(fixture.wrapped(
                ApiKey.DESCRIBE_CONFIGS, ConfigAndPartitionAuthorizationTest::describedAsAsked),
                ApiKey.DESCRIBE_CONFIGS, 4, request);

        assertThat(((DescribeConfigsRequestData) fixture.seen.get()).resources())
                .extracting(DescribeConfigsRequestData.DescribeConfigsResource::resourceName).containsExactly("mine");
        assertThat(response.results()).extracting(DescribeConfigsResponseData.DescribeConfigsResult::resourceName,
                DescribeConfigsResponseData.DescribeConfigsResult::errorCode).containsExactly(
                tuple("theirs", Errors.TOPIC_AUTHORIZATION_FAILED.code()), tuple("mine", (short) 0),
                tuple("1", Errors.CLUSTER_AUTHORIZATION_FAILED.code()),
                tuple("1", Errors.CLUSTER_AUTHORIZATION_FAILED.code()),
                tuple("g", Errors.GROUP_AUTHORIZATION_FAILED.code()));
        assertThat(response.results().get(0).configs()).isEmpty();

        fixture.authorizer.allow(ALICE, AclOperation.DESCRIBE_CONFIGS, AclResourceType.CLUSTER,
                AclResourceType.CLUSTER_NAME);
        request.setResources(new ArrayList<>(List.of(describe(BROKER, "1"), describe(BROKER_LOGGER, "1"))));
        call(fixture.wrapped(ApiKey.DESCRIBE_CONFIGS, ConfigAndPartitionAuthorizationTest::describedAsAsked),
                ApiKey.DESCRIBE_CONFIGS, 4, request);
        assertThat(((DescribeConfigsRequestData) fixture.seen.get()).resources()).hasSize(2);
    }

    private static IncrementalAlterConfigsRequestData.AlterConfigsResource alter(byte type, String name) {
        return new IncrementalAlterConfigsRequestData.AlterConfigsResource().setResourceType(type)
                .setResourceName(name);
    }

    @Test
    void incrementalAlterConfigsNeedsAlterConfigsAndLeavesARepeatedResourceToTheHandler() {
        fixture.authorizer.allow(ALICE, AclOperation.ALTER_CONFIGS, AclResourceType.TOPIC, "mine");
        IncrementalAlterConfigsRequestData request = new IncrementalAlterConfigsRequestData().setResources(
                new ArrayList<>(List.of(alter(BROKER_LOGGER, "1"), alter(TOPIC, "mine"), alter(TOPIC, "twice"),
                        alter(TOPIC, "twice"), alter(BROKER, ""))));

        IncrementalAlterConfigsResponseData response = (IncrementalAlterConfigsResponseData) call(fixture.wrapped(
                ApiKey.INCREMENTAL_ALTER_CONFIGS, body -> {
                    IncrementalAlterConfigsResponseData answer = new IncrementalAlterConfigsResponseData();
                    ((IncrementalAlterConfigsRequestData) body).resources().forEach(resource -> answer.responses()
                            .add(new IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse()
                                    .setResourceName(resource.resourceName())));
                    return CompletableFuture.completedFuture(answer);
                }), ApiKey.INCREMENTAL_ALTER_CONFIGS, 1, request);

        // The repeated resource is the handler's INVALID_REQUEST, as Kafka answers it before checking.
        assertThat(((IncrementalAlterConfigsRequestData) fixture.seen.get()).resources())
                .extracting(IncrementalAlterConfigsRequestData.AlterConfigsResource::resourceName)
                .containsExactly("mine", "twice", "twice");
        assertThat(response.responses()).extracting(
                IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse::resourceName,
                IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse::errorCode).containsExactly(
                tuple("1", Errors.CLUSTER_AUTHORIZATION_FAILED.code()), tuple("mine", (short) 0),
                tuple("twice", (short) 0), tuple("twice", (short) 0),
                tuple("", Errors.CLUSTER_AUTHORIZATION_FAILED.code()));
    }

    @Test
    void alterConfigsChecksTopicsAndBrokersButLeavesLoggersToTheHandlersInvalidRequest() {
        AlterConfigsRequestData request = new AlterConfigsRequestData().setResources(new ArrayList<>(List.of(
                new AlterConfigsRequestData.AlterConfigsResource().setResourceType(TOPIC).setResourceName("t"),
                new AlterConfigsRequestData.AlterConfigsResource().setResourceType(BROKER_LOGGER)
                        .setResourceName("1"))));
        AlterConfigsResponseData inner = new AlterConfigsResponseData();
        inner.responses().add(new AlterConfigsResponseData.AlterConfigsResourceResponse().setResourceName("1")
                .setErrorCode(Errors.INVALID_REQUEST.code()));

        AlterConfigsResponseData response = (AlterConfigsResponseData) call(fixture.wrapped(ApiKey.ALTER_CONFIGS,
                inner), ApiKey.ALTER_CONFIGS, 2, request);

        assertThat(response.responses()).extracting(AlterConfigsResponseData.AlterConfigsResourceResponse::resourceName,
                AlterConfigsResponseData.AlterConfigsResourceResponse::errorCode).containsExactly(
                tuple("t", Errors.TOPIC_AUTHORIZATION_FAILED.code()), tuple("1", Errors.INVALID_REQUEST.code()));
    }

    @Test
    void listOffsetsNeedsDescribeOnEachTopic() {
        fixture.authorizer.allow(ALICE, AclOperation.DESCRIBE, AclResourceType.TOPIC, "mine");
        ListOffsetsRequestData request = new ListOffsetsRequestData().setTopics(new ArrayList<>(List.of(
                new ListOffsetsRequestData.ListOffsetsTopic().setName("mine").setPartitions(new ArrayList<>(List.of(
                        new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0)))),
                new ListOffsetsRequestData.ListOffsetsTopic().setName("theirs").setPartitions(new ArrayList<>(
                        List.of(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(3)))))));

        ListOffsetsResponseData response = (ListOffsetsResponseData) call(fixture.wrapped(ApiKey.LIST_OFFSETS,
                new ListOffsetsResponseData()), ApiKey.LIST_OFFSETS, 7, request);

        assertThat(((ListOffsetsRequestData) fixture.seen.get()).topics())
                .extracting(ListOffsetsRequestData.ListOffsetsTopic::name).containsExactly("mine");
        assertThat(response.topics()).singleElement().satisfies(topic -> {
            assertThat(topic.name()).isEqualTo("theirs");
            assertThat(topic.partitions()).extracting(ListOffsetsResponseData.ListOffsetsPartitionResponse
                    ::partitionIndex, ListOffsetsResponseData.ListOffsetsPartitionResponse::errorCode,
                    ListOffsetsResponseData.ListOffsetsPartitionResponse::offset,
                    ListOffsetsResponseData.ListOffsetsPartitionResponse::timestamp)
                    .containsExactly(tuple(3, Errors.TOPIC_AUTHORIZATION_FAILED.code(), -1L, -1L));
        });
    }

    private static OffsetForLeaderEpochRequestData epochRequest(String... topics) {
        OffsetForLeaderEpochRequestData request = new OffsetForLeaderEpochRequestData();
        for (String topic : topics) {
            request.topics().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic(topic)
                    .setPartitions(new ArrayList<>(List.of(new OffsetForLeaderEpochRequestData
                            .OffsetForLeaderPartition().setPartition(0)))));
        }
        return request;
    }

    @Test
    void describeClientQuotasNeedsDescribeConfigsOnTheCluster() {
        DescribeClientQuotasResponseData denied = (DescribeClientQuotasResponseData) call(fixture.wrapped(
                ApiKey.DESCRIBE_CLIENT_QUOTAS, new DescribeClientQuotasResponseData()),
                ApiKey.DESCRIBE_CLIENT_QUOTAS, 1, new DescribeClientQuotasRequestData());
        assertThat(denied.errorCode()).isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code());
        assertThat(fixture.seen.get()).isNull();

        fixture.authorizer.allow(ALICE, AclOperation.DESCRIBE_CONFIGS, AclResourceType.CLUSTER,
                AclResourceType.CLUSTER_NAME);
        DescribeClientQuotasResponseData allowed = (DescribeClientQuotasResponseData) call(fixture.wrapped(
                ApiKey.DESCRIBE_CLIENT_QUOTAS, new DescribeClientQuotasResponseData()),
                ApiKey.DESCRIBE_CLIENT_QUOTAS, 1, new DescribeClientQuotasRequestData());
        assertThat(allowed.errorCode()).isZero();
        assertThat(fixture.seen.get()).isNotNull();
    }

    @Test
    void offsetForLeaderEpochNeedsClusterActionOrElseDescribeOnEachTopic() {
        fixture.authorizer.allow(ALICE, AclOperation.DESCRIBE, AclResourceType.TOPIC, "mine");
        OffsetForLeaderEpochResponseData response = (OffsetForLeaderEpochResponseData) call(fixture.wrapped(
                ApiKey.OFFSET_FOR_LEADER_EPOCH, new OffsetForLeaderEpochResponseData()),
                ApiKey.OFFSET_FOR_LEADER_EPOCH, 4, epochRequest("mine", "theirs"));

        assertThat(((OffsetForLeaderEpochRequestData) fixture.seen.get()).topics())
                .extracting(OffsetForLeaderEpochRequestData.OffsetForLeaderTopic::topic).containsExactly("mine");
        assertThat(response.topics()).singleElement().satisfies(topic -> {
            assertThat(topic.topic()).isEqualTo("theirs");
            assertThat(topic.partitions().get(0).errorCode()).isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
            assertThat(topic.partitions().get(0).endOffset()).isEqualTo(-1);
        });

        fixture.authorizer.allow(ALICE, AclOperation.CLUSTER_ACTION, AclResourceType.CLUSTER,
                AclResourceType.CLUSTER_NAME);
        call(fixture.wrapped(ApiKey.OFFSET_FOR_LEADER_EPOCH, new OffsetForLeaderEpochResponseData()),
                ApiKey.OFFSET_FOR_LEADER_EPOCH, 4, epochRequest("mine", "theirs"));
        assertThat(((OffsetForLeaderEpochRequestData) fixture.seen.get()).topics()).hasSize(2);
    }

    @Test
    void deleteRecordsNeedsDeleteOnEachTopic() {
        fixture.authorizer.allow(ALICE, AclOperation.DESCRIBE, AclResourceType.TOPIC, "t");
        DeleteRecordsRequestData request = new DeleteRecordsRequestData().setTopics(new ArrayList<>(List.of(
                new DeleteRecordsRequestData.DeleteRecordsTopic().setName("t").setPartitions(new ArrayList<>(
                        List.of(new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(1)
                                .setOffset(5)))))));

        DeleteRecordsResponseData response = (DeleteRecordsResponseData) call(fixture.wrapped(
                ApiKey.DELETE_RECORDS, new DeleteRecordsResponseData()), ApiKey.DELETE_RECORDS, 2, request);

        assertThat(((DeleteRecordsRequestData) fixture.seen.get()).topics()).isEmpty();
        assertThat(response.topics().get(0).partitions()).extracting(
                DeleteRecordsResponseData.DeleteRecordsPartitionResult::partitionIndex,
                DeleteRecordsResponseData.DeleteRecordsPartitionResult::errorCode,
                DeleteRecordsResponseData.DeleteRecordsPartitionResult::lowWatermark)
                .containsExactly(tuple(1, Errors.TOPIC_AUTHORIZATION_FAILED.code(), -1L));
    }

    @Test
    void describeProducersNeedsReadOnEachTopicAndKeepsTheRequestsOrder() {
        fixture.authorizer.allow(ALICE, AclOperation.READ, AclResourceType.TOPIC, "mine");
        DescribeProducersRequestData request = new DescribeProducersRequestData().setTopics(new ArrayList<>(List.of(
                new DescribeProducersRequestData.TopicRequest().setName("theirs")
                        .setPartitionIndexes(new ArrayList<>(List.of(0))),
                new DescribeProducersRequestData.TopicRequest().setName("mine")
                        .setPartitionIndexes(new ArrayList<>(List.of(0))),
                new DescribeProducersRequestData.TopicRequest().setName("bad/name")
                        .setPartitionIndexes(new ArrayList<>(List.of(0))))));

        DescribeProducersResponseData response = (DescribeProducersResponseData) call(fixture.wrapped(
                ApiKey.DESCRIBE_PRODUCERS, body -> {
                    DescribeProducersResponseData answer = new DescribeProducersResponseData();
                    ((DescribeProducersRequestData) body).topics().forEach(topic -> answer.topics().add(
                            new DescribeProducersResponseData.TopicResponse().setName(topic.name())));
                    return CompletableFuture.completedFuture(answer);
                }), ApiKey.DESCRIBE_PRODUCERS, 0, request);

        // An invalid name is the handler's INVALID_TOPIC_EXCEPTION, which Kafka answers before checking.
        assertThat(((DescribeProducersRequestData) fixture.seen.get()).topics())
                .extracting(DescribeProducersRequestData.TopicRequest::name).containsExactly("mine", "bad/name");
        assertThat(response.topics()).extracting(DescribeProducersResponseData.TopicResponse::name)
                .containsExactly("theirs", "mine", "bad/name");
        assertThat(response.topics().get(0).partitions().get(0).errorCode())
                .isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
    }

    @Test
    void offsetDeleteNeedsDeleteOnTheGroupAndReadOnEachTopic() {
        OffsetDeleteRequestData request = new OffsetDeleteRequestData().setGroupId("g").setTopics(new ArrayList<>(
                List.of(new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName("mine").setPartitions(
                        new ArrayList<>(List.of(new OffsetDeleteRequestData.OffsetDeleteRequestPartition()))),
                        new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName("theirs").setPartitions(
                                new ArrayList<>(List.of(new OffsetDeleteRequestData.OffsetDeleteRequestPartition()
                                        .setPartitionIndex(2)))))));
        ApiHandler handler = fixture.wrapped(ApiKey.OFFSET_DELETE, new OffsetDeleteResponseData());

        OffsetDeleteResponseData denied = (OffsetDeleteResponseData) call(handler, ApiKey.OFFSET_DELETE, 0, request);
        assertThat(fixture.seen.get()).isNull();
        assertThat(denied.errorCode()).isEqualTo(Errors.GROUP_AUTHORIZATION_FAILED.code());

        fixture.authorizer.allow(ALICE, AclOperation.DELETE, AclResourceType.GROUP, "g")
                .allow(ALICE, AclOperation.READ, AclResourceType.TOPIC, "mine");
        OffsetDeleteResponseData response = (OffsetDeleteResponseData) call(handler, ApiKey.OFFSET_DELETE, 0,
                request);
        assertThat(((OffsetDeleteRequestData) fixture.seen.get()).topics())
                .extracting(OffsetDeleteRequestData.OffsetDeleteRequestTopic::name).containsExactly("mine");
        assertThat(response.errorCode()).isZero();
        assertThat(response.topics()).singleElement().satisfies(topic -> {
            assertThat(topic.name()).isEqualTo("theirs");
            assertThat(topic.partitions()).extracting(OffsetDeleteResponseData.OffsetDeleteResponsePartition
                    ::partitionIndex, OffsetDeleteResponseData.OffsetDeleteResponsePartition::errorCode)
                    .containsExactly(tuple(2, Errors.TOPIC_AUTHORIZATION_FAILED.code()));
        });
    }

    @Test
    void findCoordinatorNeedsDescribeOnTheGroup() {
        FindCoordinatorResponseData response = (FindCoordinatorResponseData) call(fixture.wrapped(
                ApiKey.FIND_COORDINATOR, new FindCoordinatorResponseData()), ApiKey.FIND_COORDINATOR, 3,
                new FindCoordinatorRequestData().setKey("g").setKeyType((byte) 0));

        assertThat(fixture.seen.get()).isNull();
        assertThat(response.errorCode()).isEqualTo(Errors.GROUP_AUTHORIZATION_FAILED.code());
        assertThat(response.nodeId()).isEqualTo(-1);
        assertThat(response.port()).isEqualTo(-1);
    }

    @Test
    void findCoordinatorOfManyTransactionalIdsDeniesEachKeyInItsPlace() {
        fixture.authorizer.allow(ALICE, AclOperation.DESCRIBE, AclResourceType.TRANSACTIONAL_ID, "mine");
        FindCoordinatorRequestData request = new FindCoordinatorRequestData().setKeyType((byte) 1)
                .setCoordinatorKeys(new ArrayList<>(List.of("theirs", "mine")));

        FindCoordinatorResponseData response = (FindCoordinatorResponseData) call(fixture.wrapped(
                ApiKey.FIND_COORDINATOR, body -> {
                    FindCoordinatorResponseData answer = new FindCoordinatorResponseData();
                    ((FindCoordinatorRequestData) body).coordinatorKeys().forEach(key -> answer.coordinators().add(
                            new FindCoordinatorResponseData.Coordinator().setKey(key).setNodeId(1)));
                    return CompletableFuture.completedFuture(answer);
                }), ApiKey.FIND_COORDINATOR, 6, request);

        assertThat(((FindCoordinatorRequestData) fixture.seen.get()).coordinatorKeys()).containsExactly("mine");
        assertThat(response.coordinators()).extracting(FindCoordinatorResponseData.Coordinator::key,
                FindCoordinatorResponseData.Coordinator::errorCode, FindCoordinatorResponseData.Coordinator::nodeId)
                .containsExactly(tuple("theirs", Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code(), -1),
                        tuple("mine", (short) 0, 1));
    }
}
