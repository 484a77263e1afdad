package io.fjord.broker.handlers;

import static io.fjord.broker.handlers.AuthorizationFixture.ALICE;
import static io.fjord.broker.handlers.AuthorizationFixture.call;
import static io.fjord.broker.handlers.AuthorizationFixture.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.fjord.broker.network.ConnectionCloseRequest;
import io.fjord.metadata.acl.AclOperation;
import io.fjord.metadata.acl.AclResourceType;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.DeleteTopicsRequestData;
import io.fjord.protocol.message.DeleteTopicsResponseData;
import io.fjord.protocol.message.ProduceRequestData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** DeleteTopics as Kafka's controller checks it, and a denied acks=0 Produce, against a test authorizer. */
class TopicAndProduceAuthorizationTest {
    private static final UUID KNOWN_ID = UUID.randomUUID();
    private static final UUID SECRET_ID = UUID.randomUUID();
    private static final UUID MINE_ID = UUID.randomUUID();

    private final AuthorizationFixture fixture = new AuthorizationFixture(Map.of("known", KNOWN_ID,
            "secret", SECRET_ID, "mine", MINE_ID));

    @Test
    void deleteTopicsByNameAnswersUnknownTopicOnlyToAPrincipalThatMayDescribeIt() {
        fixture.authorizer.allow(ALICE, AclOperation.DESCRIBE, AclResourceType.TOPIC, "ghost")
                .allow(ALICE, AclOperation.DESCRIBE, AclResourceType.TOPIC, "known")
                .allow(ALICE, AclOperation.DELETE, AclResourceType.TOPIC, "mine")
                .allow(ALICE, AclOperation.DESCRIBE, AclResourceType.TOPIC, "mine");
        DeleteTopicsRequestData request = new DeleteTopicsRequestData().setTopicNames(new ArrayList<>(List.of(
                "ghost", "phantom", "known", "secret", "mine")));

        DeleteTopicsResponseData response = (DeleteTopicsResponseData) call(fixture.wrapped(ApiKey.DELETE_TOPICS,
                new DeleteTopicsResponseData()), ApiKey.DELETE_TOPICS, 5, request);

        assertThat(((DeleteTopicsRequestData) fixture.seen.get()).topicNames()).containsExactly("mine");
        // ghost: describable and unknown; phantom: unknown but not describable; known: describable, not deletable.
        assertThat(response.responses()).extracting(DeleteTopicsResponseData.DeletableTopicResult::name,
                DeleteTopicsResponseData.DeletableTopicResult::errorCode).containsExactly(
                tuple("ghost", Errors.UNKNOWN_TOPIC_OR_PARTITION.code()),
                tuple("phantom", Errors.TOPIC_AUTHORIZATION_FAILED.code()),
                tuple("known", Errors.TOPIC_AUTHORIZATION_FAILED.code()),
                tuple("secret", Errors.TOPIC_AUTHORIZATION_FAILED.code()));
    }

    @Test
    void deleteTopicsByIdIsCheckedByTheTopicsNameWhichOnlyADescriberLearns() {
        fixture.authorizer.allow(ALICE, AclOperation.DESCRIBE, AclResourceType.TOPIC, "known")
                .allow(ALICE, AclOperation.DELETE, AclResourceType.TOPIC, "mine");
        UUID unknownId = UUID.randomUUID();
        DeleteTopicsRequestData request = new DeleteTopicsRequestData();
        for (UUID id : List.of(KNOWN_ID, SECRET_ID, unknownId, MINE_ID)) {
            request.topics().add(new DeleteTopicsRequestData.DeleteTopicState().setName(null).setTopicId(id));
        }

        DeleteTopicsResponseData response = (DeleteTopicsResponseData) call(fixture.wrapped(ApiKey.DELETE_TOPICS,
                new DeleteTopicsResponseData()), ApiKey.DELETE_TOPICS, 6, request);

        assertThat(((DeleteTopicsRequestData) fixture.seen.get()).topics())
                .extracting(DeleteTopicsRequestData.DeleteTopicState::topicId).containsExactly(MINE_ID);
        assertThat(response.responses()).extracting(DeleteTopicsResponseData.DeletableTopicResult::topicId,
                DeleteTopicsResponseData.DeletableTopicResult::name,
                DeleteTopicsResponseData.DeletableTopicResult::errorCode).containsExactly(
                tuple(KNOWN_ID, "known", Errors.TOPIC_AUTHORIZATION_FAILED.code()),
                tuple(SECRET_ID, null, Errors.TOPIC_AUTHORIZATION_FAILED.code()),
                tuple(unknownId, null, Errors.UNKNOWN_TOPIC_ID.code()));
    }

    @Test
    void deleteOnTheClusterDeletesAnyTopic() {
        fixture.authorizer.allow(ALICE, AclOperation.DELETE, AclResourceType.CLUSTER, AclResourceType.CLUSTER_NAME);
        DeleteTopicsRequestData request = new DeleteTopicsRequestData().setTopicNames(new ArrayList<>(List.of(
                "secret", "ghost")));

        call(fixture.wrapped(ApiKey.DELETE_TOPICS, new DeleteTopicsResponseData()), ApiKey.DELETE_TOPICS, 5,
                request);

        assertThat(((DeleteTopicsRequestData) fixture.seen.get()).topicNames()).containsExactly("secret", "ghost");
    }

    private static ProduceRequestData.TopicProduceData produceTopic(String name) {
        return new ProduceRequestData.TopicProduceData().setName(name).setPartitionData(new ArrayList<>(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(0))));
    }

    @Test
    void aDeniedProduceWithAcksZeroClosesTheConnectionInsteadOfAnswering() {
        ProduceRequestData request = new ProduceRequestData().setAcks((short) 0)
                .setTopicData(new ArrayList<>(List.of(produceTopic("secret"))));

        CompletableFuture<?> answered = send(fixture.wrapped(ApiKey.PRODUCE, (ApiMessage) null),
                ApiKey.PRODUCE, 9, request);

        assertThat(fixture.seen.get()).isNull();
        assertThat(answered).isCompletedExceptionally();
        assertThat(answered.handle((response, error) -> error).join())
                .isInstanceOf(ConnectionCloseRequest.class).hasMessageContaining("secret");
    }

    @Test
    void aPartlyDeniedProduceWithAcksZeroAppendsTheAllowedTopicsThenClosesTheConnection() {
        fixture.authorizer.allow(ALICE, AclOperation.WRITE, AclResourceType.TOPIC, "mine");
        ProduceRequestData request = new ProduceRequestData().setAcks((short) 0)
                .setTopicData(new ArrayList<>(List.of(produceTopic("mine"), produceTopic("secret"))));

        CompletableFuture<?> answered = send(fixture.wrapped(ApiKey.PRODUCE, (ApiMessage) null),
                ApiKey.PRODUCE, 9, request);

        assertThat(((ProduceRequestData) fixture.seen.get()).topicData())
                .extracting(ProduceRequestData.TopicProduceData::name).containsExactly("mine");
        Throwable error = answered.handle((response, failure) -> failure).join();
        assertThat(error).isNotNull();
        assertThat(error.getCause() != null ? error.getCause() : error).isInstanceOf(ConnectionCloseRequest.class);
    }
}
