package io.fjord.broker.handlers;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.coordinator.driver.GroupCoordinatorDriver;
import io.fjord.broker.coordinator.driver.OffsetsTopicConfig;
import io.fjord.broker.coordinator.group.OffsetsPartitions;
import io.fjord.broker.coordinator.transactiondriver.TransactionCoordinatorDriver;
import io.fjord.broker.coordinator.transactiondriver.TransactionStateTopicConfig;
import io.fjord.broker.network.RequestContext;
import io.fjord.metadata.image.BrokerImage;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.metadata.records.RegisterBrokerRecord.BrokerEndpoint;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.CreateTopicsRequestData;
import io.fjord.protocol.message.FindCoordinatorRequestData;
import io.fjord.protocol.message.FindCoordinatorResponseData;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * FindCoordinator (v0-3 one key, v4+ a batch of keys): a group's coordinator is the leader of its
 * {@code __consumer_offsets} partition, answered with that broker's endpoint on the listener the request came in on.
 * The first group lookup creates the topic through the controller (Kafka's settings: {@code offsets.topic.*},
 * compacted, {@code compression.type=producer}); Kafka answers COORDINATOR_NOT_AVAILABLE at once and lets the client
 * retry, Fjord waits for the creation (a controller round trip) and answers with the coordinator.
 *
 * <p>A transactional id's coordinator is the leader of its {@code __transaction_state} partition (Kafka's
 * {@code Utils.abs(id.hashCode()) % partitionCount}); the first transaction lookup creates that topic the same way
 * ({@code transaction.state.log.*}). Without a transaction coordinator (a node built with only the group one) a
 * transaction key gets UNSUPPORTED_VERSION with a message saying so. Share keys get
 * COORDINATOR_NOT_AVAILABLE, as Kafka 4.4 answers them with share groups turned off (only brokers send them; a share
 * consumer fails at ShareGroupHeartbeat, which is not advertised). Unknown key types get INVALID_REQUEST.
 * Thread-safe.
 */
public final class FindCoordinatorHandler implements ApiHandler {
    private static final byte GROUP = 0;
    private static final byte TRANSACTION = 1;
    private static final byte SHARE = 2;
    static final String NO_TRANSACTIONS_MESSAGE = "Fjord does not support transactions yet: it has no transaction "
            + "coordinator (see Fjord's docs/kafka-compatibility.md)";

    private final MetadataCache cache;
    private final GroupCoordinatorDriver driver;
    private final TransactionCoordinatorDriver transactions;
    private final Function<CreateTopicsRequestData, CompletionStage<?>> createTopics;

    /** A node without a transaction coordinator: transaction keys get UNSUPPORTED_VERSION. */
    public FindCoordinatorHandler(MetadataCache cache, GroupCoordinatorDriver driver,
            Function<CreateTopicsRequestData, CompletionStage<?>> createTopics) {
        this(cache, driver, null, createTopics);
    }

    /** @param transactions the transaction coordinator, or null for none */
    public FindCoordinatorHandler(MetadataCache cache, GroupCoordinatorDriver driver,
            TransactionCoordinatorDriver transactions,
            Function<CreateTopicsRequestData, CompletionStage<?>> createTopics) {
        this.cache = cache;
        this.driver = driver;
        this.transactions = transactions;
        this.createTopics = createTopics;
    }

    /** Where one key's coordinator is. */
    private record Found(Errors error, String errorMessage, int nodeId, String host, int port) {
        static Found error(Errors error) {
            return error(error, error.message());
        }

