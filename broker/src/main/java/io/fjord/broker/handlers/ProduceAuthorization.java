package io.fjord.broker.handlers;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.security.authorizer.RequestAuthorization;
import io.fjord.metadata.acl.AclOperation;
import io.fjord.metadata.acl.AclResourceType;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.ProduceRequestData;
import io.fjord.protocol.message.ProduceResponseData;
import io.fjord.broker.network.ConnectionCloseRequest;
import io.fjord.broker.network.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Produce's checks, as Kafka 4.4's: a transactional request needs WRITE on its transactional id (else
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED for every partition), and each topic WRITE (else TOPIC_AUTHORIZATION_FAILED for
 * its partitions, which are not appended; the others are). A topic named by id that this node does not know is left to
 * the handler (UNKNOWN_TOPIC_ID). Idempotence needs no check here: InitProducerId made it. A denied acks=0 request
 * gets no response: its connection is closed instead (after the allowed topics are appended), as Kafka does.
 *
 * <p>Stateless; thread-safe.
 */
final class ProduceAuthorization {
    private static final UUID ZERO_ID = new UUID(0, 0);

    private ProduceAuthorization() {
    }

    static ApiHandler wrap(ApiKey api, ApiHandler handler, RequestAuthorization authorization, MetadataCache cache) {
        if (api != ApiKey.PRODUCE) {
            return null;
        }
        return (context, request) -> produce(context, request, handler, authorization, cache.image());
    }

    private static CompletionStage<ApiMessage> produce(RequestContext context, DecodedRequest request,
            ApiHandler handler, RequestAuthorization authorization, MetadataImage image) {
        ProduceRequestData body = (ProduceRequestData) request.body();
        if (body.transactionalId() != null && !authorization.authorize(context, AclOperation.WRITE,
                AclResourceType.TRANSACTIONAL_ID, body.transactionalId())) {
            return answer(body, errors(body.topicData(), Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED));
        }
        List<ProduceRequestData.TopicProduceData> allowed = new ArrayList<>();
        List<ProduceRequestData.TopicProduceData> denied = new ArrayList<>();
        for (ProduceRequestData.TopicProduceData topic : body.topicData()) {
            String name = name(topic, image);
            if (name != null && !authorization.authorize(context, AclOperation.WRITE, AclResourceType.TOPIC, name)) {
                denied.add(topic);
            } else {
                allowed.add(topic);
            }
        }
        if (denied.isEmpty()) {
            return handler.handle(context, request);
        }
        List<ProduceResponseData.TopicProduceResponse> deniedResponses =
                errors(denied, Errors.TOPIC_AUTHORIZATION_FAILED);
        if (allowed.isEmpty()) {
            return answer(body, deniedResponses);
        }
        body.setTopicData(allowed);
        return handler.handle(context, request).thenApply(response -> {
            if (body.acks() == 0) {
                // The allowed topics were appended; the close tells the producer the others were not.
                throw closeInstead(deniedResponses);
            }
            if (response instanceof ProduceResponseData produced) {
                produced.responses().addAll(deniedResponses);
            }
            return response;
        });
    }

    /**
     * The topic's name, as the handler finds it: as named, or its id's name in the image; null for an id this node
     * does not know.
     */
    private static String name(ProduceRequestData.TopicProduceData topic, MetadataImage image) {
        if (topic.name() != null && !topic.name().isEmpty()) {
            return topic.name();
        }
        if (topic.topicId() == null) {
            return null;
        }
        return image.topic(topic.topicId()).map(TopicImage::name).orElse(null);
    }

    /** The denial; for acks=0, which gets no response, the connection is closed instead, as Kafka does. */
    private static CompletionStage<ApiMessage> answer(ProduceRequestData body,
            List<ProduceResponseData.TopicProduceResponse> responses) {
        return body.acks() == 0 ? CompletableFuture.failedFuture(closeInstead(responses))
                : CompletableFuture.completedFuture(new ProduceResponseData().setResponses(new ArrayList<>(responses)));
    }

    private static ConnectionCloseRequest closeInstead(List<ProduceResponseData.TopicProduceResponse> denied) {
        StringBuilder reason = new StringBuilder("a produce with acks=0 was denied on");
        for (ProduceResponseData.TopicProduceResponse topic : denied) {
            Errors error = Errors.forCode(topic.partitionResponses().isEmpty() ? Errors.NONE.code()
                    : topic.partitionResponses().get(0).errorCode());
            reason.append(' ').append(topic.name() == null || topic.name().isEmpty() ? topic.topicId() : topic.name())
                    .append(" (").append(error.name()).append(')');
        }
        return new ConnectionCloseRequest(reason.toString());
    }

    private static List<ProduceResponseData.TopicProduceResponse> errors(
            List<ProduceRequestData.TopicProduceData> topics, Errors error) {
        List<ProduceResponseData.TopicProduceResponse> responses = new ArrayList<>();
        for (ProduceRequestData.TopicProduceData topic : topics) {
            ProduceResponseData.TopicProduceResponse response = new ProduceResponseData.TopicProduceResponse()
                    .setName(topic.name()).setTopicId(topic.topicId() == null ? ZERO_ID : topic.topicId());
            for (ProduceRequestData.PartitionProduceData partition : topic.partitionData()) {
                response.partitionResponses().add(new ProduceResponseData.PartitionProduceResponse()
                        .setIndex(partition.index()).setErrorCode(error.code()).setBaseOffset(-1)
                        .setLogAppendTimeMs(-1).setLogStartOffset(-1));
            }
            responses.add(response);
        }
        return responses;
    }
}
