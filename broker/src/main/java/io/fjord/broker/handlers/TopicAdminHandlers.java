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
        return controller.submit(image -> topics.createTopics(image, request)).thenApply(response -> response);
    }

    public ApiHandler createTopicsHandler() {
        return (context, request) -> createTopics((CreateTopicsRequestData) request.body());
    }

    public ApiHandler deleteTopicsHandler() {
        return (context, request) -> controller.<ApiMessage>submit(image -> {
            var result = topics.deleteTopics(image, (DeleteTopicsRequestData) request.body());
            return new io.fjord.metadata.controller.ControllerResult<>(result.records(), result.response());
        });
    }

    public ApiHandler createPartitionsHandler() {
        return (context, request) -> controller.<ApiMessage>submit(image -> {
            var result = topics.createPartitions(image, (CreatePartitionsRequestData) request.body());
            return new io.fjord.metadata.controller.ControllerResult<>(result.records(), result.response());
        });
    }
}
