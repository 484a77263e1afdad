package io.fjord.broker.quota;

import io.fjord.broker.handlers.ConsumerFetchQuota;
import io.fjord.broker.network.RequestContext;
import java.time.InstantSource;

/**
 * Kafka's decision on a consumer's fetch once it is read ({@code KafkaApis.handleFetchRequest}): its record bytes
 * are recorded against {@code consumer_byte_rate}; if that, or the client's {@code request_percentage} as it stands,
 * throttles the client, the fetch is answered empty with the longer throttle time and its bytes are un-recorded
 * (the client did not get them). Unlike Kafka, the request quota is judged before this fetch's own handler time is
 * recorded ({@link QuotaEnforcingHandler} records it once the fetch is answered).
 *
 * <p>Thread-safe: stateless apart from the thread-safe quota managers.
 */
public final class ConsumerFetchThrottle implements ConsumerFetchQuota {
    private final ClientQuotas quotas;
    private final InstantSource clock;

    public ConsumerFetchThrottle(ClientQuotas quotas, InstantSource clock) {
        this.quotas = quotas;
        this.clock = clock;
    }

    @Override
    public int recordAndGetThrottleTimeMs(RequestContext context, String clientId, long recordBytes) {
        String user = context.principal().name();
        long nowMs = clock.millis();
        long fetchMs = quotas.fetch().recordAndGetThrottleTimeMs(user, clientId, recordBytes, nowMs);
        long throttleMs = Math.max(fetchMs, quotas.request().throttleTimeMs(user, clientId, nowMs));
        if (throttleMs > 0) {
            quotas.fetch().unrecord(user, clientId, recordBytes, nowMs);
        }
        return (int) Math.min(Integer.MAX_VALUE, throttleMs);
    }
}
