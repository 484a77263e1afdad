package io.fjord.broker.handlers;

import io.fjord.broker.coordinator.transaction.ProducerIdSource;
import io.fjord.broker.network.RequestContext;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.InitProducerIdRequestData;
import io.fjord.protocol.message.InitProducerIdResponseData;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * InitProducerId for idempotent producers: a fresh producer id at epoch 0 from the broker's
 * {@link io.fjord.broker.producer.ProducerIdManager}, whose blocks the controller hands out durably
 * (AllocateProducerIds, a ProducerIdsRecord), so ids are never reused, even across restarts. While the manager has no
 * id at hand (the first request after a start, or a block still being fetched) the answer is
 * COORDINATOR_LOAD_IN_PROGRESS, which producers retry, as Kafka answers. A node with a transaction coordinator
 * routes transactional producers' requests to it ({@link TransactionProducerHandlers}, which uses this handler for
 * idempotent ones); alone, this handler refuses them with UNSUPPORTED_VERSION, Kafka's answer for a feature turned
 * off.
 *
 * <p>Thread-safe: the producer id source is.
 */
public final class InitProducerIdHandler implements ApiHandler {
    private final ProducerIdSource producerIds;

    public InitProducerIdHandler(ProducerIdSource producerIds) {
        this.producerIds = producerIds;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DecodedRequest request) {
        InitProducerIdRequestData body = (InitProducerIdRequestData) request.body();
        if (body.transactionalId() != null) {
            return CompletableFuture.completedFuture(failed(Errors.UNSUPPORTED_VERSION));
        }
        long producerId = producerIds.nextProducerId();
        if (producerId == ProducerIdSource.NONE) {
            return CompletableFuture.completedFuture(failed(Errors.COORDINATOR_LOAD_IN_PROGRESS));
        }
        return CompletableFuture.completedFuture(new InitProducerIdResponseData().setProducerId(producerId)
                .setProducerEpoch((short) 0));
    }

    private static ApiMessage failed(Errors error) {
        return new InitProducerIdResponseData().setErrorCode(error.code()).setProducerId(-1)
                .setProducerEpoch((short) -1);
    }
}
