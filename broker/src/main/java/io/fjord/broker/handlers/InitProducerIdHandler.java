package io.fjord.broker.handlers;

import io.fjord.broker.controller.ControllerFailures;
import io.fjord.broker.controller.ControllerChannel;
import io.fjord.protocol.message.AllocateProducerIdsRequestData;
import io.fjord.protocol.message.AllocateProducerIdsResponseData;
import io.fjord.protocol.message.ApiKey;
import io.fjord.broker.network.RequestContext;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.InitProducerIdRequestData;
import io.fjord.protocol.message.InitProducerIdResponseData;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * InitProducerId for idempotent producers: a fresh producer id at epoch 0, taken from a block of ids the controller
 * hands out durably (AllocateProducerIds, a ProducerIdsRecord), so ids are never reused, even across restarts. Transactional producers
 * need the transaction coordinator, which Fjord does not have yet: their requests are refused with
 * UNSUPPORTED_VERSION, Kafka's answer for a feature turned off (clients learn it earlier, from FindCoordinator for
 * their transactional id, see {@link FindCoordinatorHandler}).
 *
 * <p>Thread-safe: the current block is guarded by this object's monitor.
 */
public final class InitProducerIdHandler implements ApiHandler {
    private final ControllerChannel controller;
    private final int nodeId;
    private long nextId;
    private long blockEnd;

    public InitProducerIdHandler(ControllerChannel controller, int nodeId) {
        this.controller = controller;
        this.nodeId = nodeId;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DecodedRequest request) {
        InitProducerIdRequestData body = (InitProducerIdRequestData) request.body();
        if (body.transactionalId() != null) {
            return CompletableFuture.completedFuture(new InitProducerIdResponseData()
                    .setErrorCode(Errors.UNSUPPORTED_VERSION.code()).setProducerId(-1).setProducerEpoch((short) -1));
        }
        return nextProducerId().<ApiMessage>thenApply(id -> new InitProducerIdResponseData().setProducerId(id)
                .setProducerEpoch((short) 0)).exceptionally(InitProducerIdHandler::failed);
    }

    private static InitProducerIdResponseData failed(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
                : failure;
        if (cause instanceof BlockRefused refused) {
            return new InitProducerIdResponseData().setErrorCode(refused.error.code()).setProducerId(-1)
                    .setProducerEpoch((short) -1);
        }
        return ControllerFailures.initProducerId(failure);
    }

    /** The controller answered AllocateProducerIds with an error, which the producer gets. */
    private static final class BlockRefused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Errors error;

        BlockRefused(Errors error) {
            super(error.name(), null, false, false);
            this.error = error;
        }
    }

    private CompletableFuture<Long> nextProducerId() {
        synchronized (this) {
            if (nextId < blockEnd) {
                return CompletableFuture.completedFuture(nextId++);
            }
        }
        return controller.send(ApiKey.ALLOCATE_PRODUCER_IDS, new AllocateProducerIdsRequestData().setBrokerId(nodeId)
                .setBrokerEpoch(-1)).thenCompose(answer -> {
            AllocateProducerIdsResponseData block = (AllocateProducerIdsResponseData) answer;
            if (block.errorCode() != Errors.NONE.code()) {
                return CompletableFuture.failedFuture(new BlockRefused(Errors.forCode(block.errorCode())));
            }
            long start = block.producerIdStart();
            synchronized (this) {
                if (nextId >= blockEnd) {
                    nextId = start;
                    blockEnd = start + block.producerIdLen();
                }
            }
            return nextProducerId();
        });
    }
}
