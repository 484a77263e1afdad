package io.fjord.broker.controller;

import io.fjord.metadata.controller.AclControl;
import io.fjord.metadata.controller.ClientQuotaControl;
import io.fjord.metadata.controller.ClusterControl;
import io.fjord.metadata.controller.ControllerResult;
import io.fjord.metadata.controller.FeatureControl;
import io.fjord.metadata.controller.IsrControl;
import io.fjord.metadata.controller.MetadataController;
import io.fjord.metadata.controller.ReassignmentControl;
import io.fjord.metadata.controller.ReplicationControl;
import io.fjord.metadata.controller.ScramControl;
import io.fjord.metadata.controller.TopicControl;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.records.ProducerIdsRecord;
import io.fjord.protocol.message.AlterClientQuotasRequestData;
import io.fjord.protocol.message.AllocateProducerIdsRequestData;
import io.fjord.protocol.message.AllocateProducerIdsResponseData;
import io.fjord.protocol.message.AlterConfigsRequestData;
import io.fjord.protocol.message.AlterPartitionReassignmentsRequestData;
import io.fjord.protocol.message.AlterPartitionRequestData;
import io.fjord.protocol.message.AlterUserScramCredentialsRequestData;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.BrokerHeartbeatRequestData;
import io.fjord.protocol.message.BrokerRegistrationRequestData;
import io.fjord.protocol.message.CreateAclsRequestData;
import io.fjord.protocol.message.CreatePartitionsRequestData;
import io.fjord.protocol.message.CreateTopicsRequestData;
import io.fjord.protocol.message.DeleteAclsRequestData;
import io.fjord.protocol.message.DeleteTopicsRequestData;
import io.fjord.protocol.message.ElectLeadersRequestData;
import io.fjord.protocol.message.IncrementalAlterConfigsRequestData;
import io.fjord.protocol.message.ListPartitionReassignmentsRequestData;
import io.fjord.protocol.message.UnregisterBrokerRequestData;
import io.fjord.protocol.message.UpdateFeaturesRequestData;
import java.time.InstantSource;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The controller's APIs on the node that runs the controller: each request becomes one operation of the
 * {@link MetadataController}, decided by the pure control class of its family ({@link TopicControl},
 * {@link ConfigControl}, producer-id blocks, {@link ClusterControl} for BrokerRegistration, BrokerHeartbeat and
 * UnregisterBroker, {@link ReplicationControl} for ElectLeaders, {@link IsrControl} for AlterPartition, {@link ReassignmentControl} for Alter- and
 * ListPartitionReassignments, {@link FeatureControl} for UpdateFeatures, {@link ScramControl} for
 * AlterUserScramCredentials, {@link AclControl} for CreateAcls and DeleteAcls, {@link ClientQuotaControl} for
 * AlterClientQuotas) and answered
 * once its records are committed; a failed operation is answered with an error code for every topic or resource
 * ({@link ControllerFailures}).
 * Membership operations read the injected clock on the controller's thread, where the decision is made; a heartbeat
 * also renews its broker's lease on arrival, on the calling thread ({@link ClusterControl#heartbeatReceived}).
 *
 * <p>Thread-safe: holds only collaborators that are immutable, thread-safe (the lease renewal on arrival) or used
 * only inside operations, which the controller runs one at a time on its thread (the {@link ClusterControl}'s
 * decisions).
 */
public final class ControllerApis implements ControllerChannel {
    /** Producer ids handed out per AllocateProducerIds (Kafka's block size). */
    public static final int PRODUCER_ID_BLOCK_SIZE = 1000;
    /** The APIs decided here; others fail. */
    public static final Set<ApiKey> APIS = Set.of(ApiKey.CREATE_TOPICS, ApiKey.DELETE_TOPICS,
            ApiKey.CREATE_PARTITIONS, ApiKey.INCREMENTAL_ALTER_CONFIGS, ApiKey.ALTER_CONFIGS,
            ApiKey.ALLOCATE_PRODUCER_IDS, ApiKey.BROKER_REGISTRATION, ApiKey.BROKER_HEARTBEAT,
            ApiKey.UNREGISTER_BROKER, ApiKey.ELECT_LEADERS, ApiKey.ALTER_PARTITION,
            ApiKey.ALTER_PARTITION_REASSIGNMENTS, ApiKey.LIST_PARTITION_REASSIGNMENTS, ApiKey.UPDATE_FEATURES,
            ApiKey.ALTER_USER_SCRAM_CREDENTIALS, ApiKey.CREATE_ACLS, ApiKey.DELETE_ACLS, ApiKey.ALTER_CLIENT_QUOTAS);

    private final MetadataController controller;
    private final TopicControl topics;
    private final ConfigControl configs;
    private final ClusterControl cluster;
    private final ReplicationControl replication;
    private final IsrControl isr;
    private final ReassignmentControl reassignments;
    private final FeatureControl features;
    private final ScramControl scram = new ScramControl();
    // New ACL ids are random, as Kafka's; drawn on the controller's thread inside the operation.
    private final AclControl acls = new AclControl(java.util.UUID::randomUUID);
    private final ClientQuotaControl clientQuotas = new ClientQuotaControl();
    private final InstantSource clock;

