package io.fjord.broker.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.network.RequestContext;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.MetadataRequestData;
import io.fjord.protocol.message.MetadataResponseData;
import java.nio.file.Path;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.CreateTopicsRequestData;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetadataHandlerTest {
    private static final RequestContext CONTEXT = new RequestContext(1, "PLAINTEXT", null, 0);

    @TempDir
    Path directory;

    private HandlerFixture fixture;

    @BeforeEach
    void topics() {
        fixture = new HandlerFixture(directory);
        fixture.broker(HandlerFixture.NODE_ID, false, "PLAINTEXT");
        fixture.topic("orders", 2);
        fixture.topic("alpha", 1);
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    private MetadataResponseData send(MetadataRequestData request, short version) throws Exception {
        MetadataHandler handler = new MetadataHandler(fixture.cache(), false,
                creation -> CompletableFuture.completedFuture(null));
        return (MetadataResponseData) handler.handle(CONTEXT, new DecodedRequest(ApiKey.METADATA, version, 1, "test",
                (short) 1, request, 0)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /**
     * Found by the protocol fuzzer (seed 3): v10-11 carry topic ids and nullable names in requests but not in
     * responses, so a null name used to reach the encoder (NullPointerException, closed connection). Kafka refuses
     * such a request: every topic INVALID_REQUEST, a null name answered as "".
     */
    @Test
    void topicIdsOrNullNamesBeforeVersion12AreAnInvalidRequestAsInKafka() throws Exception {
        java.util.UUID someId = new java.util.UUID(7, 7);
        for (short version = 10; version <= 11; version++) {
            MetadataResponseData response = send(new MetadataRequestData().setTopics(new ArrayList<>(List.of(
                    new MetadataRequestData.MetadataRequestTopic().setName(null).setTopicId(someId),
                    new MetadataRequestData.MetadataRequestTopic().setName("orders")))), version);
            assertThat(response.topics()).extracting(topic -> topic.name() + ":" + Errors.forCode(topic.errorCode()))
                    .containsExactly(":INVALID_REQUEST", "orders:INVALID_REQUEST");
            assertThat(response.topics()).allSatisfy(topic -> assertThat(topic.partitions()).isEmpty());
            MetadataResponseData byIdWithName = send(new MetadataRequestData().setTopics(new ArrayList<>(List.of(
                    new MetadataRequestData.MetadataRequestTopic().setName("alpha").setTopicId(someId)))), version);
            assertThat(byIdWithName.topics()).extracting(topic -> topic.name() + ":"
                    + Errors.forCode(topic.errorCode())).containsExactly("alpha:INVALID_REQUEST");
        }
        // Names alone stay valid at those versions.
        assertThat(send(new MetadataRequestData().setTopics(new ArrayList<>(List.of(
                new MetadataRequestData.MetadataRequestTopic().setName("orders")))), (short) 11).topics())
                .extracting(topic -> Errors.forCode(topic.errorCode())).containsExactly(Errors.NONE);
    }

    @Test
    void anEmptyTopicListAtVersionZeroAsksForEveryTopicAsInKafka() throws Exception {
        MetadataResponseData response = send(new MetadataRequestData().setTopics(new ArrayList<>()), (short) 0);
        assertThat(response.topics()).extracting(MetadataResponseData.MetadataResponseTopic::name)
                .containsExactly("alpha", "orders");
    }

    @Test
    void anEmptyTopicListFromVersionOneAsksForNone() throws Exception {
        assertThat(send(new MetadataRequestData().setTopics(new ArrayList<>()), (short) 1).topics()).isEmpty();
        assertThat(send(new MetadataRequestData().setTopics(null), (short) 1).topics()).hasSize(2);
    }

    @Test
    void autoCreationMakesAnInternalTopicOnlyWithTheSettingsItsCoordinatorGives() throws Exception {
        List<CreateTopicsRequestData> creations = new ArrayList<>();
        MetadataHandler handler = new MetadataHandler(fixture.cache(), true, creation -> {
            creations.add(creation);
            return CompletableFuture.completedFuture(null);
        }, name -> name.equals("__consumer_offsets") ? Optional.of(new CreateTopicsRequestData.CreatableTopic()
                .setName(name).setNumPartitions(50).setReplicationFactor((short) 1)) : Optional.empty());
        MetadataRequestData request = new MetadataRequestData().setAllowAutoTopicCreation(true).setTopics(
                new ArrayList<>(List.of(new MetadataRequestData.MetadataRequestTopic().setName("__consumer_offsets"),
                        new MetadataRequestData.MetadataRequestTopic().setName("__transaction_state"),
                        new MetadataRequestData.MetadataRequestTopic().setName("fresh"))));
        MetadataResponseData response = (MetadataResponseData) handler.handle(CONTEXT, new DecodedRequest(
                ApiKey.METADATA, (short) 12, 1, "test", (short) 2, request, 0)).toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        assertThat(response.topics()).extracting(topic -> topic.name() + ":" + Errors.forCode(topic.errorCode()))
                .containsExactly("__consumer_offsets:LEADER_NOT_AVAILABLE",
                        "__transaction_state:UNKNOWN_TOPIC_OR_PARTITION", "fresh:LEADER_NOT_AVAILABLE");
        assertThat(creations).hasSize(1);
        assertThat(creations.get(0).topics()).extracting(topic -> topic.name() + "/" + topic.numPartitions())
                .containsExactly("__consumer_offsets/50", "fresh/-1");
    }

    @Test
    void topicIdsFromVersion12AreLookedUpByIdWithTheEmptyNamesKafkaClientsSendIgnored() throws Exception {
        java.util.UUID ordersId = fixture.cache().image().topic("orders").orElseThrow().topicId();
        java.util.UUID unknownId = new java.util.UUID(7, 7);
        // Kafka's MetadataRequest.Builder.forTopicIds leaves each name at its default, "".
        MetadataRequestData request = new MetadataRequestData().setTopics(new ArrayList<>(List.of(
                new MetadataRequestData.MetadataRequestTopic().setTopicId(ordersId),
                new MetadataRequestData.MetadataRequestTopic().setTopicId(unknownId),
                new MetadataRequestData.MetadataRequestTopic().setTopicId(ordersId))));
        MetadataResponseData response = send(request, (short) 12);
        assertThat(response.topics()).extracting(topic -> topic.name() + ":" + topic.topicId() + ":"
                + Errors.forCode(topic.errorCode())).containsExactly("orders:" + ordersId + ":NONE",
                        "null:" + unknownId + ":UNKNOWN_TOPIC_ID");
        assertThat(response.topics().get(0).partitions()).hasSize(2);
    }
}
