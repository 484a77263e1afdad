package io.fjord.broker.handlers;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.network.RequestContext;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.ApiVersionsRequestData;
import io.fjord.protocol.message.ApiVersionsResponseData;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * ApiVersions: the APIs this node serves and their version ranges, and from v3 its feature flags
 * ({@link BrokerFeatures}) with the metadata offset as their epoch, as Kafka reports it. From v5 (KIP-1242) a client
 * may name the cluster and node it means to reach: naming only one of them is INVALID_REQUEST, naming another cluster
 * or node REBOOTSTRAP_REQUIRED (the client then starts over from its bootstrap servers); both with an empty API list,
 * as Kafka 4.4 answers. Thread-safe.
 */
public final class ApiVersionsHandler implements ApiHandler {
    private static final short FEATURES_VERSION = 3;
    private static final short TARGET_CHECK_VERSION = 5;

    private final Supplier<List<ApiVersionsResponseData.ApiVersion>> versions;
    private final MetadataCache cache;
    private final BrokerFeatures features;
    private final java.util.function.IntSupplier kraftVersion;

    public ApiVersionsHandler(Supplier<List<ApiVersionsResponseData.ApiVersion>> versions, MetadataCache cache,
            BrokerFeatures features) {
        this(versions, cache, features, () -> 0);
    }

    /** @param kraftVersion the metadata quorum's {@code kraft.version} as this node's Raft log has it (KIP-853) */
    public ApiVersionsHandler(Supplier<List<ApiVersionsResponseData.ApiVersion>> versions, MetadataCache cache,
            BrokerFeatures features, java.util.function.IntSupplier kraftVersion) {
        this.versions = versions;
        this.cache = cache;
        this.features = features;
        this.kraftVersion = kraftVersion;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DecodedRequest request) {
        short version = request.apiVersion();
        if (version >= TARGET_CHECK_VERSION) {
            Errors targetError = checkTarget((ApiVersionsRequestData) request.body());
            if (targetError != Errors.NONE) {
                return CompletableFuture.completedFuture(new ApiVersionsResponseData()
                        .setErrorCode(targetError.code()));
            }
        }
        ApiVersionsResponseData response = new ApiVersionsResponseData().setApiKeys(versions.get());
        if (version >= FEATURES_VERSION) {
            // Kafka's epoch is the metadata offset: it only grows, and clients keep the features of the highest.
            response.setSupportedFeatures(features.supported(version))
                    .setFinalizedFeaturesEpoch(Math.max(0, cache.image().offset()))
                    .setFinalizedFeatures(features.withFinalized(cache.image().features(),
                            (short) kraftVersion.getAsInt()).finalized());
        }
        return CompletableFuture.completedFuture(response);
    }

    /** KIP-1242: is this the cluster and node the client means to reach? */
    private Errors checkTarget(ApiVersionsRequestData body) {
        boolean namesCluster = body.clusterId() != null;
        boolean namesNode = body.nodeId() != -1;
        if (!namesCluster && !namesNode) {
            return Errors.NONE;
        }
        if (namesCluster != namesNode) {
            return Errors.INVALID_REQUEST;
        }
        boolean same = body.clusterId().equals(cache.clusterId()) && body.nodeId() == cache.nodeId();
        return same ? Errors.NONE : Errors.REBOOTSTRAP_REQUIRED;
    }
}
