package io.fjord.broker.handlers;

import io.fjord.broker.config.AlterConfigOperation;
import io.fjord.broker.config.ConfigApiError;
import io.fjord.broker.config.ConfigResolver;
import io.fjord.broker.config.IncrementalAlterConfigs;
import io.fjord.broker.controller.ControllerService;
import io.fjord.metadata.controller.ControllerResult;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.records.ConfigRecord;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.AlterConfigsRequestData;
import io.fjord.protocol.message.AlterConfigsResponseData;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.IncrementalAlterConfigsRequestData;
import io.fjord.protocol.message.IncrementalAlterConfigsResponseData;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * IncrementalAlterConfigs (SET, DELETE, APPEND, SUBTRACT) and the legacy AlterConfigs (replace all overrides) for
 * topics: the new overrides are validated with Kafka's topic config definitions and become ConfigRecords through the
 * controller, so they are durable and replayed like any metadata (the log publisher applies them to the logs).
 * Broker resources are refused with INVALID_REQUEST until dynamic broker configuration exists. Thread-safe.
 */
public final class AlterConfigsHandlers {
    private static final byte TOPIC = 2;

    private final ControllerService controller;
    private final ConfigResolver resolver;

    public AlterConfigsHandlers(ControllerService controller, ConfigResolver resolver) {
        this.controller = controller;
        this.resolver = resolver;
    }

    /** The outcome for one resource: an error, or the records that set its new overrides. */
    private record Change(short errorCode, String errorMessage, List<MetadataRecord> records) {
        static Change error(Errors error, String message) {
            return new Change(error.code(), message, List.of());
        }
    }

    public ApiHandler incrementalAlterConfigsHandler() {
        return (context, request) -> {
            IncrementalAlterConfigsRequestData body = (IncrementalAlterConfigsRequestData) request.body();
            return controller.<ApiMessage>submit(image -> {
                IncrementalAlterConfigsResponseData response = new IncrementalAlterConfigsResponseData();
                List<MetadataRecord> records = new ArrayList<>();
                for (IncrementalAlterConfigsRequestData.AlterConfigsResource resource : body.resources()) {
                    List<AlterConfigOperation> operations = new ArrayList<>();
                    for (IncrementalAlterConfigsRequestData.AlterableConfig config : resource.configs()) {
                        operations.add(new AlterConfigOperation(config.name(),
                                AlterConfigOperation.Type.forId(config.configOperation()), config.value()));
                    }
                    Change change = change(image, resource.resourceType(), resource.resourceName(),
                            current -> IncrementalAlterConfigs.applyToTopic(current, operations));
                    response.responses().add(new IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse()
                            .setResourceType(resource.resourceType()).setResourceName(resource.resourceName())
                            .setErrorCode(change.errorCode()).setErrorMessage(change.errorMessage()));
                    if (!body.validateOnly()) {
                        records.addAll(change.records());
                    }
                }
                return new ControllerResult<>(records, response);
            });
        };
    }

    public ApiHandler alterConfigsHandler() {
        return (context, request) -> {
            AlterConfigsRequestData body = (AlterConfigsRequestData) request.body();
            return controller.<ApiMessage>submit(image -> {
                AlterConfigsResponseData response = new AlterConfigsResponseData();
                List<MetadataRecord> records = new ArrayList<>();
                for (AlterConfigsRequestData.AlterConfigsResource resource : body.resources()) {
                    Map<String, String> replacement = new LinkedHashMap<>();
                    resource.configs().forEach(config -> replacement.put(config.name(), config.value()));
                    Change change = change(image, resource.resourceType(), resource.resourceName(),
                            current -> new IncrementalAlterConfigs.Outcome(replacement, null));
                    response.responses().add(new AlterConfigsResponseData.AlterConfigsResourceResponse()
                            .setResourceType(resource.resourceType()).setResourceName(resource.resourceName())
                            .setErrorCode(change.errorCode()).setErrorMessage(change.errorMessage()));
                    if (!body.validateOnly()) {
                        records.addAll(change.records());
                    }
                }
                return new ControllerResult<>(records, response);
            });
        };
    }

    private Change change(MetadataImage image, byte resourceType, String resourceName,
                          java.util.function.Function<Map<String, String>, IncrementalAlterConfigs.Outcome> update) {
        if (resourceType != TOPIC) {
            return Change.error(Errors.INVALID_REQUEST, "Fjord does not support dynamic broker configuration yet");
        }
        if (image.topic(resourceName).isEmpty()) {
            return Change.error(Errors.UNKNOWN_TOPIC_OR_PARTITION, "Topic '" + resourceName + "' does not exist.");
        }
        Map<String, String> current = image.topicConfig(resourceName);
        IncrementalAlterConfigs.Outcome outcome = update.apply(current);
        if (outcome.error() != null) {
            return new Change(outcome.error().errorCode(), outcome.error().message(), List.of());
        }
        java.util.Optional<ConfigApiError> invalid = resolver.validateTopicConfigs(outcome.configs());
        if (invalid.isPresent()) {
            return new Change(invalid.get().errorCode(), invalid.get().message(), List.of());
        }
        List<MetadataRecord> records = new ArrayList<>();
        Set<String> names = new HashSet<>(current.keySet());
        names.addAll(outcome.configs().keySet());
        for (String name : names) {
            String before = current.get(name);
            String after = outcome.configs().get(name);
            if (after == null ? before != null : !after.equals(before)) {
                records.add(new ConfigRecord(ConfigRecord.TOPIC, resourceName, name, after));
            }
        }
        return new Change(Errors.NONE.code(), null, records);
    }
}
