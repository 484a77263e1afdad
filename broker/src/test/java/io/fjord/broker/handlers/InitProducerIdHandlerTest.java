package io.fjord.broker.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.network.RequestContext;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.InitProducerIdRequestData;
import io.fjord.protocol.message.InitProducerIdResponseData;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** InitProducerId with a transactional id: refused as unsupported, the answer Kafka gives a feature turned off. */
class InitProducerIdHandlerTest {
    @Test
    void aTransactionalIdIsRefusedAsUnsupportedWithoutAskingTheController() throws Exception {
        // No controller: a transactional request must be answered before any producer id is taken.
        InitProducerIdHandler handler = new InitProducerIdHandler(null, 1);
        InitProducerIdResponseData response = (InitProducerIdResponseData) handler.handle(
                new RequestContext(1, "PLAINTEXT", new InetSocketAddress("127.0.0.1", 40_000), 0),
                new DecodedRequest(ApiKey.INIT_PRODUCER_ID, (short) 5, 1, "test", (short) 2,
                        new InitProducerIdRequestData().setTransactionalId("payments").setTransactionTimeoutMs(60_000),
                        0)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(response.errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
        assertThat(response.producerId()).isEqualTo(-1);
        assertThat(response.producerEpoch()).isEqualTo((short) -1);
    }
}
