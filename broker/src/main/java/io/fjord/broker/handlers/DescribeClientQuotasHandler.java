package io.fjord.broker.handlers;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.network.RequestContext;
import io.fjord.broker.quota.ClientQuotaDescriber;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.DescribeClientQuotasRequestData;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * DescribeClientQuotas (API 48, {@code kafka-configs --describe --entity-type users|clients|ips}), answered by any
 * broker from its metadata image as Kafka's brokers answer it ({@link ClientQuotaDescriber}). DESCRIBE_CONFIGS on the
 * cluster is checked in front of it ({@code ClusterApiAuthorization}), as Kafka requires.
 * Thread-safe: reads the current image once per request.
 */
public final class DescribeClientQuotasHandler implements ApiHandler {
    private final MetadataCache cache;

    public DescribeClientQuotasHandler(MetadataCache cache) {
        this.cache = cache;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DecodedRequest request) {
        return CompletableFuture.completedFuture(ClientQuotaDescriber.describe(cache.image().clientQuotas(),
                (DescribeClientQuotasRequestData) request.body()));
    }
}
