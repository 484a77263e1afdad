package io.fjord.broker.handlers;

import io.fjord.broker.network.RequestContext;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.SaslAuthenticateResponseData;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * SaslAuthenticate that reaches the handlers: on a listener without SASL, or after the connection authenticated
 * (the SASL exchange itself is answered by the connection's {@code SaslAuthenticator}). ILLEGAL_SASL_STATE, Kafka's
 * answer. Stateless; thread-safe.
 */
public final class SaslAuthenticateHandler implements ApiHandler {
    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DecodedRequest request) {
        return CompletableFuture.completedFuture(new SaslAuthenticateResponseData()
                .setErrorCode(Errors.ILLEGAL_SASL_STATE.code())
                .setErrorMessage("SaslAuthenticate request received after successful authentication")
                .setAuthBytes(new byte[0]));
    }
}
