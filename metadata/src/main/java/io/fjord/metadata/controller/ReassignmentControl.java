package io.fjord.metadata.controller;

import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.PartitionChangeRecord;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.AlterPartitionReassignmentsRequestData;
import io.fjord.protocol.message.AlterPartitionReassignmentsResponseData;
import io.fjord.protocol.message.AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse;
import io.fjord.protocol.message.ListPartitionReassignmentsRequestData;
import io.fjord.protocol.message.ListPartitionReassignmentsResponseData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * AlterPartitionReassignments and ListPartitionReassignments, KIP-455's reassignment as Kafka's controller decides it.
 * A reassignment of a partition from its current replicas to a target writes one {@link PartitionChangeRecord}: the
 * replicas become the target followed by the current replicas outside it, {@code addingReplicas} the target replicas
 * that were not replicas before the reassignment, {@code removingReplicas} the current replicas outside the target.
 * The leader and ISR stay; the added replicas' brokers start following and the leader adds them to the ISR by
 * AlterPartition once they have caught up, and the change that puts the last of them in the ISR completes the
 * reassignment ({@link PartitionChangeBuilder}: the removed replicas leave, a removed leader gives way). A
 * reassignment that adds nothing (only removes replicas, or keeps them) completes at once. A new reassignment of a
 * partition under reassignment replaces it, its adding replicas counted from the replicas before the first one.
 * Cancelling (null replicas) reverts to the replicas before the reassignment, without the added ones; when that would
 * leave the ISR empty, only a topic that allows unclean elections is reverted.
 *
 * <p>Errors, per partition, in Kafka's order and with its messages: UNKNOWN_TOPIC_OR_PARTITION,
 * NO_REASSIGNMENT_IN_PROGRESS (cancelling none), INVALID_REPLICATION_FACTOR (a different replica count without
 * {@code allowReplicationFactorChange}), INVALID_REPLICA_ASSIGNMENT (an empty list, a broker named twice or not
 * registered; a revert needing an unclean election). A request naming more than
 * {@link OperationLimits#RECORDS_PER_OPERATION_MAX} partitions is refused whole with POLICY_VIOLATION.
 *
 * <p>Thread-safety: stateless apart from the {@link ReplicationControl} it shares; call from the controller's single
 * thread.
 */
public final class ReassignmentControl {
    private final ReplicationControl replication;

    public ReassignmentControl(ReplicationControl replication) {
        this.replication = replication;
    }

    public ControllerResult<AlterPartitionReassignmentsResponseData> alterPartitionReassignments(MetadataImage image,
            AlterPartitionReassignmentsRequestData request) {
        AlterPartitionReassignmentsResponseData response = new AlterPartitionReassignmentsResponseData()
                .setAllowReplicationFactorChange(request.allowReplicationFactorChange());
        long named = request.topics().stream().mapToLong(topic -> topic.partitions().size()).sum();
        List<MetadataRecord> records = new ArrayList<>();
        // A partition named twice is decided the second time from the state the first one produced.
        Map<String, PartitionImage> changed = new HashMap<>();
        for (AlterPartitionReassignmentsRequestData.ReassignableTopic topic : request.topics()) {
            AlterPartitionReassignmentsResponseData.ReassignableTopicResponse topicResponse =
                    new AlterPartitionReassignmentsResponseData.ReassignableTopicResponse().setName(topic.name());
            response.responses().add(topicResponse);
            Optional<TopicImage> topicImage = Optional.ofNullable(image.topicsByName().get(topic.name()));
            for (AlterPartitionReassignmentsRequestData.ReassignablePartition partition : topic.partitions()) {
                ReassignablePartitionResponse result = new ReassignablePartitionResponse()
                        .setPartitionIndex(partition.partitionIndex()).setErrorMessage(null);
                topicResponse.partitions().add(result);
                if (named > OperationLimits.RECORDS_PER_OPERATION_MAX) {
                    result.setErrorCode(Errors.POLICY_VIOLATION.code())
                            .setErrorMessage(OperationLimits.TOO_MANY_RECORDS);
                    continue;
                }
                String key = topic.name() + "-" + partition.partitionIndex();
                PartitionImage current = topicImage.map(found -> changed.getOrDefault(key,
                        found.partitions().get(partition.partitionIndex()))).orElse(null);
                if (current == null) {
                    result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()).setErrorMessage(
                            "Unable to find partition " + topic.name() + ":" + partition.partitionIndex() + ".");
                    continue;
                }
                Decision decision = partition.replicas() == null ? cancel(image, topicImage.get(), current)
                        : reassign(image, topicImage.get(), current, partition.replicas(),
                                request.allowReplicationFactorChange());
                result.setErrorCode(decision.error().code()).setErrorMessage(decision.message());
                decision.change().ifPresent(change -> {
                    records.add(change);
                    changed.put(key, current.merge(change));
                });
            }
        }
        return new ControllerResult<>(records, response);
    }

    /** A partition's outcome: an error (with its message) or the change to write, if any. */
    private record Decision(Errors error, String message, Optional<PartitionChangeRecord> change) {
        static Decision refused(Errors error, String message) {
            return new Decision(error, message, Optional.empty());
        }
    }

    static boolean inProgress(PartitionImage partition) {
        return !partition.addingReplicas().isEmpty() || !partition.removingReplicas().isEmpty();
    }

    private Decision reassign(MetadataImage image, TopicImage topic, PartitionImage current, List<Integer> target,
                              boolean allowReplicationFactorChange) {
        // The replicas before any reassignment in progress: the ones being added are not counted.
        List<Integer> original = current.replicas().stream()
                .filter(replica -> !current.addingReplicas().contains(replica)).toList();
        if (!allowReplicationFactorChange) {
            int currentFactor = current.replicas().size() - current.removingReplicas().size();
            if (currentFactor != target.size()) {
                return Decision.refused(Errors.INVALID_REPLICATION_FACTOR, "The replication factor is changed from "
                        + currentFactor + " to " + target.size()
                        + " but option allowReplicationFactorChange is false.");
            }
        }
        Optional<String> invalid = ManualAssignment.check(target, image, OptionalInt.empty());
        if (invalid.isPresent()) {
            return Decision.refused(Errors.INVALID_REPLICA_ASSIGNMENT, invalid.get());
        }
        List<Integer> removing = current.replicas().stream().filter(replica -> !target.contains(replica)).toList();
        List<Integer> adding = target.stream().filter(replica -> !original.contains(replica)).toList();
        List<Integer> replicas = new ArrayList<>(target);
        replicas.addAll(removing);
        Optional<PartitionChangeRecord> change = replication.builder(image, topic, current,
                        replica -> ReplicationControl.active(image, replica))
                .targetReassignment(replicas, adding, removing).build();
        return new Decision(Errors.NONE, null, change);
    }

    private Decision cancel(MetadataImage image, TopicImage topic, PartitionImage current) {
        if (!inProgress(current)) {
            return Decision.refused(Errors.NO_REASSIGNMENT_IN_PROGRESS, null);
        }
        List<Integer> replicas = current.replicas().stream()
                .filter(replica -> !current.addingReplicas().contains(replica)).toList();
        List<Integer> isr = current.isr().stream()
                .filter(replica -> !current.addingReplicas().contains(replica)).toList();
        PartitionChangeBuilder builder = replication.builder(image, topic, current,
                replica -> ReplicationControl.active(image, replica));
        if (isr.isEmpty()) {
            // Only added replicas are in sync: reverting needs a leader from outside the ISR.
            if (!replication.uncleanElectionEnabled(image, topic.name())) {
                return Decision.refused(Errors.INVALID_REPLICA_ASSIGNMENT, "Unable to revert partition assignment for "
                        + topic.name() + ":" + current.partitionId()
                        + " because it would require an unclean leader election.");
            }
            builder.election(PartitionChangeBuilder.Election.UNCLEAN);
        }
        Optional<PartitionChangeRecord> change = builder.targetIsr(isr)
                .targetReassignment(replicas, List.of(), List.of()).build();
        return new Decision(Errors.NONE, null, change);
    }

    /** The reassignments in progress among the partitions named (all when null); unknown ones are left out. */
    public ControllerResult<ListPartitionReassignmentsResponseData> listPartitionReassignments(MetadataImage image,
            ListPartitionReassignmentsRequestData request) {
        ListPartitionReassignmentsResponseData response = new ListPartitionReassignmentsResponseData();
        if (request.topics() == null) {
            // Name order: the image's maps have none, and the answer should not change from call to call.
            for (TopicImage topic : new TreeMap<>(image.topicsByName()).values()) {
                addOngoing(response, topic, topic.partitions().keySet());
            }
        } else {
            for (ListPartitionReassignmentsRequestData.ListPartitionReassignmentsTopics topic : request.topics()) {
                TopicImage topicImage = image.topicsByName().get(topic.name());
                if (topicImage != null) {
                    addOngoing(response, topicImage, topic.partitionIndexes());
                }
            }
        }
        return new ControllerResult<>(List.of(), response);
    }

    private static void addOngoing(ListPartitionReassignmentsResponseData response, TopicImage topic,
                                   Iterable<Integer> partitionIndexes) {
        List<ListPartitionReassignmentsResponseData.OngoingPartitionReassignment> ongoing = new ArrayList<>();
        for (int index : partitionIndexes) {
            PartitionImage partition = topic.partitions().get(index);
            if (partition != null && inProgress(partition)) {
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
