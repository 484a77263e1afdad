package io.fjord.metadata.controller;

import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.metadata.records.ConfigRecord;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.PartitionRecord;
import io.fjord.metadata.records.RemoveTopicRecord;
import io.fjord.metadata.records.TopicRecord;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.CreatePartitionsRequestData;
import io.fjord.protocol.message.CreatePartitionsResponseData;
import io.fjord.protocol.message.CreateTopicsRequestData;
import io.fjord.protocol.message.CreateTopicsRequestData.CreatableReplicaAssignment;
import io.fjord.protocol.message.CreateTopicsRequestData.CreatableTopic;
import io.fjord.protocol.message.CreateTopicsResponseData;
import io.fjord.protocol.message.CreateTopicsResponseData.CreatableTopicResult;
import io.fjord.protocol.message.DeleteTopicsRequestData;
import io.fjord.protocol.message.DeleteTopicsResponseData;
import io.fjord.protocol.message.DeleteTopicsResponseData.DeletableTopicResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The controller's topic operations as a pure function of the current image and a request: CreateTopics,
 * DeleteTopics and CreatePartitions produce the records to append and the response, with Kafka's checks and error
 * codes. Nothing here does IO; topic ids come from an injected source, and new partitions are placed by a
 * {@link ReplicaPlacer} drawing from an injected {@code Random}, so the result is a function of image, request and seed.
 * Explicit assignments are kept verbatim and checked as Kafka checks them ({@link ManualAssignment}).
 *
 * <p>Every operation is bounded before its work: a request asking for more than
 * {@link OperationLimits#RECORDS_PER_OPERATION_MAX} partitions in total, or whose records would exceed that bound, is
 * refused whole with POLICY_VIOLATION (validate-only or not) before any placement is computed, as Kafka's controller
 * does; a partition count from the request never sizes an allocation.
 *
 * <p>Thread-safety: stateless apart from its injected collaborators; call from the controller's single thread.
 */
public final class TopicControl {
    /** Checks topic config overrides; returns the INVALID_CONFIG message for a bad set, empty if valid. */
    @FunctionalInterface
    public interface ConfigValidator {
        Optional<String> validate(Map<String, String> overrides);
    }

    /** Cluster defaults for requests that leave partitions or replication factor at -1. */
    public record Defaults(int numPartitions, short defaultReplicationFactor, boolean deleteTopicEnable) {
    }

    private final Defaults defaults;
    private final ConfigValidator configValidator;
    private final Supplier<UUID> topicIds;
    private final ReplicaPlacer placer;

    /**
     * @param random draws the placement of new partitions ({@link ReplicaPlacer}); a seeded one makes it reproducible
     */
    public TopicControl(Defaults defaults, ConfigValidator configValidator, Supplier<UUID> topicIds, Random random) {
        this.defaults = defaults;
        this.configValidator = configValidator;
        this.topicIds = topicIds;
        this.placer = new ReplicaPlacer(random);
    }

    /** Places with a {@code Random} of its own, for callers that need no reproducible placement. */
    public TopicControl(Defaults defaults, ConfigValidator configValidator, Supplier<UUID> topicIds) {
        this(defaults, configValidator, topicIds, new Random());
    }

    // ---------------------------------------------------------------- CreateTopics

    public ControllerResult<CreateTopicsResponseData> createTopics(MetadataImage image,
                                                                   CreateTopicsRequestData request) {
        if (requestedPartitions(request) > OperationLimits.RECORDS_PER_OPERATION_MAX) {
            return refuseCreateTopics(request, OperationLimits.TOO_MANY_PARTITIONS);
        }
        List<MetadataRecord> records = new ArrayList<>();
        // Counted for validate-only requests too: Kafka refuses those by the records they would write.
        int recordCount = 0;
        CreateTopicsResponseData response = new CreateTopicsResponseData();
        Map<String, Integer> occurrences = new HashMap<>();
        request.topics().forEach(topic -> occurrences.merge(topic.name(), 1, Integer::sum));
        Set<String> collisionKeys = new HashSet<>();
        image.topicsByName().keySet().forEach(name -> collisionKeys.add(TopicNames.collisionKey(name)));
        List<UsableBroker> brokers = UsableBroker.of(image);
        for (CreatableTopic topic : request.topics()) {
            CreatableTopicResult result = new CreatableTopicResult().setName(topic.name());
            response.topics().add(result);
            if (occurrences.get(topic.name()) > 1) {
                fail(result, Errors.INVALID_REQUEST, "Create topics request from client contains multiple entries "
                        + "for the topic " + topic.name());
                continue;
            }
            Optional<String> invalidName = TopicNames.validate(topic.name());
            if (invalidName.isPresent()) {
                fail(result, Errors.INVALID_TOPIC_EXCEPTION, invalidName.get());
                continue;
            }
            if (image.topicsByName().containsKey(topic.name())) {
                fail(result, Errors.TOPIC_ALREADY_EXISTS, "Topic '" + topic.name() + "' already exists.");
                continue;
            }
            if (collisionKeys.contains(TopicNames.collisionKey(topic.name()))) {
                fail(result, Errors.INVALID_TOPIC_EXCEPTION, "Topic '" + topic.name()
                        + "' collides with an existing topic whose name differs only by '.' and '_'.");
                continue;
            }
            // Kafka checks the configs before the placement.
            Map<String, String> configs = new LinkedHashMap<>();
            topic.configs().forEach(config -> configs.put(config.name(), config.value()));
            Optional<String> invalidConfig = configValidator.validate(configs);
            if (invalidConfig.isPresent()) {
                fail(result, Errors.INVALID_CONFIG, invalidConfig.get());
                continue;
            }
            List<NewPartition> placement = newPartitions(image, topic, brokers, result);
            if (placement == null) {
                continue;
            }
            recordCount += 1 + placement.size() + configs.size();
            if (recordCount > OperationLimits.RECORDS_PER_OPERATION_MAX) {
                return refuseCreateTopics(request, OperationLimits.TOO_MANY_RECORDS);
            }
            UUID topicId = topicIds.get();
            result.setTopicId(topicId).setNumPartitions(placement.size())
                    .setReplicationFactor((short) placement.get(0).replicas().size());
            if (request.validateOnly()) {
                continue;
            }
            collisionKeys.add(TopicNames.collisionKey(topic.name()));
            records.add(new TopicRecord(topic.name(), topicId));
            for (int partition = 0; partition < placement.size(); partition++) {
                NewPartition created = placement.get(partition);
                records.add(new PartitionRecord(topicId, partition, created.replicas(), created.isr(), created.leader(),
                        0, 0));
            }
            configs.forEach((name, value) -> records.add(new ConfigRecord(ConfigRecord.TOPIC, topic.name(), name,
                    value)));
        }
        return new ControllerResult<>(records, response);
    }

    /**
     * The partitions a CreateTopics request asks for in total, Kafka's count: the default for -1, nothing for other
     * non-positive counts (they fail on their own), the number of assignments for a manual assignment.
     */
    private long requestedPartitions(CreateTopicsRequestData request) {
        long total = 0;
        for (CreatableTopic topic : request.topics()) {
            if (!topic.assignments().isEmpty()) {
                total += topic.assignments().size();
            } else if (topic.numPartitions() == -1) {
                total += defaults.numPartitions();
            } else if (topic.numPartitions() > 0) {
                total += topic.numPartitions();
            }
        }
        return total;
    }

    /** The whole request refused with POLICY_VIOLATION and nothing written, as Kafka answers a failed operation. */
    private static ControllerResult<CreateTopicsResponseData> refuseCreateTopics(CreateTopicsRequestData request,
                                                                                 String message) {
        CreateTopicsResponseData response = new CreateTopicsResponseData();
        for (CreatableTopic topic : request.topics()) {
            CreatableTopicResult result = new CreatableTopicResult().setName(topic.name());
            fail(result, Errors.POLICY_VIOLATION, message);
            response.topics().add(result);
        }
        return new ControllerResult<>(List.of(), response);
    }

    /** The new partitions of a topic, placed or as assigned, or null after failing {@code result}. */
    private List<NewPartition> newPartitions(MetadataImage image, CreatableTopic topic, List<UsableBroker> brokers,
                                             CreatableTopicResult result) {
        if (!topic.assignments().isEmpty()) {
            return assignedPartitions(image, topic, result);
        }
        // Kafka's order: the replication factor, then the partition count.
        if (topic.replicationFactor() < -1 || topic.replicationFactor() == 0) {
            fail(result, Errors.INVALID_REPLICATION_FACTOR,
                    "Replication factor must be larger than 0, or -1 to use the default value.");
            return null;
        }
        if (topic.numPartitions() < -1 || topic.numPartitions() == 0) {
            fail(result, Errors.INVALID_PARTITIONS, "Number of partitions was set to an invalid non-positive value.");
            return null;
        }
        int partitions = topic.numPartitions() == -1 ? defaults.numPartitions() : topic.numPartitions();
        int replicationFactor = topic.replicationFactor() == -1 ? defaults.defaultReplicationFactor()
                : topic.replicationFactor();
        Optional<String> refusal = ReplicaPlacer.refusal(replicationFactor, brokers.size());
        if (refusal.isPresent()) {
            fail(result, Errors.INVALID_REPLICATION_FACTOR, "Unable to replicate the partition " + replicationFactor
                    + " time(s): " + refusal.get());
            return null;
        }
        return placed(brokers, partitions, replicationFactor);
    }

    /** Placed partitions start with every replica in sync: the placer uses active brokers only. */
    private List<NewPartition> placed(List<UsableBroker> brokers, int partitions, int replicationFactor) {
        return placer.place(brokers, partitions, replicationFactor).stream()
                .map(replicas -> new NewPartition(replicas, replicas)).toList();
    }

    /** A CreateTopics manual assignment checked in Kafka's order, or null after failing {@code result}. */
    private List<NewPartition> assignedPartitions(MetadataImage image, CreatableTopic topic,
                                                         CreatableTopicResult result) {
        if (topic.replicationFactor() != -1) {
            fail(result, Errors.INVALID_REQUEST, "A manual partition assignment was specified, but replication "
                    + "factor was not set to -1.");
            return null;
        }
        if (topic.numPartitions() != -1) {
            fail(result, Errors.INVALID_REQUEST, "A manual partition assignment was specified, but numPartitions "
                    + "was not set to -1.");
            return null;
        }
        Map<Integer, NewPartition> byIndex = new HashMap<>();
        OptionalInt replicationFactor = OptionalInt.empty();
        for (CreatableReplicaAssignment assignment : topic.assignments()) {
            if (byIndex.containsKey(assignment.partitionIndex())) {
                fail(result, Errors.INVALID_REPLICA_ASSIGNMENT, "Found multiple manual partition assignments for "
                        + "partition " + assignment.partitionIndex());
                return null;
            }
            Optional<String> problem = ManualAssignment.check(assignment.brokerIds(), image, replicationFactor);
            if (problem.isPresent()) {
                fail(result, Errors.INVALID_REPLICA_ASSIGNMENT, problem.get());
                return null;
            }
            replicationFactor = OptionalInt.of(assignment.brokerIds().size());
            List<Integer> isr = ManualAssignment.inSyncReplicas(assignment.brokerIds(), image);
            if (isr.isEmpty()) {
                fail(result, Errors.INVALID_REPLICA_ASSIGNMENT,
                        ManualAssignment.noActiveReplica(assignment.partitionIndex()));
                return null;
            }
            byIndex.put(assignment.partitionIndex(), new NewPartition(assignment.brokerIds(), isr));
        }
        List<NewPartition> partitions = new ArrayList<>(byIndex.size());
        for (int partition = 0; partition < byIndex.size(); partition++) {
            if (!byIndex.containsKey(partition)) {
                fail(result, Errors.INVALID_REPLICA_ASSIGNMENT,
                        "partitions should be a consecutive 0-based integer sequence");
                return null;
            }
            partitions.add(byIndex.get(partition));
        }
        return partitions;
    }

    private static void fail(CreatableTopicResult result, Errors error, String message) {
        result.setErrorCode(error.code()).setErrorMessage(message).setNumPartitions(-1).setReplicationFactor((short) -1);
    }

    // ---------------------------------------------------------------- DeleteTopics

    public ControllerResult<DeleteTopicsResponseData> deleteTopics(MetadataImage image,
                                                                   DeleteTopicsRequestData request) {
        List<MetadataRecord> records = new ArrayList<>();
        DeleteTopicsResponseData response = new DeleteTopicsResponseData();
        List<DeleteTopicsRequestData.DeleteTopicState> targets = new ArrayList<>(request.topics());
        for (String name : request.topicNames()) {
            targets.add(new DeleteTopicsRequestData.DeleteTopicState().setName(name));
        }
        Set<UUID> removed = new HashSet<>();
        for (DeleteTopicsRequestData.DeleteTopicState target : targets) {
            DeletableTopicResult result = new DeletableTopicResult().setName(target.name()).setTopicId(target.topicId());
            response.responses().add(result);
            boolean byId = target.name() == null;
            Optional<TopicImage> topic = byId ? image.topic(target.topicId()) : image.topic(target.name());
            if (topic.isEmpty()) {
                Errors error = byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
                result.setErrorCode(error.code()).setErrorMessage(error.message());
                continue;
            }
            result.setName(topic.get().name()).setTopicId(topic.get().topicId());
            if (!defaults.deleteTopicEnable()) {
                result.setErrorCode(Errors.TOPIC_DELETION_DISABLED.code())
                        .setErrorMessage(Errors.TOPIC_DELETION_DISABLED.message());
                continue;
            }
            if (removed.add(topic.get().topicId())) {
                records.add(new RemoveTopicRecord(topic.get().topicId()));
            }
        }
        if (records.size() > OperationLimits.RECORDS_PER_OPERATION_MAX) {
            for (DeletableTopicResult result : response.responses()) {
                result.setErrorCode(Errors.POLICY_VIOLATION.code()).setErrorMessage(OperationLimits.TOO_MANY_RECORDS);
            }
            return new ControllerResult<>(List.of(), response);
        }
        return new ControllerResult<>(records, response);
    }

    // ---------------------------------------------------------------- CreatePartitions

    public ControllerResult<CreatePartitionsResponseData> createPartitions(MetadataImage image,
                                                                           CreatePartitionsRequestData request) {
        if (additionalPartitions(image, request) > OperationLimits.RECORDS_PER_OPERATION_MAX) {
            CreatePartitionsResponseData refused = new CreatePartitionsResponseData();
            for (CreatePartitionsRequestData.CreatePartitionsTopic target : request.topics()) {
                refused.results().add(new CreatePartitionsResponseData.CreatePartitionsTopicResult()
                        .setName(target.name()).setErrorCode(Errors.POLICY_VIOLATION.code())
                        .setErrorMessage(OperationLimits.TOO_MANY_ADDITIONAL_PARTITIONS));
            }
            return new ControllerResult<>(List.of(), refused);
        }
        List<MetadataRecord> records = new ArrayList<>();
        CreatePartitionsResponseData response = new CreatePartitionsResponseData();
        List<UsableBroker> brokers = UsableBroker.of(image);
        for (CreatePartitionsRequestData.CreatePartitionsTopic target : request.topics()) {
            CreatePartitionsResponseData.CreatePartitionsTopicResult result =
                    new CreatePartitionsResponseData.CreatePartitionsTopicResult().setName(target.name());
            response.results().add(result);
            Optional<TopicImage> topic = image.topic(target.name());
            if (topic.isEmpty()) {
                result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                        .setErrorMessage("The topic '" + target.name() + "' does not exist.");
                continue;
            }
            int current = topic.get().partitionCount();
            if (target.count() < current) {
                result.setErrorCode(Errors.INVALID_PARTITIONS.code()).setErrorMessage("The topic " + target.name()
                        + " currently has " + current + " partition(s); " + target.count()
                        + " would not be an increase.");
                continue;
            }
            if (target.count() == current) {
                result.setErrorCode(Errors.INVALID_PARTITIONS.code())
                        .setErrorMessage("Topic already has " + current + " partition(s).");
                continue;
            }
            int added = target.count() - current;
            int replicationFactor = topic.get().partitions().firstEntry().getValue().replicas().size();
            List<NewPartition> placement;
            if (target.assignments() != null) {
                if (target.assignments().size() != added) {
                    result.setErrorCode(Errors.INVALID_REPLICA_ASSIGNMENT.code()).setErrorMessage("Attempted to add "
                            + added + " additional partition(s), but only " + target.assignments().size()
                            + " assignment(s) were specified.");
                    continue;
                }
                placement = assignedPartitions(image, target, current, replicationFactor, result);
                if (placement == null) {
                    continue;
                }
            } else {
                // Kafka's CreatePartitions answers the placer's reason as it is, without CreateTopics' prefix.
                Optional<String> refusal = ReplicaPlacer.refusal(replicationFactor, brokers.size());
                if (refusal.isPresent()) {
                    result.setErrorCode(Errors.INVALID_REPLICATION_FACTOR.code()).setErrorMessage(refusal.get());
                    continue;
                }
                placement = placed(brokers, added, replicationFactor);
            }
            if (request.validateOnly()) {
                continue;
            }
            for (int index = 0; index < placement.size(); index++) {
                NewPartition created = placement.get(index);
                records.add(new PartitionRecord(topic.get().topicId(), current + index, created.replicas(),
                        created.isr(), created.leader(), 0, 0));
            }
        }
        return new ControllerResult<>(records, response);
    }

    /** A CreatePartitions manual assignment checked as Kafka does, or null after failing {@code result}. */
    private static List<NewPartition> assignedPartitions(MetadataImage image,
                                                         CreatePartitionsRequestData.CreatePartitionsTopic target,
                                                         int firstPartition, int replicationFactor,
                                                         CreatePartitionsResponseData.CreatePartitionsTopicResult result) {
        List<NewPartition> partitions = new ArrayList<>(target.assignments().size());
        for (CreatePartitionsRequestData.CreatePartitionsAssignment assignment : target.assignments()) {
            Optional<String> problem = ManualAssignment.check(assignment.brokerIds(), image,
                    OptionalInt.of(replicationFactor));
            List<Integer> isr = ManualAssignment.inSyncReplicas(assignment.brokerIds(), image);
            if (problem.isEmpty() && isr.isEmpty()) {
                problem = Optional.of(ManualAssignment.noActiveReplica(firstPartition + partitions.size()));
            }
            if (problem.isPresent()) {
                result.setErrorCode(Errors.INVALID_REPLICA_ASSIGNMENT.code()).setErrorMessage(problem.get());
                return null;
            }
            partitions.add(new NewPartition(assignment.brokerIds(), isr));
        }
        return partitions;
    }

    /** The partitions a CreatePartitions request adds to existing topics in total (Kafka skips the rest here). */
    private static long additionalPartitions(MetadataImage image, CreatePartitionsRequestData request) {
        long total = 0;
        for (CreatePartitionsRequestData.CreatePartitionsTopic target : request.topics()) {
            Optional<TopicImage> topic = target.count() < 0 ? Optional.empty() : image.topic(target.name());
            if (topic.isPresent() && target.count() > topic.get().partitionCount()) {
                total += target.count() - topic.get().partitionCount();
            }
        }
        return total;
    }
}
