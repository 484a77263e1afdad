package io.fjord.broker.controller;

import io.fjord.metadata.MetadataBatchTooLargeException;
import io.fjord.metadata.controller.NotControllerException;
import io.fjord.raft.driver.ProposalException;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.AllocateProducerIdsResponseData;
import io.fjord.protocol.message.AlterPartitionResponseData;
import io.fjord.protocol.message.BrokerHeartbeatResponseData;
import io.fjord.protocol.message.BrokerRegistrationResponseData;
import io.fjord.protocol.message.AlterConfigsRequestData;
import io.fjord.protocol.message.AlterUserScramCredentialsRequestData;
import io.fjord.protocol.message.AlterUserScramCredentialsResponseData;
import io.fjord.protocol.message.AlterConfigsResponseData;
import io.fjord.protocol.message.AlterPartitionReassignmentsRequestData;
import io.fjord.protocol.message.AlterPartitionReassignmentsResponseData;
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
import io.fjord.protocol.message.ElectLeadersRequestData;
import io.fjord.protocol.message.ElectLeadersResponseData;
import io.fjord.protocol.message.IncrementalAlterConfigsRequestData;
import io.fjord.protocol.message.IncrementalAlterConfigsResponseData;
import io.fjord.protocol.message.ListPartitionReassignmentsResponseData;
import io.fjord.protocol.message.UnregisterBrokerResponseData;
import io.fjord.protocol.message.UpdateFeaturesResponseData;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * The answer to a controller operation that failed (its future completed exceptionally): the request's error response
 * with an error code for every topic or resource, as Kafka answers a failed controller operation, so the client's
 * connection stays open. Every failure gets UNKNOWN_SERVER_ERROR, Kafka 4.4's code even for an operation too large for
 * one metadata batch (checked against a Kafka 4.4 broker: its controller treats the Raft layer's
 * {@code RecordBatchTooLargeException} as a fault); that case keeps its explanatory message. A forwarded request that
 * got no answer ({@link ForwardingException}) gets its own code (REQUEST_TIMED_OUT, UNSUPPORTED_VERSION). A
 * {@link VirtualMachineError} is not answered: it propagates, so the connection's fatal-error handling sees it.
 *
 * <p>Stateless; thread-safe.
 */
public final class ControllerFailures {
    private ControllerFailures() {
    }

    /** The error code and message a failed operation gets. */
    public record Failure(Errors error, String message) {
    }

    public static Failure of(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
                : failure;
        if (cause instanceof VirtualMachineError fatal) {
            throw fatal;
        }
        if (cause instanceof MetadataBatchTooLargeException tooLarge) {
            return new Failure(Errors.UNKNOWN_SERVER_ERROR, tooLarge.getMessage());
        }
        if (cause instanceof ForwardingException forwarding) {
            return new Failure(forwarding.error(), forwarding.getMessage());
        }
        if (cause instanceof NotControllerException notController) {
            // Retriable: clients look for the controller again and retry, as with Kafka.
            return new Failure(Errors.NOT_CONTROLLER, notController.getMessage());
        }
        if (cause instanceof ProposalException proposal) {
            // The quorum did not commit the operation: a lost leadership is NOT_CONTROLLER, a full queue or a
            // stopped quorum keeps its code (REQUEST_TIMED_OUT, KAFKA_STORAGE_ERROR); all are retriable.
            Errors error = proposal.error() == Errors.NOT_LEADER_OR_FOLLOWER ? Errors.NOT_CONTROLLER
                    : proposal.error() == Errors.REQUEST_TIMED_OUT ? Errors.REQUEST_TIMED_OUT
                    : Errors.UNKNOWN_SERVER_ERROR;
            return new Failure(error, proposal.getMessage());
        }
        return new Failure(Errors.UNKNOWN_SERVER_ERROR, Errors.UNKNOWN_SERVER_ERROR.message());
    }

    public static CreateTopicsResponseData createTopics(CreateTopicsRequestData request, Throwable failure) {
        Failure answer = of(failure);
        CreateTopicsResponseData response = new CreateTopicsResponseData();
        for (CreateTopicsRequestData.CreatableTopic topic : request.topics()) {
            response.topics().add(new CreateTopicsResponseData.CreatableTopicResult().setName(topic.name())
                    .setErrorCode(answer.error().code()).setErrorMessage(answer.message()).setNumPartitions(-1)
                    .setReplicationFactor((short) -1));
        }
        return response;
    }

