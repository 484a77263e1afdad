package io.fjord.broker.handlers;

import io.fjord.broker.MetadataCache;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.AlterPartitionReassignmentsRequestData;
import io.fjord.protocol.message.AlterPartitionReassignmentsResponseData;
import io.fjord.protocol.message.ListPartitionReassignmentsRequestData;
import io.fjord.protocol.message.ListPartitionReassignmentsResponseData;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * AlterPartitionReassignments and ListPartitionReassignments with Kafka's semantics, as far as Fjord can honour them
 * before partitions replicate (issue #12): a reassignment is validated as Kafka's controller validates it (unknown
 * topic or partition, empty or duplicate replica lists, unregistered brokers, a replication factor change that the
 * request does not allow, cancelling with no reassignment in progress); one that keeps the partition's replicas as
 * they are completes at once; any other is refused with INVALID_REPLICA_ASSIGNMENT and a message saying why, since
 * moving a partition's only replica would lose its data. So no reassignment is ever in progress: listing reports the
 * partitions whose image has adding or removing replicas, which is none today.
 *
 * <p>Decided from this node's image, since nothing is written: once data moves, the decision belongs to the
 * controller (an operation of its own, with PartitionChangeRecords). Thread-safe: reads only the cache's current
 * image.
 */
public final class PartitionReassignments {
    static final String DATA_MOVE_REFUSED = "Fjord does not move partition data yet (issue #12): a reassignment must"
            + " keep the partition's current replicas";

    private final MetadataCache cache;

    public PartitionReassignments(MetadataCache cache) {
        this.cache = cache;
    }

    public ApiHandler alterHandler() {
        return (context, request) -> CompletableFuture.completedFuture(
                alter(cache.image(), (AlterPartitionReassignmentsRequestData) request.body()));
    }

    public ApiHandler listHandler() {
        return (context, request) -> CompletableFuture.completedFuture(
                list(cache.image(), (ListPartitionReassignmentsRequestData) request.body()));
    }

    /** The answer to {@code request} on {@code image}: one result per partition named, in request order. */
    static AlterPartitionReassignmentsResponseData alter(MetadataImage image,
            AlterPartitionReassignmentsRequestData request) {
        AlterPartitionReassignmentsResponseData response = new AlterPartitionReassignmentsResponseData()
                .setAllowReplicationFactorChange(request.allowReplicationFactorChange());
        for (AlterPartitionReassignmentsRequestData.ReassignableTopic topic : request.topics()) {
            AlterPartitionReassignmentsResponseData.ReassignableTopicResponse topicResponse =
                    new AlterPartitionReassignmentsResponseData.ReassignableTopicResponse().setName(topic.name());
            TopicImage topicImage = image.topicsByName().get(topic.name());
            for (AlterPartitionReassignmentsRequestData.ReassignablePartition partition : topic.partitions()) {
                PartitionImage current = topicImage == null ? null
                        : topicImage.partitions().get(partition.partitionIndex());
                Result result = current == null ? new Result(Errors.UNKNOWN_TOPIC_OR_PARTITION, null)
                        : decide(image, current, partition.replicas(), request.allowReplicationFactorChange());
                topicResponse.partitions().add(new AlterPartitionReassignmentsResponseData
                        .ReassignablePartitionResponse().setPartitionIndex(partition.partitionIndex())
                        .setErrorCode(result.error().code()).setErrorMessage(result.message()));
            }
            response.responses().add(topicResponse);
        }
        return response;
    }

    private record Result(Errors error, String message) {
    }

    private static Result decide(MetadataImage image, PartitionImage current, List<Integer> target,
            boolean allowReplicationFactorChange) {
        boolean inProgress = !current.addingReplicas().isEmpty() || !current.removingReplicas().isEmpty();
        if (target == null) {
            return inProgress ? new Result(Errors.INVALID_REPLICA_ASSIGNMENT, DATA_MOVE_REFUSED)
                    : new Result(Errors.NO_REASSIGNMENT_IN_PROGRESS, null);
        }
        if (target.isEmpty()) {
            return new Result(Errors.INVALID_REPLICA_ASSIGNMENT,
                    "The manual partition assignment includes an empty replica list.");
        }
        Set<Integer> distinct = new HashSet<>();
        for (int brokerId : target) {
            if (!distinct.add(brokerId)) {
                return new Result(Errors.INVALID_REPLICA_ASSIGNMENT,
                        "The manual partition assignment includes the broker " + brokerId + " more than once.");
            }
            if (!image.brokers().containsKey(brokerId)) {
                return new Result(Errors.INVALID_REPLICA_ASSIGNMENT, "The manual partition assignment includes broker "
                        + brokerId + ", but no such broker is registered.");
            }
        }
        if (!allowReplicationFactorChange && target.size() != current.replicas().size()) {
            return new Result(Errors.INVALID_REPLICATION_FACTOR, "The replication factor is changed from "
                    + current.replicas().size() + " to " + target.size()
                    + " but option allowReplicationFactorChange is false.");
        }
        if (target.equals(current.replicas()) && !inProgress) {
            return new Result(Errors.NONE, null); // nothing to move: done at once, as in Kafka
        }
        return new Result(Errors.INVALID_REPLICA_ASSIGNMENT, DATA_MOVE_REFUSED + " " + current.replicas() + ", not "
                + target + ".");
    }

    /** The reassignments in progress among the partitions named (all when null); unknown ones are left out. */
    static ListPartitionReassignmentsResponseData list(MetadataImage image,
            ListPartitionReassignmentsRequestData request) {
        ListPartitionReassignmentsResponseData response = new ListPartitionReassignmentsResponseData();
        if (request.topics() == null) {
            image.topicsByName().values().stream().sorted((a, b) -> a.name().compareTo(b.name()))
                    .forEach(topic -> addOngoing(response, topic, topic.partitions().keySet()));
            return response;
        }
        for (ListPartitionReassignmentsRequestData.ListPartitionReassignmentsTopics topic : request.topics()) {
            TopicImage topicImage = image.topicsByName().get(topic.name());
            if (topicImage != null) {
                addOngoing(response, topicImage, topic.partitionIndexes());
            }
        }
        return response;
    }

    private static void addOngoing(ListPartitionReassignmentsResponseData response, TopicImage topic,
            Iterable<Integer> partitionIndexes) {
        List<ListPartitionReassignmentsResponseData.OngoingPartitionReassignment> ongoing = new ArrayList<>();
        for (int index : partitionIndexes) {
            PartitionImage partition = topic.partitions().get(index);
            if (partition != null && (!partition.addingReplicas().isEmpty()
                    || !partition.removingReplicas().isEmpty())) {
                ongoing.add(new ListPartitionReassignmentsResponseData.OngoingPartitionReassignment()
                        .setPartitionIndex(index).setReplicas(new ArrayList<>(partition.replicas()))
                        .setAddingReplicas(new ArrayList<>(partition.addingReplicas()))
                        .setRemovingReplicas(new ArrayList<>(partition.removingReplicas())));
            }
        }
        if (!ongoing.isEmpty()) {
            response.topics().add(new ListPartitionReassignmentsResponseData.OngoingTopicReassignment()
                    .setName(topic.name()).setPartitions(ongoing));
        }
    }
}
