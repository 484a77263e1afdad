package io.fjord.broker.handlers;

import io.fjord.broker.network.RequestContext;

/**
 * How the Fetch handler asks the client quotas about a consumer's fetch once its partitions are read: the record
 * bytes are recorded, and a positive throttle time means the fetch is answered empty (the bytes then un-recorded),
 * as Kafka's {@code handleFetchRequest} does. Implementations are thread-safe.
 */
@FunctionalInterface
public interface ConsumerFetchQuota {
    /** No quota: every fetch answered with its records. */
    ConsumerFetchQuota NONE = (context, clientId, recordBytes) -> 0;

    /** Records {@code recordBytes} for the client; the throttle time in ms to answer empty, or 0. */
    int recordAndGetThrottleTimeMs(RequestContext context, String clientId, long recordBytes);
}
