package io.fjord.broker.controller;

import io.fjord.protocol.Errors;
import io.fjord.protocol.message.AddRaftVoterResponseData;
import io.fjord.protocol.message.AllocateProducerIdsResponseData;
import io.fjord.protocol.message.RemoveRaftVoterResponseData;
import io.fjord.protocol.message.AlterConfigsRequestData;
import io.fjord.protocol.message.AlterConfigsResponseData;
import io.fjord.protocol.message.AlterPartitionReassignmentsRequestData;
import io.fjord.protocol.message.AlterPartitionReassignmentsResponseData;
import io.fjord.protocol.message.AlterPartitionResponseData;
import io.fjord.protocol.message.AlterUserScramCredentialsRequestData;
import io.fjord.protocol.message.AlterUserScramCredentialsResponseData;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.BrokerHeartbeatResponseData;
import io.fjord.protocol.message.BrokerRegistrationResponseData;
import io.fjord.protocol.message.CreateAclsRequestData;
import io.fjord.protocol.message.CreateAclsResponseData;
import io.fjord.protocol.message.CreatePartitionsRequestData;
import io.fjord.protocol.message.CreatePartitionsResponseData;
import io.fjord.protocol.message.CreateTopicsRequestData;
import io.fjord.protocol.message.CreateTopicsResponseData;
import io.fjord.protocol.message.DeleteAclsRequestData;
import io.fjord.protocol.message.DeleteAclsResponseData;
import io.fjord.protocol.message.DeleteTopicsRequestData;
import io.fjord.protocol.message.DeleteTopicsResponseData;
import io.fjord.protocol.message.DescribeQuorumResponseData;
import io.fjord.protocol.message.ElectLeadersRequestData;
import io.fjord.protocol.message.ElectLeadersResponseData;
import io.fjord.protocol.message.IncrementalAlterConfigsRequestData;
import io.fjord.protocol.message.IncrementalAlterConfigsResponseData;
import io.fjord.protocol.message.ListPartitionReassignmentsResponseData;
import io.fjord.protocol.message.UnregisterBrokerResponseData;
import io.fjord.protocol.message.UpdateFeaturesResponseData;
import java.util.Set;

/**
 * What the forwarding side needs to know of each controller API's response: whether it says NOT_CONTROLLER anywhere
 * (top level or for a topic, partition, resource or feature: the request went to a node that is not the active
 * controller and is sent again, as Kafka's broker-to-controller channel does), and the API's error response for a
 * request that got no answer ({@link ControllerFailures}).
 *
 * <p>Stateless; thread-safe.
 */
public final class ControllerResponses {
    /** The controller APIs a broker forwards to the active controller. */
    public static final Set<ApiKey> FORWARDED_APIS = Set.of(ApiKey.CREATE_TOPICS, ApiKey.DELETE_TOPICS,
            ApiKey.CREATE_PARTITIONS, ApiKey.INCREMENTAL_ALTER_CONFIGS, ApiKey.ALTER_CONFIGS,
            ApiKey.ALLOCATE_PRODUCER_IDS, ApiKey.BROKER_REGISTRATION, ApiKey.BROKER_HEARTBEAT,
            ApiKey.UNREGISTER_BROKER, ApiKey.ELECT_LEADERS, ApiKey.UPDATE_FEATURES, ApiKey.DESCRIBE_QUORUM,
            ApiKey.ALTER_PARTITION, ApiKey.ALTER_PARTITION_REASSIGNMENTS, ApiKey.LIST_PARTITION_REASSIGNMENTS,
            ApiKey.ADD_RAFT_VOTER, ApiKey.REMOVE_RAFT_VOTER, ApiKey.ALTER_USER_SCRAM_CREDENTIALS, ApiKey.CREATE_ACLS,
            ApiKey.DELETE_ACLS, ApiKey.ALTER_CLIENT_QUOTAS);

    private static final short NOT_CONTROLLER = Errors.NOT_CONTROLLER.code();
    private static final short NOT_LEADER_OR_FOLLOWER = Errors.NOT_LEADER_OR_FOLLOWER.code();

    private ControllerResponses() {
    }

