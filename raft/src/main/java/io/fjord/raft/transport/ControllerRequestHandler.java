package io.fjord.raft.transport;

import io.fjord.protocol.codec.KafkaApiVersions;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * What a controller listener does with Kafka's controller requests (CreateTopics, BrokerRegistration, ...) that
 * other nodes forward to it: the node's controller, injected so that the raft module does not depend on the broker.
 * The listener decodes only the APIs in {@link #apis()} (at the versions below) besides the Raft APIs, lists them in
 * its ApiVersions answer, hands each such request to {@link #handle} and writes the response on the request's
 * connection when the future completes. The Raft APIs, ApiVersions and DescribeQuorum are never handed over.
 *
 * <p>Implementations are thread-safe: {@link #handle} is called on the listener's event loops and must not block.
 */
public interface ControllerRequestHandler {
    /** A listener that takes no controller requests: the Raft APIs only. */
    ControllerRequestHandler NONE = new ControllerRequestHandler() {
        @Override
        public Set<ApiKey> apis() {
            return Set.of();
        }

        @Override
        public CompletableFuture<ApiMessage> handle(ApiKey api, short version, ApiMessage request) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(api + " is not handled"));
        }
    };

    /** The controller APIs this handler answers. */
    Set<ApiKey> apis();

    /** The oldest version of {@code api} taken; kafka-clients' oldest by default. */
    default short lowestVersion(ApiKey api) {
        return KafkaApiVersions.oldest(api);
    }

    /** The newest version of {@code api} taken; kafka-clients' newest stable one by default. */
    default short highestVersion(ApiKey api) {
        return KafkaApiVersions.latest(api);
    }

    /**
     * Decides {@code request}, of {@code api} at {@code version}. The future completes with the response (an error
     * the controller decides, NOT_CONTROLLER included, is a response with that error code); a failed future is a
     * bug, and the listener closes the connection with a logged reason.
     */
    CompletableFuture<ApiMessage> handle(ApiKey api, short version, ApiMessage request);
}
