package io.fjord.broker;

import io.fjord.broker.fetch.FetchManager;
import io.fjord.broker.handlers.ApiHandler;
import io.fjord.broker.network.RequestContext;
import io.fjord.broker.network.RequestDispatcher;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.codec.KafkaApiVersions;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.ApiVersionsResponseData;
import io.fjord.protocol.message.FetchRequestData;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Predicate;

/**
 * Routes requests to the handler of their API. Only APIs with a handler are advertised and accepted, each at the
 * version range kafka-clients 4.4.0 knows. Like Kafka 4.4, it lists Produce from v0 but serves it from v3: a
 * Produce v0-2 request is refused at its header by closing the connection ({@link KafkaApiVersions#oldestAdvertised}
 * says why). Immutable after construction; thread-safe.
 */
public final class BrokerDispatcher implements RequestDispatcher {
    private final Map<ApiKey, ApiHandler> handlers;
    private final Executor requestHandlers;
    private final Predicate<DecodedRequest> lightProduce;

    /**
     * @param requestHandlers runs the handlers, off the network event loops (Kafka's {@code num.io.threads} pool), so
     *                        log and metadata IO never stalls a connection's reads and writes; a follower's Fetch
     *                        alone runs on the calling event loop ({@link #isReplicaFetch}); no Produce does
     */
    public BrokerDispatcher(Map<ApiKey, ApiHandler> handlers, Executor requestHandlers) {
        this(handlers, requestHandlers, request -> false);
    }

    /**
     * @param lightProduce the Produce requests that also run on the calling event loop: those that cannot hold it
     *                     long ({@link io.fjord.broker.handlers.ProduceHandler#appendsOnNetworkThread})
     */
    public BrokerDispatcher(Map<ApiKey, ApiHandler> handlers, Executor requestHandlers,
                            Predicate<DecodedRequest> lightProduce) {
        this.handlers = new EnumMap<>(handlers);
        this.requestHandlers = requestHandlers;
        this.lightProduce = lightProduce;
    }

    @Override
    public boolean supports(ApiKey apiKey, short version) {
        if (!handlers.containsKey(apiKey)) {
            return false;
        }
        // ApiVersions v0 must always work: it is how a client learns the rest.
        short oldest = apiKey == ApiKey.API_VERSIONS ? 0 : KafkaApiVersions.oldest(apiKey);
        return version >= oldest && version <= KafkaApiVersions.latest(apiKey);
    }

    @Override
    public CompletionStage<ApiMessage> dispatch(RequestContext context, DecodedRequest request) {
        ApiHandler handler = handlers.get(request.apiKey());
        if (handler == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("no handler for " + request.apiKey()));
        }
        if (isReplicaFetch(request) || request.apiKey() == ApiKey.PRODUCE && lightProduce.test(request)) {
            // A follower's fetch reads the tail of logs the leader just wrote (page cache, no disk wait) and moves
            // high watermarks; a light produce checks CRCs and writes to the page cache. Served on the network
            // thread that read them, they save the hand-off to a request handler and back (two thread wake-ups
            // each: a fifth of the brokers' CPU under replication load for the fetches, a further 8 % for produces).
            try {
                return handler.handle(context, request);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        return CompletableFuture.supplyAsync(() -> handler.handle(context, request), requestHandlers)
                .thenCompose(stage -> stage);
    }

    /** A Fetch from a broker's replica fetcher. */
    static boolean isReplicaFetch(DecodedRequest request) {
        return request.apiKey() == ApiKey.FETCH && request.body() instanceof FetchRequestData fetch
                && FetchManager.isFromFollower(fetch, request.apiVersion());
    }

    /** The advertised APIs with their version ranges, as ApiVersions answers them. */
    public List<ApiVersionsResponseData.ApiVersion> advertisedVersions() {
        List<ApiVersionsResponseData.ApiVersion> versions = new ArrayList<>();
        for (ApiKey apiKey : handlers.keySet()) {
            versions.add(new ApiVersionsResponseData.ApiVersion().setApiKey(apiKey.id())
                    .setMinVersion(apiKey == ApiKey.API_VERSIONS ? 0 : KafkaApiVersions.oldestAdvertised(apiKey))
                    .setMaxVersion(KafkaApiVersions.latest(apiKey)));
        }
        return versions;
    }

    @Override
    public ApiMessage unsupportedApiVersionsResponse() {
        return new ApiVersionsResponseData().setErrorCode(Errors.UNSUPPORTED_VERSION.code())
                .setApiKeys(advertisedVersions());
    }
}
