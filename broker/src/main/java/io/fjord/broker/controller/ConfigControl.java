package io.fjord.broker.controller;

import io.fjord.broker.ImageConfigResolver;
import io.fjord.broker.config.AlterConfigOperation;
import io.fjord.broker.config.ConfigApiError;
import io.fjord.broker.config.ConfigResolver;
import io.fjord.broker.config.IncrementalAlterConfigs;
import io.fjord.metadata.controller.ControllerResult;
import io.fjord.metadata.controller.OperationLimits;
import io.fjord.metadata.controller.ReplicationControl;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.records.ClearElrRecord;
import io.fjord.metadata.records.ConfigRecord;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.AlterConfigsRequestData;
import io.fjord.protocol.message.AlterConfigsResponseData;
import io.fjord.protocol.message.IncrementalAlterConfigsRequestData;
import io.fjord.protocol.message.IncrementalAlterConfigsResponseData;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The controller's side of IncrementalAlterConfigs (SET, DELETE, APPEND, SUBTRACT) and the legacy AlterConfigs
 * (replace the whole dynamic set) for topics, brokers and groups, as pure functions of the image and the request:
 * topic overrides are validated with Kafka's topic config definitions, group overrides with Kafka's group configs
 * ({@link io.fjord.broker.config.GroupConfigs}), broker resources are the cluster-wide default (name "") or a broker
 * id (dynamic configs only, per-broker ones only per broker, every failure INVALID_REQUEST, as Kafka checks them).
 * Accepted changes become ConfigRecords, committed like any metadata and applied to the logs by the log publisher.
 * What only the receiving broker can decide (logger levels, whether a broker resource names that broker) is its
 * handler's part ({@code AlterConfigsHandlers}) before the request reaches the controller.
 *
 * <p>While KIP-966's eligible leader replicas are on, Kafka 4.4's rules for {@code min.insync.replicas} apply: a
 * per-broker value may be neither set nor removed, the cluster-wide one may not be removed (INVALID_CONFIG with
 * Kafka's messages), and each change of it is followed, in the same result, by a {@link ClearElrRecord} for the
 * topic or, for the cluster-wide value, for every topic: an ELR chosen under the old minimum is no longer trusted.
 *
 * <p>Stateless apart from its immutable collaborators; thread-safe.
 */
public final class ConfigControl {
    private static final byte TOPIC = ConfigRecord.TOPIC;
    private static final byte BROKER = ConfigRecord.BROKER;
    private static final byte GROUP = ConfigRecord.GROUP;
    static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
    static final String BROKER_MIN_ISR_WITH_ELR =
            "Broker-level min.insync.replicas cannot be altered while ELR is enabled.";
    static final String CLUSTER_MIN_ISR_REMOVAL_WITH_ELR =
            "Cluster-level min.insync.replicas cannot be removed while ELR is enabled.";

    private final ImageConfigResolver configs;

    public ConfigControl(ImageConfigResolver configs) {
        this.configs = configs;
    }

    /** The outcome for one resource: an error, or the records that set its new configs. */
    private record Change(short errorCode, String errorMessage, List<MetadataRecord> records) {
        static Change error(Errors error, String message) {
            return new Change(error.code(), message, List.of());
        }

        static Change error(ConfigApiError error) {
            return new Change(error.errorCode(), error.message(), List.of());
        }
    }

    /** The new configs of a resource of the given type from its current ones. */
    private interface Update {
        IncrementalAlterConfigs.Outcome apply(byte resourceType, Map<String, String> current);
    }

    private record ResourceKey(byte type, String name) {
    }

    /** Decides an IncrementalAlterConfigs: the records of every accepted resource, and the response. */
    public ControllerResult<IncrementalAlterConfigsResponseData> incrementalAlterConfigs(MetadataImage image,
            IncrementalAlterConfigsRequestData body) {
        List<IncrementalAlterConfigsRequestData.AlterConfigsResource> resources = body.resources();
        Decided decided = decide(image, resources, body.validateOnly(),
                resource -> new ResourceKey(resource.resourceType(), resource.resourceName()),
                resource -> incrementalChange(image, resource));
        IncrementalAlterConfigsResponseData response = new IncrementalAlterConfigsResponseData();
        for (int index = 0; index < resources.size(); index++) {
            Change change = decided.changes().get(index);
            response.responses().add(new IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse()
                    .setResourceType(resources.get(index).resourceType())
                    .setResourceName(resources.get(index).resourceName())
                    .setErrorCode(change.errorCode()).setErrorMessage(change.errorMessage()));
        }
        return new ControllerResult<>(decided.records(), response);
    }

    /** Decides a legacy AlterConfigs: the records of every accepted resource, and the response. */
    public ControllerResult<AlterConfigsResponseData> alterConfigs(MetadataImage image, AlterConfigsRequestData body) {
        List<AlterConfigsRequestData.AlterConfigsResource> resources = body.resources();
        Decided decided = decide(image, resources, body.validateOnly(),
                resource -> new ResourceKey(resource.resourceType(), resource.resourceName()),
                resource -> legacyChange(image, resource));
        AlterConfigsResponseData response = new AlterConfigsResponseData();
        for (int index = 0; index < resources.size(); index++) {
            Change change = decided.changes().get(index);
            response.responses().add(new AlterConfigsResponseData.AlterConfigsResourceResponse()
                    .setResourceType(resources.get(index).resourceType())
                    .setResourceName(resources.get(index).resourceName())
                    .setErrorCode(change.errorCode()).setErrorMessage(change.errorMessage()));
        }
        return new ControllerResult<>(decided.records(), response);
    }

    /** Each resource's outcome in request order, and the records to commit. */
    private record Decided(List<Change> changes, List<MetadataRecord> records) {
    }

    /**
     * The rules both APIs share: a resource named twice is refused, the records count only without
     * {@code validateOnly}, the ELR clearing the accepted config records imply follows them, and past
     * {@link OperationLimits#RECORDS_PER_OPERATION_MAX} records every resource is refused with POLICY_VIOLATION and
     * nothing is written.
     */
    private static <R> Decided decide(MetadataImage image, List<R> resources, boolean validateOnly,
                                      Function<R, ResourceKey> keyOf, Function<R, Change> changeOf) {
        Set<ResourceKey> repeated = repeated(resources.stream().map(keyOf).toList());
        List<Change> changes = new ArrayList<>(resources.size());
        List<MetadataRecord> records = new ArrayList<>();
        for (R resource : resources) {
            Change change = repeated.contains(keyOf.apply(resource)) ? repeatedResource() : changeOf.apply(resource);
            changes.add(change);
            if (!validateOnly) {
                records.addAll(change.records());
            }
        }
        records.addAll(clearElrRecords(image, records));
        if (records.size() > OperationLimits.RECORDS_PER_OPERATION_MAX) {
            Change refused = Change.error(Errors.POLICY_VIOLATION, OperationLimits.TOO_MANY_RECORDS);
            return new Decided(java.util.Collections.nCopies(resources.size(), refused), List.of());
        }
        return new Decided(changes, records);
    }

    /**
     * Kafka's ClearElrRecords for the {@code min.insync.replicas} records among {@code records}, one per record: the
     * topic's for a topic, every topic's for a broker resource. None while ELR is off.
     */
    private static List<MetadataRecord> clearElrRecords(MetadataImage image, List<MetadataRecord> records) {
        if (!ReplicationControl.eligibleLeaderReplicasEnabled(image)) {
            return List.of();
        }
        List<MetadataRecord> clears = new ArrayList<>();
        for (MetadataRecord record : records) {
            if (record instanceof ConfigRecord config && config.name().equals(MIN_INSYNC_REPLICAS)) {
                clears.add(config.resourceType() == TOPIC ? new ClearElrRecord(config.resourceName())
                        : ClearElrRecord.allTopics());
            }
        }
        return clears;
    }

    private Change incrementalChange(MetadataImage image,
                                     IncrementalAlterConfigsRequestData.AlterConfigsResource resource) {
        List<AlterConfigOperation> operations = new ArrayList<>();
        Set<String> named = new HashSet<>();
        for (IncrementalAlterConfigsRequestData.AlterableConfig config : resource.configs()) {
            named.add(config.name());
            AlterConfigOperation.Type type;
            try {
                type = AlterConfigOperation.Type.forId(config.configOperation());
            } catch (IllegalArgumentException e) {
                return Change.error(Errors.INVALID_REQUEST, "Unknown operations type " + config.configOperation());
            }
            operations.add(new AlterConfigOperation(config.name(), type, config.value()));
        }
        return change(image, resource.resourceType(), resource.resourceName(), named, (type, current) -> switch (type) {
            case TOPIC -> IncrementalAlterConfigs.applyToTopic(current, operations);
            case GROUP -> IncrementalAlterConfigs.applyToGroup(current, operations);
            default -> IncrementalAlterConfigs.applyToBroker(current, operations);
        });
    }

    private static Set<ResourceKey> repeated(List<ResourceKey> keys) {
        Set<ResourceKey> seen = new HashSet<>();
        Set<ResourceKey> repeated = new HashSet<>();
        for (ResourceKey key : keys) {
            if (!seen.add(key)) {
                repeated.add(key);
            }
        }
        return repeated;
    }

    private static Change repeatedResource() {
        return Change.error(Errors.INVALID_REQUEST, "Each resource must appear at most once.");
    }

    /** The legacy AlterConfigs: the request's configs replace the resource's whole dynamic set. */
    private Change legacyChange(MetadataImage image, AlterConfigsRequestData.AlterConfigsResource resource) {
        Map<String, String> replacement = new LinkedHashMap<>();
        List<String> nullValued = new ArrayList<>();
        for (AlterConfigsRequestData.AlterableConfig config : resource.configs()) {
            if (replacement.containsKey(config.name())) {
                return Change.error(Errors.INVALID_REQUEST, "Error due to duplicate config keys");
            }
            replacement.put(config.name(), config.value());
            if (config.value() == null) {
                nullValued.add(config.name());
            }
        }
        if (!nullValued.isEmpty()) {
            return Change.error(Errors.INVALID_REQUEST, "Null value not supported for : "
                    + String.join(", ", nullValued));
        }
        return change(image, resource.resourceType(), resource.resourceName(), replacement.keySet(),
                (type, current) -> new IncrementalAlterConfigs.Outcome(replacement, null));
    }

    /** One resource's change; {@code named} are the config names the request gives for it. */
    private Change change(MetadataImage image, byte resourceType, String resourceName, Set<String> named,
                          Update update) {
        if (resourceType == TOPIC) {
            return topicChange(image, resourceName, update);
        }
        if (resourceType == BROKER) {
            return brokerChange(image, resourceName, named, update);
        }
        if (resourceType == GROUP) {
            return groupChange(image, resourceName, update);
        }
        // Kafka answers the same for BROKER_LOGGER in the legacy AlterConfigs, which never supported it.
        return Change.error(Errors.INVALID_REQUEST, "Unknown resource type " + resourceType);
    }

    private Change topicChange(MetadataImage image, String topic, Update update) {
        if (image.topic(topic).isEmpty()) {
            return Change.error(Errors.UNKNOWN_TOPIC_OR_PARTITION, "Topic '" + topic + "' does not exist.");
        }
        Map<String, String> current = image.topicConfig(topic);
        IncrementalAlterConfigs.Outcome outcome = update.apply(TOPIC, current);
        if (outcome.isError()) {
            return Change.error(outcome.error());
        }
        Optional<ConfigApiError> invalid = configs.resolve(image).validateTopicConfigs(outcome.configs());
        if (invalid.isPresent()) {
            return Change.error(invalid.get());
        }
        return new Change(Errors.NONE.code(), null, records(TOPIC, topic, current, outcome.configs()));
    }

    /**
     * A group resource: any non-empty group id, existing or not (Kafka stores configs for groups yet to come, and
     * keeps them when the group is deleted); the resulting overrides must be valid group configs.
     */
    private Change groupChange(MetadataImage image, String groupId, Update update) {
        if (groupId.isEmpty()) {
            return Change.error(Errors.INVALID_REQUEST, "Default group resources are not allowed.");
        }
        Map<String, String> current = image.groupConfig(groupId);
        IncrementalAlterConfigs.Outcome outcome = update.apply(GROUP, current);
        if (outcome.isError()) {
            return Change.error(outcome.error());
        }
        Optional<ConfigApiError> invalid = configs.resolve(image).validateGroupConfigs(outcome.configs());
        if (invalid.isPresent()) {
            return Change.error(invalid.get());
        }
        return new Change(Errors.NONE.code(), null, records(GROUP, groupId, current, outcome.configs()));
    }

    /**
     * A broker resource: "" is the cluster-wide default, else a broker id (the broker that received the request
     * checked that it names itself, as Kafka's broker does before the controller stores it).
     */
    private Change brokerChange(MetadataImage image, String resourceName, Set<String> named, Update update) {
        String storedName = resourceName;
        if (!resourceName.isEmpty()) {
            int id;
            try {
                id = Integer.parseInt(resourceName);
            } catch (NumberFormatException e) {
                return Change.error(Errors.INVALID_REQUEST, "Node id must be an integer, but it is: "
                        + resourceName);
            }
            storedName = Integer.toString(id); // "01" and "1" are the same broker
        }
        Map<String, String> current = image.brokerConfig(storedName);
        IncrementalAlterConfigs.Outcome outcome = update.apply(BROKER, current);
        if (outcome.isError()) {
            return Change.error(outcome.error());
        }
        String minIsrRefusal = minInsyncReplicasRefusal(image, storedName, named, current, outcome.configs());
        if (minIsrRefusal != null) {
            return Change.error(Errors.INVALID_CONFIG, minIsrRefusal);
        }
        Optional<ConfigApiError> invalid = ConfigResolver.validateBrokerConfigs(outcome.configs(),
                !storedName.isEmpty());
        if (invalid.isPresent()) {
            return Change.error(invalid.get());
        }
        return new Change(Errors.NONE.code(), null, records(BROKER, storedName, current, outcome.configs()));
    }

    /**
     * Kafka 4.4's refusal of a broker resource's {@code min.insync.replicas} change while ELR is on, checked where
     * Kafka checks it (after the operations apply, before the values are validated), or null. Kafka writes a record
     * for every config a broker resource's request names, changed or not, and refuses a per-broker record of any
     * value or a cluster-wide removal: so a named config counts as touched, and so does one the legacy API's
     * replacement drops.
     */
    private static String minInsyncReplicasRefusal(MetadataImage image, String brokerName, Set<String> named,
                                                   Map<String, String> current, Map<String, String> wanted) {
        if (!ReplicationControl.eligibleLeaderReplicasEnabled(image)) {
            return null;
        }
        String after = wanted.get(MIN_INSYNC_REPLICAS);
        boolean touched = named.contains(MIN_INSYNC_REPLICAS)
                || !Objects.equals(current.get(MIN_INSYNC_REPLICAS), after);
        if (!touched) {
            return null;
        }
        if (!brokerName.isEmpty()) {
            return BROKER_MIN_ISR_WITH_ELR;
        }
        return after == null ? CLUSTER_MIN_ISR_REMOVAL_WITH_ELR : null;
    }

    /** ConfigRecords that turn {@code current} into {@code wanted}; a removed config is a record with a null value. */
    private static List<MetadataRecord> records(byte resourceType, String resourceName, Map<String, String> current,
                                                Map<String, String> wanted) {
        Set<String> names = new HashSet<>(current.keySet());
        names.addAll(wanted.keySet());
        List<MetadataRecord> records = new ArrayList<>();
        for (String name : new TreeSet<>(names)) {
            String before = current.get(name);
            String after = wanted.get(name);
            if (after == null ? before != null : !after.equals(before)) {
                records.add(new ConfigRecord(resourceType, resourceName, name, after));
            }
        }
        return records;
    }
}
