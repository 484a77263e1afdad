package io.fjord.broker.controller;

import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * Ways to put controller channels together. Stateless; thread-safe.
 */
public final class ControllerChannels {
    private ControllerChannels() {
    }

    /**
     * The channel of a node that runs a controller: a request of an API in {@code localApis} is decided in process
     * by {@code local} while {@code isActive} says this node's controller is the active one, and forwarded by
     * {@code forwarding} otherwise. A local answer that says NOT_CONTROLLER (the leadership moved between the check
     * and the decision) is forwarded after all, so callers see one behaviour: the active controller's answer.
     *
     * @param isActive whether this node's controller is active ({@code QuorumController::isActive}); thread-safe
     */
    public static ControllerChannel routing(ControllerChannel local, Set<ApiKey> localApis,
            ControllerChannel forwarding, BooleanSupplier isActive) {
        Set<ApiKey> decidedLocally = Set.copyOf(localApis);
        return (api, request) -> {
            if (!decidedLocally.contains(api) || !isActive.getAsBoolean()) {
                return forwarding.send(api, request);
            }
            return local.send(api, request).thenCompose(response -> forwardIfNotController(forwarding, api,
                    request, response));
        };
    }

    private static CompletableFuture<ApiMessage> forwardIfNotController(ControllerChannel forwarding, ApiKey api,
            ApiMessage request, ApiMessage response) {
        if (ControllerResponses.FORWARDED_APIS.contains(api) && ControllerResponses.isNotController(api, response)) {
            return forwarding.send(api, request);
        }
        return CompletableFuture.completedFuture(response);
    }
}