    public static DeleteTopicsResponseData deleteTopics(DeleteTopicsRequestData request, Throwable failure) {
        Failure answer = of(failure);
        DeleteTopicsResponseData response = new DeleteTopicsResponseData();
        for (DeleteTopicsRequestData.DeleteTopicState topic : request.topics()) {
            response.responses().add(new DeleteTopicsResponseData.DeletableTopicResult().setName(topic.name())
                    .setTopicId(topic.topicId()).setErrorCode(answer.error().code())
                    .setErrorMessage(answer.message()));
        }
        for (String name : request.topicNames()) {
            response.responses().add(new DeleteTopicsResponseData.DeletableTopicResult().setName(name)
                    .setErrorCode(answer.error().code()).setErrorMessage(answer.message()));
        }
        return response;
    }

    public static CreatePartitionsResponseData createPartitions(CreatePartitionsRequestData request, Throwable failure) {
        Failure answer = of(failure);
        CreatePartitionsResponseData response = new CreatePartitionsResponseData();
        for (CreatePartitionsRequestData.CreatePartitionsTopic topic : request.topics()) {
            response.results().add(new CreatePartitionsResponseData.CreatePartitionsTopicResult()
                    .setName(topic.name()).setErrorCode(answer.error().code()).setErrorMessage(answer.message()));
        }
        return response;
    }

    public static AlterConfigsResponseData alterConfigs(AlterConfigsRequestData request, Throwable failure) {
        Failure answer = of(failure);
        AlterConfigsResponseData response = new AlterConfigsResponseData();
        for (AlterConfigsRequestData.AlterConfigsResource resource : request.resources()) {
            response.responses().add(new AlterConfigsResponseData.AlterConfigsResourceResponse()
                    .setResourceType(resource.resourceType()).setResourceName(resource.resourceName())
                    .setErrorCode(answer.error().code()).setErrorMessage(answer.message()));
        }
        return response;
    }

    public static IncrementalAlterConfigsResponseData incrementalAlterConfigs(IncrementalAlterConfigsRequestData request,
                                                                       Throwable failure) {
        Failure answer = of(failure);
        IncrementalAlterConfigsResponseData response = new IncrementalAlterConfigsResponseData();
        for (IncrementalAlterConfigsRequestData.AlterConfigsResource resource : request.resources()) {
            response.responses().add(new IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse()
                    .setResourceType(resource.resourceType()).setResourceName(resource.resourceName())
                    .setErrorCode(answer.error().code()).setErrorMessage(answer.message()));
        }
        return response;
    }

    public static AllocateProducerIdsResponseData allocateProducerIds(Throwable failure) {
        return new AllocateProducerIdsResponseData().setErrorCode(of(failure).error().code()).setProducerIdStart(-1)
                .setProducerIdLen(0);
    }

    public static BrokerRegistrationResponseData brokerRegistration(Throwable failure) {
        return new BrokerRegistrationResponseData().setErrorCode(of(failure).error().code()).setBrokerEpoch(-1);
    }

    /** Fenced, as a broker whose heartbeat went unanswered must assume it is. */
    public static BrokerHeartbeatResponseData brokerHeartbeat(Throwable failure) {
        return new BrokerHeartbeatResponseData().setErrorCode(of(failure).error().code()).setIsFenced(true);
    }

    public static UnregisterBrokerResponseData unregisterBroker(Throwable failure) {
        Failure answer = of(failure);
        return new UnregisterBrokerResponseData().setErrorCode(answer.error().code())
                .setErrorMessage(answer.message());
    }

    /** The top-level error, and the same for every partition the request names (none when it names all). */
    public static ElectLeadersResponseData electLeaders(ElectLeadersRequestData request, Throwable failure) {
        Failure answer = of(failure);
        List<ElectLeadersResponseData.ReplicaElectionResult> results = new ArrayList<>();
        for (ElectLeadersRequestData.TopicPartitions topic : request.topicPartitions() == null ? List
                .<ElectLeadersRequestData.TopicPartitions>of() : request.topicPartitions()) {
            List<ElectLeadersResponseData.PartitionResult> partitions = new ArrayList<>();
            for (int partition : topic.partitions()) {
                partitions.add(new ElectLeadersResponseData.PartitionResult().setPartitionId(partition)
                        .setErrorCode(answer.error().code()).setErrorMessage(answer.message()));
            }
            results.add(new ElectLeadersResponseData.ReplicaElectionResult().setTopic(topic.topic())
                    .setPartitionResult(partitions));
        }
        return new ElectLeadersResponseData().setErrorCode(answer.error().code()).setReplicaElectionResults(results);
    }

    public static UpdateFeaturesResponseData updateFeatures(Throwable failure) {
        Failure answer = of(failure);
        return new UpdateFeaturesResponseData().setErrorCode(answer.error().code()).setErrorMessage(answer.message());
    }

