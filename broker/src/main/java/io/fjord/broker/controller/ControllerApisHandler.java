package io.fjord.broker.controller;

import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.raft.transport.ControllerRequestHandler;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The controller listener's handler of forwarded controller requests on a node that runs a controller: each goes to
 * the node's {@link ControllerApis}, which answers NOT_CONTROLLER for every topic or resource while the node's
 * controller is not the active one, so the forwarding node asks the new leader.
 *
 * <p>Thread-safe: holds only a thread-safe collaborator.
 */
public final class ControllerApisHandler implements ControllerRequestHandler {
    private final Supplier<ControllerApis> controllerApis;

    public ControllerApisHandler(ControllerApis controllerApis) {
        this(() -> controllerApis);
    }

    /**
     * A handler whose controller is set after the listener is built (the listener belongs to the quorum the
     * controller runs on); it must be set before the listener starts.
     */
    public ControllerApisHandler(Supplier<ControllerApis> controllerApis) {
        this.controllerApis = controllerApis;
    }

    @Override
    public Set<ApiKey> apis() {
        return ControllerApis.APIS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(ApiKey api, short version, ApiMessage request) {
        return controllerApis.get().send(api, request);
    }
}
