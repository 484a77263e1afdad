package io.fjord.broker.handlers;

import io.fjord.metadata.controller.MetadataController;
import io.fjord.broker.network.RequestContext;
import io.fjord.metadata.controller.ControllerResult;
import io.fjord.metadata.records.ProducerIdsRecord;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.InitProducerIdRequestData;
import io.fjord.protocol.message.InitProducerIdResponseData;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * InitProducerId for idempotent producers: a fresh producer id at epoch 0, taken from a block of ids the controller
 * hands out durably (a ProducerIdsRecord), so ids are never reused, even across restarts. Transactional producers
 * need the transaction coordinator, which Fjord does not have yet: their requests are refused with
 * UNSUPPORTED_VERSION, Kafka's answer for a feature turned off (clients learn it earlier, from FindCoordinator for
 * their transactional id, see {@link FindCoordinatorHandler}).
 *
 * <p>Thread-safe: the current block is guarded by this object's monitor.
 */
public final class InitProducerIdHandler implements ApiHandler {
    static final int BLOCK_SIZE = 1000;

    private final MetadataController controller;
    private final int nodeId;
    private long nextId;
    private long blockEnd;

    public InitProducerIdHandler(MetadataController controller, int nodeId) {
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
                .setProducerEpoch((short) 0)).exceptionally(ControllerFailures::initProducerId);
    }

    private CompletableFuture<Long> nextProducerId() {
        synchronized (this) {
            if (nextId < blockEnd) {
                return CompletableFuture.completedFuture(nextId++);
            }
        }
        return controller.submit(image -> {
            long start = image.nextProducerId();
            return new ControllerResult<>(List.of(new ProducerIdsRecord(nodeId, start + BLOCK_SIZE)), start);
        }).thenCompose(start -> {
            synchronized (this) {
                if (nextId >= blockEnd) {
                    nextId = start;
                    blockEnd = start + BLOCK_SIZE;
                }
            }
            return nextProducerId();
        });
    }
}
