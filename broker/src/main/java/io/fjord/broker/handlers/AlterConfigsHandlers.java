package io.fjord.broker.handlers;

import io.fjord.broker.LoggerLevels;
import io.fjord.broker.config.AlterConfigOperation;
import io.fjord.broker.config.IncrementalAlterConfigs;
import io.fjord.broker.controller.ConfigControl;
import io.fjord.broker.controller.ControllerChannel;
import io.fjord.metadata.records.ConfigRecord;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.AlterConfigsRequestData;
import io.fjord.protocol.message.AlterConfigsResponseData;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.IncrementalAlterConfigsRequestData;
import io.fjord.protocol.message.IncrementalAlterConfigsResponseData;
import io.fjord.protocol.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * IncrementalAlterConfigs and the legacy AlterConfigs as a broker receives them, Kafka's split: what only this
 * broker can decide is answered here — logger levels (BROKER_LOGGER, applied at once and not durable), a broker
 * resource naming another broker (Kafka's broker refuses any id but its own, registered or not, since the Admin
 * client sends a broker's resource to that broker), a resource named twice — and the rest goes to the controller in
 * one request ({@link ConfigControl} decides it there), whose answers are merged back in the request's order. A
 * change of this broker's own configs is first checked here against what only this broker can check (its listeners'
 * new keystores: Kafka's broker validates a reconfiguration before forwarding it, and refuses it with
 * INVALID_REQUEST), also with validateOnly. Thread-safe.
 */
public final class AlterConfigsHandlers {
    private static final byte BROKER = ConfigRecord.BROKER;
    private static final byte BROKER_LOGGER = 8;

    private final ControllerChannel controller;
    private final int nodeId;
    private final LoggerLevels loggers;
    private final Supplier<Map<String, String>> currentBrokerConfigs;
    private final Function<Map<String, String>, Optional<String>> brokerConfigCheck;

    public AlterConfigsHandlers(ControllerChannel controller, int nodeId, LoggerLevels loggers) {
        this(controller, nodeId, loggers, Map::of, configs -> Optional.empty());
    }

    /**
     * @param currentBrokerConfigs this broker's dynamic configs now (from the metadata image)
     * @param brokerConfigCheck    why this broker cannot take a set of dynamic configs (all of them, as they would
     *                             be after the change), or empty
     */
    public AlterConfigsHandlers(ControllerChannel controller, int nodeId, LoggerLevels loggers,
                                Supplier<Map<String, String>> currentBrokerConfigs,
                                Function<Map<String, String>, Optional<String>> brokerConfigCheck) {
        this.controller = controller;
        this.nodeId = nodeId;
        this.loggers = loggers;
        this.currentBrokerConfigs = currentBrokerConfigs;
        this.brokerConfigCheck = brokerConfigCheck;
    }

    /** An answer decided on this broker. */
    private record LocalAnswer(short errorCode, String errorMessage) {
        static LocalAnswer of(Errors error, String message) {
            return new LocalAnswer(error.code(), message);
        }
    }

    private record ResourceKey(byte type, String name) {
    }

    public ApiHandler incrementalAlterConfigsHandler() {
        return (context, request) -> {
            IncrementalAlterConfigsRequestData body = (IncrementalAlterConfigsRequestData) request.body();
            Set<ResourceKey> repeated = repeated(body.resources().stream()
                    .map(resource -> new ResourceKey(resource.resourceType(), resource.resourceName())).toList());
            Map<Integer, LocalAnswer> local = new HashMap<>();
            IncrementalAlterConfigsRequestData forwarded = new IncrementalAlterConfigsRequestData()
                    .setValidateOnly(body.validateOnly());
            for (int index = 0; index < body.resources().size(); index++) {
                IncrementalAlterConfigsRequestData.AlterConfigsResource resource = body.resources().get(index);
                LocalAnswer answer = repeated.contains(new ResourceKey(resource.resourceType(),
                        resource.resourceName())) ? repeatedResource()
                        : resource.resourceType() == BROKER_LOGGER ? loggerChange(resource, body.validateOnly())
                        : resource.resourceType() == BROKER ? brokerChange(resource) : null;
                if (answer != null) {
                    local.put(index, answer);
                } else {
                    forwarded.resources().add(resource);
                }
            }
            CompletableFuture<ApiMessage> answered = forwarded.resources().isEmpty()
                    ? CompletableFuture.completedFuture(new IncrementalAlterConfigsResponseData())
                    : controller.send(ApiKey.INCREMENTAL_ALTER_CONFIGS, forwarded);
            return answered.thenApply(response -> {
                Iterator<AlterConfigsResourceResponse> fromController =
                        ((IncrementalAlterConfigsResponseData) response).responses().iterator();
                IncrementalAlterConfigsResponseData merged = new IncrementalAlterConfigsResponseData();
                for (int index = 0; index < body.resources().size(); index++) {
                    IncrementalAlterConfigsRequestData.AlterConfigsResource resource = body.resources().get(index);
                    LocalAnswer answer = local.get(index);
                    merged.responses().add(answer == null ? fromController.next()
                            : new AlterConfigsResourceResponse().setResourceType(resource.resourceType())
                            .setResourceName(resource.resourceName()).setErrorCode(answer.errorCode())
                            .setErrorMessage(answer.errorMessage()));
                }
                return merged;
            });
        };
    }