    /** Whether {@code response}, to a request of {@code api}, has NOT_CONTROLLER in any of its error codes. */
    public static boolean isNotController(ApiKey api, ApiMessage response) {
        return switch (api) {
            case CREATE_TOPICS -> ((CreateTopicsResponseData) response).topics().stream()
                    .anyMatch(topic -> topic.errorCode() == NOT_CONTROLLER);
            case DELETE_TOPICS -> ((DeleteTopicsResponseData) response).responses().stream()
                    .anyMatch(topic -> topic.errorCode() == NOT_CONTROLLER);
            case CREATE_PARTITIONS -> ((CreatePartitionsResponseData) response).results().stream()
                    .anyMatch(topic -> topic.errorCode() == NOT_CONTROLLER);
            case INCREMENTAL_ALTER_CONFIGS -> ((IncrementalAlterConfigsResponseData) response).responses().stream()
                    .anyMatch(resource -> resource.errorCode() == NOT_CONTROLLER);
            case ALTER_CONFIGS -> ((AlterConfigsResponseData) response).responses().stream()
                    .anyMatch(resource -> resource.errorCode() == NOT_CONTROLLER);
            case ALLOCATE_PRODUCER_IDS -> ((AllocateProducerIdsResponseData) response).errorCode() == NOT_CONTROLLER;
            case BROKER_REGISTRATION -> ((BrokerRegistrationResponseData) response).errorCode() == NOT_CONTROLLER;
            case BROKER_HEARTBEAT -> ((BrokerHeartbeatResponseData) response).errorCode() == NOT_CONTROLLER;
            case ALTER_PARTITION -> {
                // Per partition too: a leader epoch above the controller's means this controller is stale.
                AlterPartitionResponseData alter = (AlterPartitionResponseData) response;
                yield alter.errorCode() == NOT_CONTROLLER || alter.topics().stream()
                        .flatMap(topic -> topic.partitions().stream())
                        .anyMatch(partition -> partition.errorCode() == NOT_CONTROLLER);
            }
            case UNREGISTER_BROKER -> ((UnregisterBrokerResponseData) response).errorCode() == NOT_CONTROLLER;
            case ALTER_PARTITION_REASSIGNMENTS -> {
                AlterPartitionReassignmentsResponseData alter = (AlterPartitionReassignmentsResponseData) response;
                yield alter.errorCode() == NOT_CONTROLLER || alter.responses().stream()
                        .flatMap(topic -> topic.partitions().stream())
                        .anyMatch(partition -> partition.errorCode() == NOT_CONTROLLER);
            }
            case LIST_PARTITION_REASSIGNMENTS ->
                ((ListPartitionReassignmentsResponseData) response).errorCode() == NOT_CONTROLLER;
            case ELECT_LEADERS -> {
                ElectLeadersResponseData elect = (ElectLeadersResponseData) response;
                yield elect.errorCode() == NOT_CONTROLLER || elect.replicaElectionResults().stream()
                        .flatMap(topic -> topic.partitionResult().stream())
                        .anyMatch(partition -> partition.errorCode() == NOT_CONTROLLER);
            }
            case UPDATE_FEATURES -> {
                UpdateFeaturesResponseData features = (UpdateFeaturesResponseData) response;
                yield features.errorCode() == NOT_CONTROLLER || features.results().stream()
                        .anyMatch(feature -> feature.errorCode() == NOT_CONTROLLER);
            }
            case DESCRIBE_QUORUM -> {
                // A voter that does not lead answers for the metadata partition NOT_LEADER_OR_FOLLOWER.
                DescribeQuorumResponseData quorum = (DescribeQuorumResponseData) response;
                yield quorum.errorCode() == NOT_CONTROLLER || quorum.topics().stream()
                        .flatMap(topic -> topic.partitions().stream())
                        .anyMatch(partition -> partition.errorCode() == NOT_CONTROLLER
                                || partition.errorCode() == NOT_LEADER_OR_FOLLOWER);
            }
            // The Raft leader takes voter changes; another voter answers NOT_LEADER_OR_FOLLOWER.
            case ADD_RAFT_VOTER -> ((AddRaftVoterResponseData) response).errorCode() == NOT_CONTROLLER
                    || ((AddRaftVoterResponseData) response).errorCode() == NOT_LEADER_OR_FOLLOWER;
            case REMOVE_RAFT_VOTER -> ((RemoveRaftVoterResponseData) response).errorCode() == NOT_CONTROLLER
                    || ((RemoveRaftVoterResponseData) response).errorCode() == NOT_LEADER_OR_FOLLOWER;
            case ALTER_USER_SCRAM_CREDENTIALS -> ((AlterUserScramCredentialsResponseData) response).results().stream()
                    .anyMatch(user -> user.errorCode() == NOT_CONTROLLER);
            case CREATE_ACLS -> ((CreateAclsResponseData) response).results().stream()
                    .anyMatch(creation -> creation.errorCode() == NOT_CONTROLLER);
            case DELETE_ACLS -> ((DeleteAclsResponseData) response).filterResults().stream()
                    .anyMatch(filter -> filter.errorCode() == NOT_CONTROLLER);
            case ALTER_CLIENT_QUOTAS -> ((io.fjord.protocol.message.AlterClientQuotasResponseData) response).entries()
                    .stream().anyMatch(entry -> entry.errorCode() == NOT_CONTROLLER);
            default -> throw new IllegalArgumentException(api + " is not a forwarded controller API");
        };
    }

