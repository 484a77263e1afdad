package io.fjord.broker.handlers;

import io.fjord.broker.controller.ControllerChannel;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.CreateTopicsRequestData;
import java.util.concurrent.CompletionStage;

/**
 * CreateTopics, DeleteTopics and CreatePartitions: each request goes to the controller as it came, which answers once
 * its records are committed (a failed operation with an error code for every topic). Thread-safe.
 */
public final class TopicAdminHandlers {
    private final ControllerChannel controller;

    public TopicAdminHandlers(ControllerChannel controller) {
        this.controller = controller;
    }

    /** Also how Metadata and FindCoordinator create topics automatically. */
    public CompletionStage<ApiMessage> createTopics(CreateTopicsRequestData request) {
        return controller.send(ApiKey.CREATE_TOPICS, request);
    }

    public ApiHandler createTopicsHandler() {
        return (context, request) -> createTopics((CreateTopicsRequestData) request.body());
    }

    public ApiHandler deleteTopicsHandler() {
        return (context, request) -> controller.send(ApiKey.DELETE_TOPICS, request.body());
    }

    public ApiHandler createPartitionsHandler() {
        return (context, request) -> controller.send(ApiKey.CREATE_PARTITIONS, request.body());
    }
}
