package io.fjord.broker.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.network.Principal;
import io.fjord.broker.network.RequestContext;
import io.fjord.broker.security.authorizer.TestAuthorizer;
import io.fjord.metadata.acl.AclOperation;
import io.fjord.metadata.acl.AclResourceType;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.CreateTopicsRequestData;
import io.fjord.protocol.message.CreateTopicsResponseData;
import io.fjord.protocol.message.ElectLeadersRequestData;
import io.fjord.protocol.message.ElectLeadersResponseData;
import io.fjord.protocol.message.InitProducerIdRequestData;
import io.fjord.protocol.message.InitProducerIdResponseData;
import io.fjord.protocol.message.JoinGroupRequestData;
import io.fjord.protocol.message.JoinGroupResponseData;
import io.fjord.protocol.message.MetadataRequestData;
import io.fjord.protocol.message.MetadataResponseData;
import io.fjord.protocol.message.OffsetCommitRequestData;
import io.fjord.protocol.message.OffsetCommitResponseData;
import io.fjord.protocol.message.ProduceRequestData;
import io.fjord.protocol.message.ProduceResponseData;
import io.fjord.protocol.message.WriteTxnMarkersRequestData;
import io.fjord.protocol.message.WriteTxnMarkersResponseData;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Each family's checks against a {@link TestAuthorizer}: the inner handler (a recorder) sees only what was allowed,
 * and the denied part comes back with Kafka's error code.
 */
class AuthorizingHandlersTest {
    private static final String ALICE = "User:alice";
    private static final RequestContext CONTEXT = new RequestContext(1, "PLAINTEXT",
            new InetSocketAddress("127.0.0.1", 5000), 0, Principal.user("alice"));

    private final TestAuthorizer authorizer = new TestAuthorizer();
    private final AtomicReference<ApiMessage> seen = new AtomicReference<>();
    private final MetadataCache cache = new MetadataCache("cluster", 1, imageWith("known"));

    private static MetadataImage imageWith(String topic) {
        TreeMap<Integer, PartitionImage> partitions = new TreeMap<>();
        partitions.put(0, new PartitionImage(0, List.of(1), List.of(1), 1, 0, 0));
        TopicImage image = new TopicImage(topic, UUID.randomUUID(), partitions);
        return new MetadataImage(1, Map.of(), Map.of(topic, image), Map.of(image.topicId(), image), Map.of(),
                Map.of(), 0);
    }

    /** The API's handler, wrapped, over an inner handler that records its request and answers {@code answer}. */
    private ApiHandler wrapped(ApiKey api, ApiMessage answer) {
        Map<ApiKey, ApiHandler> handlers = new EnumMap<>(ApiKey.class);
        handlers.put(api, (context, request) -> {
            seen.set(request.body());
            return CompletableFuture.completedFuture(answer);
        });
        return AuthorizingHandlers.wrap(handlers, authorizer, cache).get(api);
    }

    private static ApiMessage call(ApiHandler handler, ApiKey api, int version, ApiMessage body) {
        return handler.handle(CONTEXT, new DecodedRequest(api, (short) version, 1, "client", (short) 2, body, 0))
                .toCompletableFuture().join();
    }

