package io.fjord.broker.handlers;

import io.fjord.metadata.controller.MetadataController;
import io.fjord.metadata.controller.TopicControl;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.CreatePartitionsRequestData;
import io.fjord.protocol.message.CreateTopicsRequestData;
import io.fjord.protocol.message.DeleteTopicsRequestData;
import java.util.concurrent.CompletionStage;

/**
 * CreateTopics, DeleteTopics and CreatePartitions: each request becomes one controller operation, answered once its
 * records are durable; a failed operation is answered with an error code for every topic ({@link ControllerFailures}).
 * Thread-safe.
 */
public final class TopicAdminHandlers {
    private final MetadataController controller;
    private final TopicControl topics;

    public TopicAdminHandlers(MetadataController controller, TopicControl topics) {
        this.controller = controller;
        this.topics = topics;
    }

    public CompletionStage<ApiMessage> createTopics(CreateTopicsRequestData request) {
        return controller.submit(image -> topics.createTopics(image, request))
                .exceptionally(failure -> ControllerFailures.createTopics(request, failure))
                .thenApply(ApiMessage.class::cast);
    }

    public ApiHandler createTopicsHandler() {
        return (context, request) -> createTopics((CreateTopicsRequestData) request.body());
    }

    public ApiHandler deleteTopicsHandler() {
        return (context, request) -> {
            DeleteTopicsRequestData body = (DeleteTopicsRequestData) request.body();
            return controller.submit(image -> topics.deleteTopics(image, body))
                    .exceptionally(failure -> ControllerFailures.deleteTopics(body, failure))
                    .thenApply(ApiMessage.class::cast);
        };
    }

    public ApiHandler createPartitionsHandler() {
        return (context, request) -> {
            CreatePartitionsRequestData body = (CreatePartitionsRequestData) request.body();
            return controller.submit(image -> topics.createPartitions(image, body))
                    .exceptionally(failure -> ControllerFailures.createPartitions(body, failure))
                    .thenApply(ApiMessage.class::cast);
        };
    }
}
