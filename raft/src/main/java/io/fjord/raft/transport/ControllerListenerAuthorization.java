package io.fjord.raft.transport;

import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import java.util.concurrent.CompletableFuture;

/**
 * What a controller listener checks before it serves a request, as Kafka 4.4's {@code ControllerApis} does: the Raft
 * APIs, DescribeQuorum and voter changes are allowed or refused whole ({@link #allows}; the listener answers a refusal
 * with CLUSTER_AUTHORIZATION_FAILED in the API's shape), controller APIs go through {@link #handle}, which may answer
 * part of a request itself and pass on only what was allowed. Injected by the server (the raft module knows no
 * authorizer); without an authorizer the listener checks nothing ({@link #NONE}).
 *
 * <p>Implementations are thread-safe: called on the listener's event loops, and must not block.
 */
public interface ControllerListenerAuthorization {
    /** No authorizer: every request is served as it came. */
    ControllerListenerAuthorization NONE = new ControllerListenerAuthorization() {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public boolean allows(InboundPrincipal principal, ApiKey api) {
            return true;
        }

        @Override
        public CompletableFuture<ApiMessage> handle(InboundPrincipal principal, DecodedRequest request,
                ControllerRequestHandler handler) {
            return handler.handle(request.apiKey(), request.apiVersion(), request.body());
        }
    };

    /** Whether requests are checked at all (the listener then works out each connection's principal). */
    boolean enabled();

    /** Whether {@code principal} may send a request of the Raft API {@code api} (DescribeQuorum and voter changes too). */
    boolean allows(InboundPrincipal principal, ApiKey api);

    /**
     * Answers the controller API {@code request} from {@code principal}: {@code handler} with what the principal may
     * do, denials in the API's error shape. A failed future is a bug (the listener closes the connection).
     */
    CompletableFuture<ApiMessage> handle(InboundPrincipal principal, DecodedRequest request,
            ControllerRequestHandler handler);
}