    /** The error for every user named (deletions first, each user once), as Kafka answers a failed alteration. */
    public static AlterUserScramCredentialsResponseData alterUserScramCredentials(
            AlterUserScramCredentialsRequestData request, Throwable failure) {
        Failure answer = of(failure);
        java.util.Set<String> users = new java.util.LinkedHashSet<>();
        request.deletions().forEach(deletion -> users.add(deletion.name()));
        request.upsertions().forEach(upsertion -> users.add(upsertion.name()));
        AlterUserScramCredentialsResponseData response = new AlterUserScramCredentialsResponseData();
        users.forEach(user -> response.results().add(
                new AlterUserScramCredentialsResponseData.AlterUserScramCredentialsResult().setUser(user)
                        .setErrorCode(answer.error().code()).setErrorMessage(answer.message())));
        return response;
    }

    /** The error for every creation, as Kafka answers a failed CreateAcls. */
    public static CreateAclsResponseData createAcls(CreateAclsRequestData request, Throwable failure) {
        Failure answer = of(failure);
        CreateAclsResponseData response = new CreateAclsResponseData();
        request.creations().forEach(creation -> response.results().add(
                new CreateAclsResponseData.AclCreationResult()
                        .setErrorCode(answer.error().code()).setErrorMessage(answer.message())));
        return response;
    }

    /** The error for every filter, as Kafka answers a failed DeleteAcls. */
    public static DeleteAclsResponseData deleteAcls(DeleteAclsRequestData request, Throwable failure) {
        Failure answer = of(failure);
        DeleteAclsResponseData response = new DeleteAclsResponseData();
        request.filters().forEach(filter -> response.filterResults().add(
                new DeleteAclsResponseData.DeleteAclsFilterResult()
                        .setErrorCode(answer.error().code()).setErrorMessage(answer.message())));
        return response;
    }

    /** The error for every entry, with its entity, as Kafka answers a failed AlterClientQuotas. */
    public static io.fjord.protocol.message.AlterClientQuotasResponseData alterClientQuotas(
            io.fjord.protocol.message.AlterClientQuotasRequestData request, Throwable failure) {
        Failure answer = of(failure);
        io.fjord.protocol.message.AlterClientQuotasResponseData response =
                new io.fjord.protocol.message.AlterClientQuotasResponseData();
        request.entries().forEach(entry -> {
            io.fjord.protocol.message.AlterClientQuotasResponseData.EntryData failed =
                    new io.fjord.protocol.message.AlterClientQuotasResponseData.EntryData()
                            .setErrorCode(answer.error().code()).setErrorMessage(answer.message());
            entry.entity().forEach(entity -> failed.entity().add(
                    new io.fjord.protocol.message.AlterClientQuotasResponseData.EntityData()
                            .setEntityType(entity.entityType()).setEntityName(entity.entityName())));
            response.entries().add(failed);
        });
        return response;
    }

    /** The top-level error only, as Kafka answers a failed AlterPartition; the leader retries its proposal. */
    public static AlterPartitionResponseData alterPartition(Throwable failure) {
        return new AlterPartitionResponseData().setErrorCode(of(failure).error().code());
    }

    /** The top-level error, and the same for every partition named, as Kafka answers a failed reassignment. */
    public static AlterPartitionReassignmentsResponseData alterPartitionReassignments(
            AlterPartitionReassignmentsRequestData request, Throwable failure) {
        Failure answer = of(failure);
        AlterPartitionReassignmentsResponseData response = new AlterPartitionReassignmentsResponseData()
                .setAllowReplicationFactorChange(request.allowReplicationFactorChange())
                .setErrorCode(answer.error().code()).setErrorMessage(answer.message());
        for (AlterPartitionReassignmentsRequestData.ReassignableTopic topic : request.topics()) {
            List<AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse> partitions = new ArrayList<>();
            for (AlterPartitionReassignmentsRequestData.ReassignablePartition partition : topic.partitions()) {
                partitions.add(new AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse()
                        .setPartitionIndex(partition.partitionIndex()).setErrorCode(answer.error().code())
                        .setErrorMessage(answer.message()));
            }
            response.responses().add(new AlterPartitionReassignmentsResponseData.ReassignableTopicResponse()
                    .setName(topic.name()).setPartitions(partitions));
        }
        return response;
    }

    public static ListPartitionReassignmentsResponseData listPartitionReassignments(Throwable failure) {
        Failure answer = of(failure);
        return new ListPartitionReassignmentsResponseData().setErrorCode(answer.error().code())
                .setErrorMessage(answer.message());
    }
}