    /** The error response to {@code request}, of {@code api}, for {@code failure}: its error for everything named. */
    public static ApiMessage failure(ApiKey api, ApiMessage request, Throwable failure) {
        return switch (api) {
            case CREATE_TOPICS -> ControllerFailures.createTopics((CreateTopicsRequestData) request, failure);
            case DELETE_TOPICS -> ControllerFailures.deleteTopics((DeleteTopicsRequestData) request, failure);
            case CREATE_PARTITIONS -> ControllerFailures.createPartitions((CreatePartitionsRequestData) request,
                    failure);
            case INCREMENTAL_ALTER_CONFIGS -> ControllerFailures.incrementalAlterConfigs(
                    (IncrementalAlterConfigsRequestData) request, failure);
            case ALTER_CONFIGS -> ControllerFailures.alterConfigs((AlterConfigsRequestData) request, failure);
            case ALLOCATE_PRODUCER_IDS -> ControllerFailures.allocateProducerIds(failure);
            case BROKER_REGISTRATION -> ControllerFailures.brokerRegistration(failure);
            case BROKER_HEARTBEAT -> ControllerFailures.brokerHeartbeat(failure);
            case ALTER_PARTITION -> ControllerFailures.alterPartition(failure);
            case UNREGISTER_BROKER -> ControllerFailures.unregisterBroker(failure);
            case ALTER_PARTITION_REASSIGNMENTS -> ControllerFailures.alterPartitionReassignments(
                    (AlterPartitionReassignmentsRequestData) request, failure);
            case LIST_PARTITION_REASSIGNMENTS -> ControllerFailures.listPartitionReassignments(failure);
            case ELECT_LEADERS -> ControllerFailures.electLeaders((ElectLeadersRequestData) request, failure);
            case UPDATE_FEATURES -> ControllerFailures.updateFeatures(failure);
            case DESCRIBE_QUORUM -> {
                ControllerFailures.Failure answer = ControllerFailures.of(failure);
                yield new DescribeQuorumResponseData().setErrorCode(answer.error().code())
                        .setErrorMessage(answer.message());
            }
            case ADD_RAFT_VOTER -> {
                ControllerFailures.Failure answer = ControllerFailures.of(failure);
                yield new AddRaftVoterResponseData().setErrorCode(answer.error().code())
                        .setErrorMessage(answer.message());
            }
            case REMOVE_RAFT_VOTER -> {
                ControllerFailures.Failure answer = ControllerFailures.of(failure);
                yield new RemoveRaftVoterResponseData().setErrorCode(answer.error().code())
                        .setErrorMessage(answer.message());
            }
            case ALTER_USER_SCRAM_CREDENTIALS -> ControllerFailures.alterUserScramCredentials(
                    (AlterUserScramCredentialsRequestData) request, failure);
            case CREATE_ACLS -> ControllerFailures.createAcls((CreateAclsRequestData) request, failure);
            case DELETE_ACLS -> ControllerFailures.deleteAcls((DeleteAclsRequestData) request, failure);
            case ALTER_CLIENT_QUOTAS -> ControllerFailures.alterClientQuotas(
                    (io.fjord.protocol.message.AlterClientQuotasRequestData) request, failure);
            default -> throw new IllegalArgumentException(api + " is not a forwarded controller API");
        };
    }
}
