package io.fjord.broker.controller;

import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import java.util.concurrent.CompletableFuture;

/**
 * How a broker's handlers reach the active controller: a controller API's request in, its response out. On the
 * active controller's node the request is decided in process ({@link ControllerApis}); the multi-node cluster
 * forwards it over the controller listener (issue #11). Only requests cross it, never code, so any node can send
 * them. A failure the controller answers (NOT_CONTROLLER, a refused operation) arrives as an error response; the
 * future fails only on a fatal error.
 *
 * <p>Implementations are thread-safe.
 */
@FunctionalInterface
public interface ControllerChannel {
    /** Sends {@code request}, a request of {@code api}, to the active controller. */
    CompletableFuture<ApiMessage> send(ApiKey api, ApiMessage request);
}
