package io.fjord.broker.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.coordinator.transaction.ProducerIdSource;
import io.fjord.broker.network.RequestContext;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.InitProducerIdRequestData;
import io.fjord.protocol.message.InitProducerIdResponseData;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * InitProducerId on a broker: an idempotent producer gets an id from the producer id source, or Kafka's retriable
 * COORDINATOR_LOAD_IN_PROGRESS while none is at hand; a transactional id is refused as unsupported.
 */
class InitProducerIdHandlerTest {
    @Test
    void aTransactionalIdIsRefusedAsUnsupportedWithoutTakingAnId() throws Exception {
        AtomicInteger taken = new AtomicInteger();
        InitProducerIdResponseData response = handle(new InitProducerIdHandler(() -> {
            taken.incrementAndGet();
            return 1L;
        }), "payments");
        assertThat(response.errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
        assertThat(response.producerId()).isEqualTo(-1);
        assertThat(response.producerEpoch()).isEqualTo((short) -1);
        assertThat(taken).hasValue(0);
    }

    @Test
    void anIdempotentProducerGetsTheNextIdAtEpochZero() throws Exception {
        InitProducerIdResponseData response = handle(new InitProducerIdHandler(() -> 4242L), null);
        assertThat(response.errorCode()).isZero();
        assertThat(response.producerId()).isEqualTo(4242L);
        assertThat(response.producerEpoch()).isZero();
    }

    @Test
    void noIdAtHandIsTheRetriableLoadInProgress() throws Exception {
        InitProducerIdResponseData response = handle(new InitProducerIdHandler(() -> ProducerIdSource.NONE), null);
        assertThat(response.errorCode()).isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS.code());
        assertThat(response.producerId()).isEqualTo(-1);
        assertThat(response.producerEpoch()).isEqualTo((short) -1);
    }

    private static InitProducerIdResponseData handle(InitProducerIdHandler handler, String transactionalId)
            throws Exception {
        return (InitProducerIdResponseData) handler.handle(
                new RequestContext(1, "PLAINTEXT", new InetSocketAddress("127.0.0.1", 40_000), 0),
                new DecodedRequest(ApiKey.INIT_PRODUCER_ID, (short) 5, 1, "test", (short) 2,
                        new InitProducerIdRequestData().setTransactionalId(transactionalId)
                                .setTransactionTimeoutMs(transactionalId == null ? -1 : 60_000), 0))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
