package io.fjord.broker.replica;

import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import java.util.concurrent.CompletableFuture;

/**
 * How a replica fetcher talks to the leader it follows: a request in, its response out. Over the network
 * ({@link NetworkLeaderEndpoint}), or in memory in tests and simulations.
 *
 * <p>Implementations are thread-safe.
 */
public interface LeaderEndpoint extends AutoCloseable {
    /** Builds a request's body for the version it will be sent at (fields differ between versions). */
    @FunctionalInterface
    interface RequestBuilder {
        /**
         * @throws UnsupportedOperationException when the request cannot be expressed at {@code version}
         */
        ApiMessage build(short version);
    }

    /**
     * Sends a request of {@code api}; the future fails when the leader cannot be reached, does not answer within
     * the request timeout, serves no version of the API that this node can send, or the endpoint closes.
     */
    CompletableFuture<ApiMessage> send(ApiKey api, RequestBuilder request);

    /**
     * How a fetcher's thread waits for this endpoint's answers and for work; called once per fetcher. By default it
     * blocks, the answers coming from other threads.
     */
    default FetcherWaits newWaits() {
        return new ThreadWaits();
    }

    /** Fails what is in flight and lets go of the connection; later sends fail. */
    @Override
    void close();
}
