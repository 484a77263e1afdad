package io.fjord.broker.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.handlers.ApiHandler;
import io.fjord.broker.network.ConnectionThrottle;
import io.fjord.broker.network.Principal;
import io.fjord.broker.network.RequestContext;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.metadata.quota.ClientQuotaEntity;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.CreatePartitionsRequestData;
import io.fjord.protocol.message.CreatePartitionsResponseData;
import io.fjord.protocol.message.CreateTopicsRequestData;
import io.fjord.protocol.message.CreateTopicsResponseData;
import io.fjord.protocol.message.DeleteTopicsRequestData;
import io.fjord.protocol.message.DeleteTopicsResponseData;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ControllerMutationQuotaHandlersTest {
    private static final InstantSource CLOCK = InstantSource.fixed(Instant.ofEpochMilli(50_000));
    private static final UUID EXISTING_ID = new UUID(7, 7);

    private final ClientQuotas quotas = new ClientQuotas(11, 1000);
    private final ConnectionThrottle throttle = new ConnectionThrottle();
    private final RequestContext alice = new RequestContext(1, "PLAINTEXT", new InetSocketAddress(9092), 0,
            Principal.user("alice"), throttle);
    private final ControllerMutationQuotaHandlers handlers = new ControllerMutationQuotaHandlers(
            quotas.controllerMutation(), cache(), () -> 3, CLOCK);
    private final AtomicReference<ApiMessage> forwarded = new AtomicReference<>();

    private static MetadataCache cache() {
        TreeMap<Integer, PartitionImage> partitions = new TreeMap<>();
        for (int partition = 0; partition < 4; partition++) {
            partitions.put(partition, new PartitionImage(partition, List.of(1), List.of(1), 1, 0, 0));
        }
        TopicImage existing = new TopicImage("existing", EXISTING_ID, partitions);
        return new MetadataCache("cluster", 1, new MetadataImage(1, Map.of(), Map.of("existing", existing),
                Map.of(EXISTING_ID, existing), Map.of(), Map.of(), 0));
    }

    private static DecodedRequest request(ApiKey api, int version, ApiMessage body) {
        return new DecodedRequest(api, (short) version, 1, "app", (short) 2, body, 100);
    }

    /** A controller that creates, deletes or grows every topic it gets. */
    private ApiHandler controller() {
        return (context, request) -> {
            forwarded.set(request.body());
            ApiMessage response;
            if (request.body() instanceof CreateTopicsRequestData create) {
                CreateTopicsResponseData created = new CreateTopicsResponseData();
                create.topics().forEach(topic -> created.topics().add(
                        new CreateTopicsResponseData.CreatableTopicResult().setName(topic.name())));
                response = created;
            } else if (request.body() instanceof CreatePartitionsRequestData grow) {
                CreatePartitionsResponseData grown = new CreatePartitionsResponseData();
                grow.topics().forEach(topic -> grown.results().add(
                        new CreatePartitionsResponseData.CreatePartitionsTopicResult().setName(topic.name())));
                response = grown;
            } else {
                DeleteTopicsResponseData deleted = new DeleteTopicsResponseData();
                ((DeleteTopicsRequestData) request.body()).topicNames().forEach(name -> deleted.responses().add(
                        new DeleteTopicsResponseData.DeletableTopicResult().setName(name)));
                response = deleted;
            }
            return CompletableFuture.completedFuture(response);
        };
    }

    private void quota(double partitionsPerSecond) {
        quotas.update(Map.of(ClientQuotaEntity.of("user", "alice"),
                Map.of("controller_mutation_rate", partitionsPerSecond)));
    }

    private static CreateTopicsRequestData.CreatableTopic topic(String name, int partitions) {
        return new CreateTopicsRequestData.CreatableTopic().setName(name).setNumPartitions(partitions)
                .setReplicationFactor((short) 1);
    }

    private CreateTopicsResponseData createTopics(int version, CreateTopicsRequestData.CreatableTopic... topics) {
        CreateTopicsRequestData body = new CreateTopicsRequestData();
        body.topics().addAll(List.of(topics));
        return (CreateTopicsResponseData) handlers.createTopics(controller()).handle(alice,
                request(ApiKey.CREATE_TOPICS, version, body)).toCompletableFuture().join();
    }

    private static Map<String, Short> errors(CreateTopicsResponseData response) {
        Map<String, Short> errors = new TreeMap<>();
        response.topics().forEach(topic -> errors.put(topic.name(), topic.errorCode()));
        return errors;
    }

    @Test
    void aStrictCreateTopicsRefusesTheTopicsPastTheQuotaAndCarriesTheThrottleTime() {
        quota(1.0); // a burst of 10 partitions
        // 8 fit; "b" (default -1: num.partitions 3) is admitted with 2 credits left (-1 after);
        // "c" finds the credits below zero; "existing" is the controller's to refuse and costs nothing.
        CreateTopicsResponseData response = createTopics(6, topic("a", 8), topic("b", -1), topic("c", 1),
                topic("existing", 50));

        assertThat(errors(response)).containsExactlyInAnyOrderEntriesOf(Map.of("a", (short) 0, "b", (short) 0,
                "existing", (short) 0, "c", Errors.THROTTLING_QUOTA_EXCEEDED.code()));
        assertThat(response.topics().stream().filter(topic -> topic.name().equals("c")).findFirst().orElseThrow()
                .errorMessage()).isEqualTo("The throttling quota has been exceeded.");
        assertThat(((CreateTopicsRequestData) forwarded.get()).topics()).extracting(
                CreateTopicsRequestData.CreatableTopic::name).containsExactly("a", "b", "existing");
        // -1 credit at 1/s.
        assertThat(response.throttleTimeMs()).isEqualTo(1_000);
        assertThat(throttle.takeMuteMs()).isEqualTo(1_000);

        // Nothing left: answered here, the controller not asked.
        forwarded.set(null);
        CreateTopicsResponseData refused = createTopics(7, topic("d", 1));
        assertThat(errors(refused)).containsExactly(Map.entry("d", Errors.THROTTLING_QUOTA_EXCEEDED.code()));
        assertThat(forwarded.get()).isNull();
    }

    @Test
    void anOlderCreateTopicsIsAcceptedAndThrottled() {
        quota(1.0);
        CreateTopicsResponseData response = createTopics(5, topic("a", 8), topic("b", 6), topic("c", 1));

        assertThat(errors(response)).containsOnlyKeys("a", "b", "c").allSatisfy((name, error) ->
                assertThat(error).isZero());
        // 10 - 15 = -5 credits at 1/s.
        assertThat(response.throttleTimeMs()).isEqualTo(5_000);
        assertThat(throttle.takeMuteMs()).isEqualTo(5_000);
    }

    @Test
    void withoutAQuotaTheRequestPassesUntouched() {
        CreateTopicsResponseData response = createTopics(7, topic("a", 1_000));
        assertThat(errors(response)).containsExactly(Map.entry("a", (short) 0));
        assertThat(response.throttleTimeMs()).isZero();
        assertThat(throttle.takeMuteMs()).isZero();
    }

    @Test
    void deleteTopicsCountsTheTopicsPartitionsStrictFromVersion5() {
        quota(0.1); // a burst of 1 partition
        DeleteTopicsRequestData first = new DeleteTopicsRequestData().setTopicNames(new ArrayList<>(
                List.of("existing", "unknown")));
        DeleteTopicsResponseData admitted = (DeleteTopicsResponseData) handlers.deleteTopics(controller())
                .handle(alice, request(ApiKey.DELETE_TOPICS, 5, first)).toCompletableFuture().join();
        assertThat(admitted.responses()).allSatisfy(topic -> assertThat(topic.errorCode()).isZero());

        // 1 - 4 = -3 credits: a second deletion is refused for 30 s.
        DeleteTopicsRequestData second = new DeleteTopicsRequestData().setTopicNames(new ArrayList<>(
                List.of("existing")));
        DeleteTopicsResponseData refused = (DeleteTopicsResponseData) handlers.deleteTopics(controller())
                .handle(alice, request(ApiKey.DELETE_TOPICS, 5, second)).toCompletableFuture().join();
        assertThat(refused.responses()).singleElement().satisfies(topic -> {
            assertThat(topic.errorCode()).isEqualTo(Errors.THROTTLING_QUOTA_EXCEEDED.code());
            assertThat(topic.topicId()).isEqualTo(EXISTING_ID);
        });
        assertThat(refused.throttleTimeMs()).isEqualTo(30_000);
    }

    @Test
    void createPartitionsCountsThePartitionsAddedStrictFromVersion3() {
        quota(0.2); // a burst of 2 partitions
        CreatePartitionsRequestData grow = new CreatePartitionsRequestData();
        grow.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("existing").setCount(7));
        CreatePartitionsResponseData admitted = (CreatePartitionsResponseData) handlers.createPartitions(controller())
                .handle(alice, request(ApiKey.CREATE_PARTITIONS, 3, grow)).toCompletableFuture().join();
        assertThat(admitted.results()).singleElement().satisfies(topic -> assertThat(topic.errorCode()).isZero());

        // 2 - 3 = -1 credit: refused for 5 s.
        CreatePartitionsRequestData again = new CreatePartitionsRequestData();
        again.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("existing").setCount(8));
        CreatePartitionsResponseData refused = (CreatePartitionsResponseData) handlers.createPartitions(controller())
                .handle(alice, request(ApiKey.CREATE_PARTITIONS, 3, again)).toCompletableFuture().join();
        assertThat(refused.results()).singleElement().satisfies(topic -> assertThat(topic.errorCode())
                .isEqualTo(Errors.THROTTLING_QUOTA_EXCEEDED.code()));
        assertThat(refused.throttleTimeMs()).isEqualTo(5_000);
    }
}