    /**
     * @param cluster     the controller's membership decisions; the same instance as the {@code ClusterMaintenance}
     *                    the controller runs, since they share the heartbeat leases
     * @param replication the controller's election decisions
     */
    public ControllerApis(MetadataController controller, TopicControl topics, ConfigControl configs,
                          ClusterControl cluster, ReplicationControl replication, InstantSource clock) {
        this(controller, topics, configs, cluster, replication, null, clock);
    }

    /** @param features the controller's UpdateFeatures decisions (null: UpdateFeatures fails) */
    public ControllerApis(MetadataController controller, TopicControl topics, ConfigControl configs,
                          ClusterControl cluster, ReplicationControl replication, FeatureControl features,
                          InstantSource clock) {
        this.controller = controller;
        this.features = features;
        this.topics = topics;
        this.configs = configs;
        this.cluster = cluster;
        this.replication = replication;
        this.isr = replication == null ? null : new IsrControl(replication);
        this.reassignments = replication == null ? null : new ReassignmentControl(replication);
        this.clock = clock;
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
                yield run(image -> cluster.registerBroker(image, body, clock.millis()),
                        ControllerFailures::brokerRegistration);
            }
            case BROKER_HEARTBEAT -> {
                BrokerHeartbeatRequestData body = (BrokerHeartbeatRequestData) request;
                // Kafka's KAFKA-17793: the lease is renewed on arrival, so a controller thread held up by a slow
                // operation cannot fence the brokers whose heartbeats wait behind it.
                cluster.heartbeatReceived(body.brokerId(), body.brokerEpoch(), clock.millis());
                CompletableFuture<ApiMessage> answer = run(image -> cluster.heartbeat(image, body, clock.millis()),
                        ControllerFailures::brokerHeartbeat);
                answer.whenComplete((response, failure) -> cluster.heartbeatHandled(body.brokerId()));
                yield answer;
            }
            case UNREGISTER_BROKER -> {
                UnregisterBrokerRequestData body = (UnregisterBrokerRequestData) request;
                yield run(image -> cluster.unregisterBroker(image, body), ControllerFailures::unregisterBroker);
            }
            case ELECT_LEADERS -> {
                ElectLeadersRequestData body = (ElectLeadersRequestData) request;
                yield run(image -> replication.electLeaders(image, body),
                        f -> ControllerFailures.electLeaders(body, f));
            }
            case ALTER_PARTITION -> {
                AlterPartitionRequestData body = (AlterPartitionRequestData) request;
                yield run(image -> isr.alterPartition(image, body), ControllerFailures::alterPartition);
            }
            case ALTER_PARTITION_REASSIGNMENTS -> {
                AlterPartitionReassignmentsRequestData body = (AlterPartitionReassignmentsRequestData) request;
                yield run(image -> reassignments.alterPartitionReassignments(image, body),
                        f -> ControllerFailures.alterPartitionReassignments(body, f));
            }
            case LIST_PARTITION_REASSIGNMENTS -> {
                ListPartitionReassignmentsRequestData body = (ListPartitionReassignmentsRequestData) request;
                yield run(image -> reassignments.listPartitionReassignments(image, body),
                        ControllerFailures::listPartitionReassignments);
            }
            case UPDATE_FEATURES -> {
                UpdateFeaturesRequestData body = (UpdateFeaturesRequestData) request;
                yield features == null ? CompletableFuture.failedFuture(
                        new IllegalArgumentException("UpdateFeatures is not served by this controller"))
                        : run(image -> features.updateFeatures(image, body), ControllerFailures::updateFeatures);
            }
            case ALTER_USER_SCRAM_CREDENTIALS -> {
                AlterUserScramCredentialsRequestData body = (AlterUserScramCredentialsRequestData) request;
                yield run(image -> scram.alterUserScramCredentials(image, body),
                        f -> ControllerFailures.alterUserScramCredentials(body, f));
            }
            case CREATE_ACLS -> {
                CreateAclsRequestData body = (CreateAclsRequestData) request;
                yield run(image -> acls.createAcls(image, body), f -> ControllerFailures.createAcls(body, f));
            }
            case DELETE_ACLS -> {
                DeleteAclsRequestData body = (DeleteAclsRequestData) request;
                yield run(image -> acls.deleteAcls(image, body), f -> ControllerFailures.deleteAcls(body, f));
            }
            case ALTER_CLIENT_QUOTAS -> {
                AlterClientQuotasRequestData body = (AlterClientQuotasRequestData) request;
                yield run(image -> clientQuotas.alterClientQuotas(image, body),
                        f -> ControllerFailures.alterClientQuotas(body, f));
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
}
