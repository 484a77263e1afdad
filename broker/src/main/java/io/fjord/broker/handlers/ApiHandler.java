package io.fjord.broker.handlers;

import io.fjord.broker.network.RequestContext;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiMessage;
import java.util.concurrent.CompletionStage;

/** Serves one API. Implementations are thread-safe and never block the calling event loop. */
@FunctionalInterface
public interface ApiHandler {
    CompletionStage<ApiMessage> handle(RequestContext context, DecodedRequest request);
}
