package io.fjord.broker.quota;

import io.fjord.broker.fetch.FetchManager;
import io.fjord.broker.handlers.ApiHandler;
import io.fjord.broker.network.RequestContext;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.FetchRequestData;
import io.fjord.protocol.message.FetchResponseData;
import io.fjord.protocol.message.ThrottledResponse;
import java.time.InstantSource;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;

/**
 * Enforces the client quotas around one API's handler, as Kafka's request handling does:
 * <ul>
 * <li>the request percentage: the time the handler takes on its request handler thread is recorded against the
 * client's {@code request_percentage};</li>
 * <li>Produce: the request's size is recorded against {@code producer_byte_rate} once the append completed;</li>
 * <li>Fetch from a consumer: the request's {@code max_bytes} is first lowered to what the quota allows in its window
 * (Kafka's {@code getMaxValueInQuotaWindow}); the Fetch handler then records the record bytes read against
 * {@code consumer_byte_rate} and answers a fetch over it, or over the request quota, empty with its throttle time
 * ({@link ConsumerFetchThrottle}), which this handler mutes the connection for.</li>
 * </ul>
 * The longest throttle earned goes into the response's {@code throttle_time_ms} and mutes the connection for that
 * long after the response leaves (KIP-219); a Produce with acks=0 has no response and is throttled by the muting alone.
 * Requests Kafka exempts are passed through untouched: ApiVersions, SASL, follower fetches and inter-broker markers.
 *
 * <p>Thread-safe: stateless apart from the thread-safe quota managers.
 */
public final class QuotaEnforcingHandler implements ApiHandler {
    private static final Set<ApiKey> EXEMPT = Set.of(ApiKey.API_VERSIONS, ApiKey.SASL_HANDSHAKE,
            ApiKey.SASL_AUTHENTICATE, ApiKey.WRITE_TXN_MARKERS);

    private final ApiKey api;
    private final ApiHandler delegate;
    private final ClientQuotas quotas;
    private final InstantSource clock;
    private final LongSupplier nanoTime;

    /** @param nanoTime the monotonic clock that times the handler's work (System::nanoTime) */
    public QuotaEnforcingHandler(ApiKey api, ApiHandler delegate, ClientQuotas quotas, InstantSource clock,
                                 LongSupplier nanoTime) {
        this.api = api;
        this.delegate = delegate;
        this.quotas = quotas;
        this.clock = clock;
        this.nanoTime = nanoTime;
    }

    /** Every handler of {@code handlers} wrapped (the exempt APIs too: they pass through). */
    public static Map<ApiKey, ApiHandler> wrapAll(Map<ApiKey, ApiHandler> handlers, ClientQuotas quotas,
            InstantSource clock, LongSupplier nanoTime) {
        Map<ApiKey, ApiHandler> wrapped = new EnumMap<>(ApiKey.class);
        handlers.forEach((api, handler) -> wrapped.put(api, EXEMPT.contains(api) ? handler
                : new QuotaEnforcingHandler(api, handler, quotas, clock, nanoTime)));
        return wrapped;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DecodedRequest request) {
        boolean consumerFetch = false;
        if (api == ApiKey.FETCH && request.body() instanceof FetchRequestData fetch) {
            if (FetchManager.isFromFollower(fetch, request.apiVersion())) {
                return delegate.handle(context, request); // replication is throttled by its own quotas
            }
            consumerFetch = true;
            capFetch(context, request.clientId(), fetch);
        }
        long startNanos = nanoTime.getAsLong();
        CompletionStage<ApiMessage> stage = delegate.handle(context, request);
        long handlerNanos = Math.max(0, nanoTime.getAsLong() - startNanos);
        boolean fetchBytes = consumerFetch;
        return stage.thenApply(response -> {
            throttle(context, request, response, handlerNanos, fetchBytes);
            return response;
        });
    }

    /** Kafka's fetch rule: no more in one response than the quota allows over all windows but the current one. */
    private void capFetch(RequestContext context, String clientId, FetchRequestData fetch) {
        long quotaBytes = quotas.fetch().maxValueInQuotaWindow(context.principal().name(), clientId);
        if (quotaBytes < fetch.maxBytes()) {
            int maxBytes = (int) Math.max(1, quotaBytes);
            fetch.setMaxBytes(maxBytes);
            fetch.setMinBytes(Math.min(fetch.minBytes(), maxBytes));
        }
    }

    private void throttle(RequestContext context, DecodedRequest request, ApiMessage response, long handlerNanos,
            boolean consumerFetch) {
        String user = context.principal().name();
        String clientId = request.clientId();
        long nowMs = clock.millis();
        long throttleMs = quotas.request().recordAndGetThrottleTimeMs(user, clientId, handlerNanos, nowMs);
        if (api == ApiKey.PRODUCE) {
            throttleMs = Math.max(throttleMs, quotas.produce().recordAndGetThrottleTimeMs(user, clientId,
                    request.sizeBytes(), nowMs));
        } else if (consumerFetch && response instanceof FetchResponseData fetched) {
            throttleMs = Math.max(throttleMs, fetched.throttleTimeMs()); // an empty throttled answer's
        }
        if (throttleMs <= 0) {
            return;
        }
        int throttleTimeMs = (int) Math.min(Integer.MAX_VALUE, throttleMs);
        if (response instanceof ThrottledResponse throttled) {
            throttled.setThrottleTimeMs(Math.max(throttled.throttleTimeMs(), throttleTimeMs));
        }
        context.throttle().muteFor(throttleTimeMs);
    }
}