    public ApiHandler alterConfigsHandler() {
        return (context, request) -> {
            AlterConfigsRequestData body = (AlterConfigsRequestData) request.body();
            Set<ResourceKey> repeated = repeated(body.resources().stream()
                    .map(resource -> new ResourceKey(resource.resourceType(), resource.resourceName())).toList());
            Map<Integer, LocalAnswer> local = new HashMap<>();
            AlterConfigsRequestData forwarded = new AlterConfigsRequestData().setValidateOnly(body.validateOnly());
            for (int index = 0; index < body.resources().size(); index++) {
                AlterConfigsRequestData.AlterConfigsResource resource = body.resources().get(index);
                LocalAnswer answer = repeated.contains(new ResourceKey(resource.resourceType(),
                        resource.resourceName())) ? repeatedResource()
                        : resource.resourceType() == BROKER ? brokerChange(resource) : null;
                if (answer != null) {
                    local.put(index, answer);
                } else {
                    forwarded.resources().add(resource);
                }
            }
            CompletableFuture<ApiMessage> answered = forwarded.resources().isEmpty()
                    ? CompletableFuture.completedFuture(new AlterConfigsResponseData())
                    : controller.send(ApiKey.ALTER_CONFIGS, forwarded);
            return answered.thenApply(response -> {
                Iterator<AlterConfigsResponseData.AlterConfigsResourceResponse> fromController =
                        ((AlterConfigsResponseData) response).responses().iterator();
                AlterConfigsResponseData merged = new AlterConfigsResponseData();
                for (int index = 0; index < body.resources().size(); index++) {
                    AlterConfigsRequestData.AlterConfigsResource resource = body.resources().get(index);
                    LocalAnswer answer = local.get(index);
                    merged.responses().add(answer == null ? fromController.next()
                            : new AlterConfigsResponseData.AlterConfigsResourceResponse()
                            .setResourceType(resource.resourceType()).setResourceName(resource.resourceName())
                            .setErrorCode(answer.errorCode()).setErrorMessage(answer.errorMessage()));
                }
                return merged;
            });
        };
    }

    /** A BROKER_LOGGER resource, applied here (logger levels are not metadata). */
    private LocalAnswer loggerChange(IncrementalAlterConfigsRequestData.AlterConfigsResource resource,
                                     boolean validateOnly) {
        List<AlterConfigOperation> operations = new ArrayList<>();
        for (IncrementalAlterConfigsRequestData.AlterableConfig config : resource.configs()) {
            try {
                operations.add(new AlterConfigOperation(config.name(),
                        AlterConfigOperation.Type.forId(config.configOperation()), config.value()));
            } catch (IllegalArgumentException e) {
                return LocalAnswer.of(Errors.INVALID_REQUEST, "Unknown operations type " + config.configOperation());
            }
        }
        return BrokerLoggerChanges.apply(nodeId, resource.resourceName(), operations, validateOnly, loggers)
                .map(error -> new LocalAnswer(error.errorCode(), error.message()))
                .orElse(new LocalAnswer(Errors.NONE.code(), null));
    }

    /** Another broker refused, then a change of this broker's own configs checked (null: forward it). */
    private LocalAnswer brokerChange(IncrementalAlterConfigsRequestData.AlterConfigsResource resource) {
        LocalAnswer other = otherBroker(resource.resourceName());
        if (other != null || resource.resourceName().isEmpty()) {
            return other;
        }
        List<AlterConfigOperation> operations = new ArrayList<>();
        for (IncrementalAlterConfigsRequestData.AlterableConfig config : resource.configs()) {
            try {
                operations.add(new AlterConfigOperation(config.name(),
                        AlterConfigOperation.Type.forId(config.configOperation()), config.value()));
            } catch (IllegalArgumentException e) {
                return null; // the controller answers malformed operations
            }
        }
        IncrementalAlterConfigs.Outcome outcome = IncrementalAlterConfigs.applyToBroker(currentBrokerConfigs.get(),
                operations);
        return outcome.isError() ? null : checked(outcome.configs());
    }

    /** The legacy AlterConfigs: the resource's configs replace all of this broker's. */
    private LocalAnswer brokerChange(AlterConfigsRequestData.AlterConfigsResource resource) {
        LocalAnswer other = otherBroker(resource.resourceName());
        if (other != null || resource.resourceName().isEmpty()) {
            return other;
        }
        Map<String, String> proposed = new HashMap<>();
        resource.configs().forEach(config -> proposed.put(config.name(), config.value()));
        return checked(proposed);
    }

    private LocalAnswer checked(Map<String, String> proposed) {
        return brokerConfigCheck.apply(proposed).map(reason -> LocalAnswer.of(Errors.INVALID_REQUEST, reason))
                .orElse(null);
    }

    /**
     * A broker resource naming another broker is refused here, as Kafka's broker does; the cluster default ("")
     * and this broker go on (a name that is not a number the controller refuses).
     */
    private LocalAnswer otherBroker(String resourceName) {
        if (resourceName.isEmpty()) {
            return null;
        }
        int id;
        try {
            id = Integer.parseInt(resourceName);
        } catch (NumberFormatException e) {
            return null;
        }
        return id == nodeId ? null : LocalAnswer.of(Errors.INVALID_REQUEST, "Unexpected broker id, expected "
                + nodeId + ", but received " + resourceName);
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

    private static LocalAnswer repeatedResource() {
        return LocalAnswer.of(Errors.INVALID_REQUEST, "Each resource must appear at most once.");
    }
}
