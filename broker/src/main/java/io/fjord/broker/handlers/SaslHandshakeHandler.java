package io.fjord.broker.handlers;

import io.fjord.broker.network.RequestContext;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.SaslHandshakeResponseData;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * SaslHandshake on a listener without SASL, which every Fjord listener is: ILLEGAL_SASL_STATE with no enabled
 * mechanisms, Kafka's answer on such a listener. A client configured for SASL thus fails at once with
 * {@code IllegalSaslStateException} naming the empty mechanism list, instead of reconnecting until its timeout (which
 * it does when the API is not advertised). Stateless; thread-safe.
 */
public final class SaslHandshakeHandler implements ApiHandler {
    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DecodedRequest request) {
        return CompletableFuture.completedFuture(new SaslHandshakeResponseData()
                .setErrorCode(Errors.ILLEGAL_SASL_STATE.code()).setMechanisms(new ArrayList<>()));
    }
}
