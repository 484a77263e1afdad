package io.fjord.broker.handlers;

import io.fjord.broker.controller.ControllerService;
import io.fjord.metadata.controller.TopicControl;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.CreatePartitionsRequestData;
import io.fjord.protocol.message.CreateTopicsRequestData;
import io.fjord.protocol.message.DeleteTopicsRequestData;
import java.util.concurrent.CompletionStage;

/**
 * CreateTopics, DeleteTopics and CreatePartitions: each request becomes one controller operation, answered once its
 * records are durable. Thread-safe.
 */
public final class TopicAdminHandlers {
    private final ControllerService controller;
    private final TopicControl topics;

    public TopicAdminHandlers(ControllerService controller, TopicControl topics) {
        this.controller = controller;
        this.topics = topics;
    }

    public CompletionStage<ApiMessage> createTopics(CreateTopicsRequestData request) {
        return controller.submit(image -> topics.createTopics(image, request)).thenApply(ApiMessage.class::cast);
    }

    public ApiHandler createTopicsHandler() {
        return (context, request) -> createTopics((CreateTopicsRequestData) request.body());
    }

    public ApiHandler deleteTopicsHandler() {
        return (context, request) -> controller.submit(image ->
                topics.deleteTopics(image, (DeleteTopicsRequestData) request.body())).thenApply(ApiMessage.class::cast);
    }

    public ApiHandler createPartitionsHandler() {
        return (context, request) -> controller.submit(image ->
                topics.createPartitions(image, (CreatePartitionsRequestData) request.body())).thenApply(ApiMessage.class::cast);
    }
}
