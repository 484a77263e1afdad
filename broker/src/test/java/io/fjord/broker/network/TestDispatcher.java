package io.fjord.broker.network;

import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.ApiVersionsResponseData;
import io.fjord.protocol.message.MetadataResponseData;
import io.fjord.protocol.message.ProduceRequestData;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A dispatcher for socket server tests: ApiVersions is answered with the list of served API keys, Metadata with a
 * configurable (by default empty) response, Produce with acks=0 with no response, and Fetch (and Produce with acks
 * other than 0) is slow: its future waits in {@link #slowRequests} until the test completes it. A client id of
 * {@code throw} makes dispatch throw; {@code fail} completes the stage exceptionally; {@code out-of-memory} completes it
 * with an OutOfMemoryError, as a request handler that ran out of memory does.
 *
 * <p>Thread-safe.
 */
final class TestDispatcher implements RequestDispatcher {
    static final Map<ApiKey, short[]> SERVED = Map.of(
            ApiKey.API_VERSIONS, new short[] {0, 3},
            ApiKey.METADATA, new short[] {0, 12},
            ApiKey.FETCH, new short[] {4, 12},
            ApiKey.PRODUCE, new short[] {3, 9},
            // Answered by the connection's SASL state on a SASL listener, never dispatched here.
            ApiKey.SASL_HANDSHAKE, new short[] {0, 1},
            ApiKey.SASL_AUTHENTICATE, new short[] {0, 2});

    /** A request whose response the test decides. */
    record SlowRequest(RequestContext context, DecodedRequest request, CompletableFuture<ApiMessage> response) {
    }

    final BlockingQueue<SlowRequest> slowRequests = new LinkedBlockingQueue<>();
    final AtomicInteger dispatched = new AtomicInteger();
    private volatile MetadataResponseData metadataResponse = new MetadataResponseData();

    void metadataResponse(MetadataResponseData response) {
        metadataResponse = response;
    }

    /** The next slow request, waiting at most 10 seconds. */
    SlowRequest nextSlowRequest() throws InterruptedException {
        SlowRequest request = slowRequests.poll(10, TimeUnit.SECONDS);
        if (request == null) {
            throw new AssertionError("no slow request was dispatched within 10 s");
        }
        return request;
    }

    static ApiVersionsResponseData apiVersions(short errorCode) {
        List<ApiVersionsResponseData.ApiVersion> keys = SERVED.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(entry -> new ApiVersionsResponseData.ApiVersion().setApiKey(entry.getKey().id())
                        .setMinVersion(entry.getValue()[0]).setMaxVersion(entry.getValue()[1]))
                .toList();
        return new ApiVersionsResponseData().setErrorCode(errorCode).setApiKeys(keys);
    }

    @Override
    public boolean supports(ApiKey apiKey, short version) {
        short[] range = SERVED.get(apiKey);
        return range != null && version >= range[0] && version <= range[1];
    }

    @Override
    public CompletionStage<ApiMessage> dispatch(RequestContext context, DecodedRequest request) {
        dispatched.incrementAndGet();
        if ("throw".equals(request.clientId())) {
            throw new IllegalStateException("dispatcher failure requested by the test");
        }
        if ("out-of-memory".equals(request.clientId())) {
            return CompletableFuture.failedFuture(new OutOfMemoryError("test: a handler runs out of memory"));
        }
        if ("fail".equals(request.clientId())) {
            return CompletableFuture.failedFuture(new IllegalStateException("handler failure requested by the test"));
        }
        switch (request.apiKey()) {
            case API_VERSIONS:
                return CompletableFuture.completedFuture(apiVersions(Errors.NONE.code()));
            case METADATA:
                return CompletableFuture.completedFuture(metadataResponse);
            case PRODUCE:
                if (((ProduceRequestData) request.body()).acks() == 0) {
                    return CompletableFuture.completedFuture(null);
                }
                return slow(context, request);
            default:
                return slow(context, request);
        }
    }

    private CompletionStage<ApiMessage> slow(RequestContext context, DecodedRequest request) {
        CompletableFuture<ApiMessage> response = new CompletableFuture<>();
        slowRequests.add(new SlowRequest(context, request, response));
        return response;
    }

    @Override
    public ApiMessage unsupportedApiVersionsResponse() {
        return apiVersions(Errors.UNSUPPORTED_VERSION.code());
    }
}
