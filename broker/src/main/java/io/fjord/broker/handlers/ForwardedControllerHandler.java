package io.fjord.broker.handlers;

import io.fjord.broker.network.RequestContext;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.broker.controller.ControllerChannel;
import io.fjord.broker.controller.ControllerResponses;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.DescribeQuorumResponseData;
import io.fjord.protocol.message.ElectLeadersRequestData;
import io.fjord.protocol.message.ElectLeadersResponseData;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A client API that Kafka's brokers forward to the active controller as it came: DescribeQuorum, ElectLeaders,
 * UnregisterBroker, AlterPartitionReassignments and ListPartitionReassignments. The request goes through the {@link ControllerChannel} (in process on the active controller's
 * node, over the controller listener otherwise); the answer, which the controller may have written at a newer version
 * than the client's, is fitted to the client's version before it is encoded, and a channel failure becomes the API's
 * error response ({@link ControllerResponses#failure}).
 *
 * <p>Thread-safe: holds only a thread-safe channel.
 */
public final class ForwardedControllerHandler implements ApiHandler {
    private final ControllerChannel controller;
    private final ApiKey api;

    public ForwardedControllerHandler(ControllerChannel controller, ApiKey api) {
        if (!ControllerResponses.FORWARDED_APIS.contains(api)) {
            throw new IllegalArgumentException(api + " is not a forwarded controller API");
        }
        this.controller = controller;
        this.api = api;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DecodedRequest request) {
        ApiMessage body = request.body();
        short version = request.apiVersion();
        return controller.send(api, body)
                .exceptionally(failure -> ControllerResponses.failure(api, body, failure))
                .thenApply(response -> fitted(body, response, version));
    }

    /** The response with only what {@code version} can carry (a newer field set would not encode). */
    private ApiMessage fitted(ApiMessage request, ApiMessage response, short version) {
        if (api == ApiKey.DESCRIBE_QUORUM && version < 2) {
            // The response is this request's own (decoded or built for it), so it is changed in place.
            DescribeQuorumResponseData quorum = (DescribeQuorumResponseData) response;
            quorum.setErrorMessage(null).setNodes(new java.util.ArrayList<>());
            quorum.topics().forEach(topic -> topic.partitions().forEach(partition -> partition.setErrorMessage(null)));
            return quorum;
        }
        if (api == ApiKey.ELECT_LEADERS && version < 1) {
            ElectLeadersResponseData elect = (ElectLeadersResponseData) response;
            if (elect.errorCode() != 0) {
                // v0 has no top-level error: every partition named gets it (null, all partitions, gets none).
                return everyPartition((ElectLeadersRequestData) request, elect.errorCode());
            }
        }
        return response;
    }

    private static ElectLeadersResponseData everyPartition(ElectLeadersRequestData request, short errorCode) {
        ElectLeadersResponseData answer = new ElectLeadersResponseData();
        if (request.topicPartitions() == null) {
            return answer;
        }
        for (ElectLeadersRequestData.TopicPartitions topic : request.topicPartitions()) {
            List<ElectLeadersResponseData.PartitionResult> results = topic.partitions().stream()
                    .map(partition -> new ElectLeadersResponseData.PartitionResult().setPartitionId(partition)
                            .setErrorCode(errorCode)).toList();
            answer.replicaElectionResults().add(new ElectLeadersResponseData.ReplicaElectionResult()
                    .setTopic(topic.topic()).setPartitionResult(new java.util.ArrayList<>(results)));
        }
        return answer;
    }
}
