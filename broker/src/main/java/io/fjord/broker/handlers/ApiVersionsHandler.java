package io.fjord.broker.handlers;

import io.fjord.broker.network.RequestContext;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.ApiVersionsResponseData;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/** ApiVersions: the APIs this node serves and their version ranges. Thread-safe. */
public final class ApiVersionsHandler implements ApiHandler {
    private final Supplier<List<ApiVersionsResponseData.ApiVersion>> versions;

    public ApiVersionsHandler(Supplier<List<ApiVersionsResponseData.ApiVersion>> versions) {
        this.versions = versions;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DecodedRequest request) {
        return CompletableFuture.completedFuture(new ApiVersionsResponseData().setApiKeys(versions.get()));
    }
}
