package io.fjord.broker.controller;

import io.fjord.broker.network.client.NodeConnection;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * One request on its way to the active controller: its API and body, the caller's future and the timer of its
 * deadline; answered exactly once, by a response, or by its error response at the deadline.
 *
 * <p>Not thread-safe: owned by the forwarding channel's event loop.
 */
final class ForwardedRequest {
    private final ApiKey api;
    private final ApiMessage body;
    private final CompletableFuture<ApiMessage> answer;
    private ScheduledFuture<?> deadline;
    /** The connection it is in flight on, or null while it waits. */
    private NodeConnection<ForwardedRequest> connection;
    private boolean answered;

    ForwardedRequest(ApiKey api, ApiMessage body, CompletableFuture<ApiMessage> answer) {
        this.api = api;
        this.body = body;
        this.answer = answer;
    }

    ApiKey api() {
        return api;
    }

    ApiMessage body() {
        return body;
    }

    void deadline(ScheduledFuture<?> timer) {
        this.deadline = timer;
    }

    NodeConnection<ForwardedRequest> connection() {
        return connection;
    }

    void connection(NodeConnection<ForwardedRequest> sentOn) {
        this.connection = sentOn;
    }

    boolean isAnswered() {
        return answered;
    }

    /** Completes the caller's future once; later calls do nothing. */
    void answer(ApiMessage response) {
        if (answered) {
            return;
        }
        answered = true;
        connection = null;
        if (deadline != null) {
            deadline.cancel(false);
        }
        answer.complete(response);
    }
}