        static Found error(Errors error, String errorMessage) {
            return new Found(error, errorMessage, -1, "", -1);
        }
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DecodedRequest request) {
        FindCoordinatorRequestData body = (FindCoordinatorRequestData) request.body();
        List<String> keys = request.apiVersion() >= 4 ? body.coordinatorKeys() : List.of(body.key());
        CompletionStage<?> ready = CompletableFuture.completedFuture(null);
        if (body.keyType() == GROUP && !keys.isEmpty() && cache.image().topic(OffsetsPartitions.TOPIC).isEmpty()) {
            ready = create(driver.topicConfig().creatableTopic(cache.image())).exceptionally(error -> null);
        } else if (body.keyType() == TRANSACTION && transactions != null && !keys.isEmpty()
                && cache.image().topic(TransactionStateTopicConfig.TOPIC).isEmpty()) {
            ready = create(transactions.topicConfig().creatableTopic()).exceptionally(error -> null);
        }
        return ready.thenApply(created -> respond(context, request.apiVersion(), body.keyType(), keys));
    }

    private ApiMessage respond(RequestContext context, short version, byte keyType, List<String> keys) {
        MetadataImage image = cache.image();
        FindCoordinatorResponseData response = new FindCoordinatorResponseData();
        List<FindCoordinatorResponseData.Coordinator> coordinators = new ArrayList<>();
        for (String key : keys) {
            Found found = find(image, context.listenerName(), keyType, key);
            coordinators.add(new FindCoordinatorResponseData.Coordinator().setKey(key).setNodeId(found.nodeId())
                    .setHost(found.host()).setPort(found.port()).setErrorCode(found.error().code())
                    .setErrorMessage(found.errorMessage()));
        }
        if (version >= 4) {
            return response.setCoordinators(coordinators);
        }
        FindCoordinatorResponseData.Coordinator only = coordinators.get(0);
        return response.setErrorCode(only.errorCode()).setErrorMessage(version >= 1 ? only.errorMessage() : null)
                .setNodeId(only.nodeId()).setHost(only.host()).setPort(only.port());
    }

    private Found find(MetadataImage image, String listenerName, byte keyType, String key) {
        if (keyType == TRANSACTION && transactions == null) {
            return Found.error(Errors.UNSUPPORTED_VERSION, NO_TRANSACTIONS_MESSAGE);
        }
        if (keyType == SHARE) {
            return Found.error(Errors.COORDINATOR_NOT_AVAILABLE);
        }
        if (keyType != GROUP && keyType != TRANSACTION) {
            return Found.error(Errors.INVALID_REQUEST);
        }
        Optional<TopicImage> topic = image.topic(keyType == GROUP ? OffsetsPartitions.TOPIC
                : TransactionStateTopicConfig.TOPIC);
        if (topic.isEmpty()) {
            return Found.error(Errors.COORDINATOR_NOT_AVAILABLE);
        }
        int partitionCount = topic.get().partitionCount();
        int index = keyType == GROUP ? driver.partitionFor(key == null ? "" : key, partitionCount)
                : TransactionStateTopicConfig.partitionFor(key == null ? "" : key, partitionCount);
        PartitionImage partition = topic.get().partitions().get(index);
        if (partition == null || partition.leader() < 0) {
            return Found.error(Errors.COORDINATOR_NOT_AVAILABLE);
        }
        BrokerImage leader = image.brokers().get(partition.leader());
        if (leader == null || leader.fenced()) {
            return Found.error(Errors.COORDINATOR_NOT_AVAILABLE);
        }
        Optional<BrokerEndpoint> endpoint = Endpoints.on(leader, listenerName);
        return endpoint.map(found -> new Found(Errors.NONE, null, leader.brokerId(), found.host(), found.port()))
                .orElseGet(() -> Found.error(Errors.COORDINATOR_NOT_AVAILABLE));
    }

    /**
     * Creates an internal topic as Kafka does (see {@link OffsetsTopicConfig#creatableTopic},
     * {@link TransactionStateTopicConfig#creatableTopic}).
     */
    private CompletionStage<?> create(CreateTopicsRequestData.CreatableTopic topic) {
        CreateTopicsRequestData request = new CreateTopicsRequestData().setTimeoutMs(30_000);
        request.topics().add(topic);
        return createTopics.apply(request);
    }
}