    private static ProduceRequestData.TopicProduceData produceTopic(String name) {
        return new ProduceRequestData.TopicProduceData().setName(name).setPartitionData(new ArrayList<>(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(0))));
    }

    @Test
    void produceAppendsOnlyToTopicsThePrincipalMayWrite() {
        authorizer.allow(ALICE, AclOperation.WRITE, AclResourceType.TOPIC, "allowed");
        ProduceResponseData inner = new ProduceResponseData();
        inner.responses().add(new ProduceResponseData.TopicProduceResponse().setName("allowed"));
        ProduceRequestData request = new ProduceRequestData().setAcks((short) 1)
                .setTopicData(new ArrayList<>(List.of(produceTopic("allowed"), produceTopic("denied"))));

        ProduceResponseData response = (ProduceResponseData) call(wrapped(ApiKey.PRODUCE, inner), ApiKey.PRODUCE,
                9, request);

        assertThat(((ProduceRequestData) seen.get()).topicData()).extracting(ProduceRequestData
                .TopicProduceData::name).containsExactly("allowed");
        assertThat(response.responses()).extracting(ProduceResponseData.TopicProduceResponse::name)
                .containsExactly("allowed", "denied");
        assertThat(response.responses().get(1).partitionResponses().get(0).errorCode())
                .isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
    }

    @Test
    void transactionalProduceWithoutWriteOnTheTransactionalIdFailsWhole() {
        authorizer.allow(ALICE, AclOperation.WRITE, AclResourceType.TOPIC, "allowed");
        ProduceRequestData request = new ProduceRequestData().setAcks((short) -1).setTransactionalId("tx")
                .setTopicData(new ArrayList<>(List.of(produceTopic("allowed"))));

        ProduceResponseData response = (ProduceResponseData) call(wrapped(ApiKey.PRODUCE, new ProduceResponseData()),
                ApiKey.PRODUCE, 9, request);

        assertThat(seen.get()).isNull();
        assertThat(response.responses().get(0).partitionResponses().get(0).errorCode())
                .isEqualTo(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code());
    }

    @Test
    void metadataOfAllTopicsLeavesOutTopicsThePrincipalMayNotDescribe() {
        authorizer.allow(ALICE, AclOperation.DESCRIBE, AclResourceType.TOPIC, "visible");
        MetadataResponseData inner = new MetadataResponseData();
        inner.topics().add(new MetadataResponseData.MetadataResponseTopic().setName("visible"));
        inner.topics().add(new MetadataResponseData.MetadataResponseTopic().setName("hidden"));

        MetadataResponseData response = (MetadataResponseData) call(wrapped(ApiKey.METADATA, inner),
                ApiKey.METADATA, 12, new MetadataRequestData().setTopics(null)
                        .setIncludeTopicAuthorizedOperations(true));

        assertThat(response.topics()).extracting(MetadataResponseData.MetadataResponseTopic::name)
                .containsExactly("visible");
        assertThat(response.topics().get(0).topicAuthorizedOperations()).isEqualTo(1 << 8);
    }

    @Test
    void metadataOfANamedTopicWithoutDescribeOrAutoCreationWithoutCreateIsTopicAuthorizationFailed() {
        authorizer.allow(ALICE, AclOperation.DESCRIBE, AclResourceType.TOPIC, "known")
                .allow(ALICE, AclOperation.DESCRIBE, AclResourceType.TOPIC, "new");
        MetadataResponseData inner = new MetadataResponseData();
        inner.topics().add(new MetadataResponseData.MetadataResponseTopic().setName("known"));
        MetadataRequestData request = new MetadataRequestData().setAllowAutoTopicCreation(true)
                .setTopics(new ArrayList<>(List.of(new MetadataRequestData.MetadataRequestTopic().setName("known"),
                        new MetadataRequestData.MetadataRequestTopic().setName("secret"),
                        new MetadataRequestData.MetadataRequestTopic().setName("new"))));

        MetadataResponseData response = (MetadataResponseData) call(wrapped(ApiKey.METADATA, inner),
                ApiKey.METADATA, 12, request);

        // Only "known" reaches the handler: "secret" may not be described, "new" may not be auto-created.
        assertThat(((MetadataRequestData) seen.get()).topics()).extracting(MetadataRequestData
                .MetadataRequestTopic::name).containsExactly("known");
        assertThat(response.topics()).extracting(MetadataResponseData.MetadataResponseTopic::name,
                MetadataResponseData.MetadataResponseTopic::errorCode).containsExactly(
                org.assertj.core.groups.Tuple.tuple("known", (short) 0),
                org.assertj.core.groups.Tuple.tuple("secret", Errors.TOPIC_AUTHORIZATION_FAILED.code()),
                org.assertj.core.groups.Tuple.tuple("new", Errors.TOPIC_AUTHORIZATION_FAILED.code()));
    }

    @Test
    void createTopicsNeedsCreateOnTheClusterOrTheTopic() {
        authorizer.allow(ALICE, AclOperation.CREATE, AclResourceType.TOPIC, "mine");
        CreateTopicsRequestData request = new CreateTopicsRequestData().setTopics(new ArrayList<>(List.of(
                new CreateTopicsRequestData.CreatableTopic().setName("mine"),
                new CreateTopicsRequestData.CreatableTopic().setName("theirs"))));

        CreateTopicsResponseData response = (CreateTopicsResponseData) call(wrapped(ApiKey.CREATE_TOPICS,
                new CreateTopicsResponseData()), ApiKey.CREATE_TOPICS, 7, request);

        assertThat(((CreateTopicsRequestData) seen.get()).topics()).extracting(CreateTopicsRequestData
                .CreatableTopic::name).containsExactly("mine");
        assertThat(response.topics()).singleElement().satisfies(topic -> {
            assertThat(topic.name()).isEqualTo("theirs");
            assertThat(topic.errorCode()).isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
        });

        authorizer.allow(ALICE, AclOperation.CREATE, AclResourceType.CLUSTER, AclResourceType.CLUSTER_NAME);
        request.topics().add(new CreateTopicsRequestData.CreatableTopic().setName("theirs"));
        call(wrapped(ApiKey.CREATE_TOPICS, new CreateTopicsResponseData()), ApiKey.CREATE_TOPICS, 7, request);
        assertThat(((CreateTopicsRequestData) seen.get()).topics()).hasSize(2);
    }

    @Test
    void aClientMayNotWriteTransactionMarkers() {
        WriteTxnMarkersRequestData request = new WriteTxnMarkersRequestData();
        request.markers().add(new WriteTxnMarkersRequestData.WritableTxnMarker().setProducerId(7)
                .setTopics(new ArrayList<>(List.of(new WriteTxnMarkersRequestData.WritableTxnMarkerTopic()
                        .setName("t").setPartitionIndexes(new ArrayList<>(List.of(0, 1)))))));

        WriteTxnMarkersResponseData response = (WriteTxnMarkersResponseData) call(wrapped(
                ApiKey.WRITE_TXN_MARKERS, new WriteTxnMarkersResponseData()), ApiKey.WRITE_TXN_MARKERS, 1, request);

        assertThat(seen.get()).isNull();
        assertThat(response.markers().get(0).topics().get(0).partitions())
                .allSatisfy(partition -> assertThat(partition.errorCode())
                        .isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code()));
    }

    @Test
    void electLeadersNeedsAlterOnTheCluster() {
        ElectLeadersRequestData request = new ElectLeadersRequestData().setTopicPartitions(new ArrayList<>(List.of(
                new ElectLeadersRequestData.TopicPartitions().setTopic("t")
                        .setPartitions(new ArrayList<>(List.of(0))))));

        ElectLeadersResponseData response = (ElectLeadersResponseData) call(wrapped(ApiKey.ELECT_LEADERS,
                new ElectLeadersResponseData()), ApiKey.ELECT_LEADERS, 2, request);

        assertThat(seen.get()).isNull();
        assertThat(response.errorCode()).isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code());
        assertThat(response.replicaElectionResults().get(0).partitionResult().get(0).errorCode())
                .isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code());
    }

    @Test
    void joinGroupNeedsReadOnTheGroup() {
        JoinGroupResponseData response = (JoinGroupResponseData) call(wrapped(ApiKey.JOIN_GROUP,
                new JoinGroupResponseData()), ApiKey.JOIN_GROUP, 9, new JoinGroupRequestData().setGroupId("g"));

        assertThat(seen.get()).isNull();
        assertThat(response.errorCode()).isEqualTo(Errors.GROUP_AUTHORIZATION_FAILED.code());
    }

    @Test
    void offsetCommitNeedsReadOnTheGroupAndOnEachTopic() {
        authorizer.allow(ALICE, AclOperation.READ, AclResourceType.GROUP, "g")
                .allow(ALICE, AclOperation.READ, AclResourceType.TOPIC, "mine");
        OffsetCommitRequestData request = new OffsetCommitRequestData().setGroupId("g").setTopics(new ArrayList<>(
                List.of(commitTopic("mine"), commitTopic("theirs"))));

        OffsetCommitResponseData response = (OffsetCommitResponseData) call(wrapped(ApiKey.OFFSET_COMMIT,
                new OffsetCommitResponseData()), ApiKey.OFFSET_COMMIT, 9, request);

        assertThat(((OffsetCommitRequestData) seen.get()).topics()).extracting(OffsetCommitRequestData
                .OffsetCommitRequestTopic::name).containsExactly("mine");
        assertThat(response.topics()).singleElement().satisfies(topic -> assertThat(topic.partitions().get(0)
                .errorCode()).isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code()));
    }

    private static OffsetCommitRequestData.OffsetCommitRequestTopic commitTopic(String name) {
        return new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(name).setPartitions(new ArrayList<>(
                List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0))));
    }

    @Test
    void anIdempotentProducerNeedsIdempotentWriteOrWriteOnSomeTopic() {
        ApiHandler handler = wrapped(ApiKey.INIT_PRODUCER_ID, new InitProducerIdResponseData());
        InitProducerIdRequestData request = new InitProducerIdRequestData().setTransactionalId(null);

        assertThat(((InitProducerIdResponseData) call(handler, ApiKey.INIT_PRODUCER_ID, 4, request)).errorCode())
                .isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code());
        assertThat(seen.get()).isNull();

        authorizer.allow(ALICE, AclOperation.WRITE, AclResourceType.TOPIC, "any");
        assertThat(((InitProducerIdResponseData) call(handler, ApiKey.INIT_PRODUCER_ID, 4, request)).errorCode())
                .isZero();
        assertThat(seen.get()).isSameAs(request);
    }
}
