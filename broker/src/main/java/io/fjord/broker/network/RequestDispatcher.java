package io.fjord.broker.network;

import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.codec.SupportedVersions;
import io.fjord.protocol.message.ApiMessage;
import java.util.concurrent.CompletionStage;

/**
 * Serves decoded requests: the broker's APIs behind the socket server. Implementations are thread-safe; the server
 * calls {@link #dispatch} from its event loops and must not be blocked, so long work completes the stage later.
 */
public interface RequestDispatcher extends SupportedVersions {
    /**
     * Handles one request. The stage completes with the response body, or with null for a request that gets no
     * response (produce with acks=0).
     */
    CompletionStage<ApiMessage> dispatch(RequestContext context, DecodedRequest request);

    /** The response to an ApiVersions request of a version this node does not serve (sent as ApiVersions v0). */
    ApiMessage unsupportedApiVersionsResponse();
}
