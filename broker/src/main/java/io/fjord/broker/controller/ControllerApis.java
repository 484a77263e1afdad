package io.fjord.broker.controller;

import io.fjord.metadata.controller.ControllerResult;
import io.fjord.metadata.controller.MetadataController;
import io.fjord.metadata.controller.TopicControl;
import io.fjord.metadata.image.BrokerImage;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.records.ProducerIdsRecord;
import io.fjord.metadata.records.RegisterBrokerRecord;
import io.fjord.metadata.records.RegisterBrokerRecord.BrokerEndpoint;
import io.fjord.protocol.message.AllocateProducerIdsRequestData;
import io.fjord.protocol.message.AllocateProducerIdsResponseData;
import io.fjord.protocol.message.AlterConfigsRequestData;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.BrokerRegistrationRequestData;
import io.fjord.protocol.message.BrokerRegistrationResponseData;
import io.fjord.protocol.message.CreatePartitionsRequestData;
import io.fjord.protocol.message.CreateTopicsRequestData;
import io.fjord.protocol.message.DeleteTopicsRequestData;
import io.fjord.protocol.message.IncrementalAlterConfigsRequestData;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The controller's APIs on the node that runs the controller: each request becomes one operation of the
 * {@link MetadataController}, decided by the pure control class of its family ({@link TopicControl},
 * {@link ConfigControl}, producer-id blocks, broker registration) and answered once its records are committed; a
 * failed operation is answered with an error code for every topic or resource ({@link ControllerFailures}).
 *
 * <p>Thread-safe: holds only immutable collaborators.
 */
public final class ControllerApis implements ControllerChannel {
    /** Producer ids handed out per AllocateProducerIds (Kafka's block size). */
    public static final int PRODUCER_ID_BLOCK_SIZE = 1000;
    /** The APIs decided here; others fail. */
    public static final Set<ApiKey> APIS = Set.of(ApiKey.CREATE_TOPICS, ApiKey.DELETE_TOPICS,
            ApiKey.CREATE_PARTITIONS, ApiKey.INCREMENTAL_ALTER_CONFIGS, ApiKey.ALTER_CONFIGS,
            ApiKey.ALLOCATE_PRODUCER_IDS, ApiKey.BROKER_REGISTRATION);

    private final MetadataController controller;
    private final TopicControl topics;
    private final ConfigControl configs;

    public ControllerApis(MetadataController controller, TopicControl topics, ConfigControl configs) {
        this.controller = controller;
        this.topics = topics;
        this.configs = configs;
    }

    @Override
    public CompletableFuture<ApiMessage> send(ApiKey api, ApiMessage request) {
        return switch (api) {
            case CREATE_TOPICS -> {
                CreateTopicsRequestData body = (CreateTopicsRequestData) request;
                yield run(image -> topics.createTopics(image, body), f -> ControllerFailures.createTopics(body, f));
            }
            case DELETE_TOPICS -> {
                DeleteTopicsRequestData body = (DeleteTopicsRequestData) request;
                yield run(image -> topics.deleteTopics(image, body), f -> ControllerFailures.deleteTopics(body, f));
            }
            case CREATE_PARTITIONS -> {
                CreatePartitionsRequestData body = (CreatePartitionsRequestData) request;
                yield run(image -> topics.createPartitions(image, body),
                        f -> ControllerFailures.createPartitions(body, f));
            }
            case INCREMENTAL_ALTER_CONFIGS -> {
                IncrementalAlterConfigsRequestData body = (IncrementalAlterConfigsRequestData) request;
                yield run(image -> configs.incrementalAlterConfigs(image, body),
                        f -> ControllerFailures.incrementalAlterConfigs(body, f));
            }
            case ALTER_CONFIGS -> {
                AlterConfigsRequestData body = (AlterConfigsRequestData) request;
                yield run(image -> configs.alterConfigs(image, body), f -> ControllerFailures.alterConfigs(body, f));
            }
            case ALLOCATE_PRODUCER_IDS -> {
                AllocateProducerIdsRequestData body = (AllocateProducerIdsRequestData) request;
                yield run(image -> allocateProducerIds(image, body), ControllerFailures::allocateProducerIds);
            }
            case BROKER_REGISTRATION -> {
                BrokerRegistrationRequestData body = (BrokerRegistrationRequestData) request;
                yield run(image -> registerBroker(image, body), ControllerFailures::brokerRegistration);
            }
            default -> CompletableFuture.failedFuture(new IllegalArgumentException(api + " is not a controller API"));
        };
    }

    private <T extends ApiMessage> CompletableFuture<ApiMessage> run(
            Function<MetadataImage, ControllerResult<T>> operation, Function<Throwable, ApiMessage> onFailure) {
        return controller.submit(operation).<ApiMessage>thenApply(response -> response).exceptionally(onFailure);
    }

    /** The next block of producer ids, durable before it is handed out, so no id is ever given twice. */
    private static ControllerResult<AllocateProducerIdsResponseData> allocateProducerIds(MetadataImage image,
            AllocateProducerIdsRequestData request) {
        long start = image.nextProducerId();
        return new ControllerResult<>(List.of(new ProducerIdsRecord(request.brokerId(),
                start + PRODUCER_ID_BLOCK_SIZE)), new AllocateProducerIdsResponseData().setProducerIdStart(start)
                .setProducerIdLen(PRODUCER_ID_BLOCK_SIZE));
    }

    /**
     * Registers a broker, or its changed listeners, rack or incarnation; nothing is written when the image already
     * holds the same registration unfenced. Broker epochs, fencing and leases come with cluster membership (issue
     * #11's {@code ClusterControl}); until then the epoch answered is -1.
     */
    private static ControllerResult<BrokerRegistrationResponseData> registerBroker(MetadataImage image,
            BrokerRegistrationRequestData request) {
        List<BrokerEndpoint> endpoints = new ArrayList<>();
        for (BrokerRegistrationRequestData.Listener listener : request.listeners()) {
            endpoints.add(new BrokerEndpoint(listener.name(), listener.host(), listener.port(),
                    listener.securityProtocol()));
        }
        BrokerRegistrationResponseData response = new BrokerRegistrationResponseData().setBrokerEpoch(-1);
        BrokerImage current = image.brokers().get(request.brokerId());
        if (current != null && current.endpoints().equals(endpoints) && !current.fenced()
                && java.util.Objects.equals(current.rack(), request.rack())) {
            return new ControllerResult<>(List.of(), response);
        }
        return new ControllerResult<>(List.of(new RegisterBrokerRecord(request.brokerId(), request.incarnationId(),
                endpoints, request.rack(), false)), response);
    }
}
