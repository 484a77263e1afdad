package io.fjord.broker.replica;

/**
 * Makes the {@link LeaderEndpoint} of each replica fetcher: one per leader and fetcher index. Thread-safe.
 */
public interface LeaderEndpoints extends AutoCloseable {
    /** The endpoint through which fetcher {@code fetcherIndex} reaches broker {@code leaderId}. */
    LeaderEndpoint endpoint(int leaderId, int fetcherIndex);

    /** Starts what the endpoints share (the network thread); before the first {@link #endpoint}. */
    default void start() {
    }

    /** Stops what the endpoints share; after every endpoint is closed. */
    @Override
    default void close() {
    }
}
