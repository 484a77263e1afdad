package io.fjord.broker.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.network.RequestContext;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiVersionsRequestData;
import io.fjord.protocol.message.ApiVersionsResponseData;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * ApiVersions: feature flags from v3 (supported ranges from v4, finalized levels with the metadata offset as epoch),
 * and v5's check of the cluster and node the client means to reach (KIP-1242), with the answers Kafka 4.4 gives.
 */
class ApiVersionsHandlerTest {
    private static final RequestContext CONTEXT = new RequestContext(1, "PLAINTEXT",
            new InetSocketAddress("127.0.0.1", 40_000), 0);
    private static final List<ApiVersionsResponseData.ApiVersion> VERSIONS = List.of(
            new ApiVersionsResponseData.ApiVersion().setApiKey(ApiKey.API_VERSIONS.id()).setMaxVersion((short) 5));

    private final MetadataCache cache = new MetadataCache("fjord-cluster", 3, new MetadataImage(41, Map.of(),
            Map.of(), Map.of(), Map.of(), Map.of(), 0));

    private ApiVersionsResponseData ask(int version, ApiVersionsRequestData request, boolean consumerProtocol)
            throws Exception {
        ApiVersionsHandler handler = new ApiVersionsHandler(() -> VERSIONS, cache,
                BrokerFeatures.of(consumerProtocol));
        return (ApiVersionsResponseData) handler.handle(CONTEXT, new DecodedRequest(ApiKey.API_VERSIONS,
                (short) version, 1, "test", (short) 1, request, 0)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static ApiVersionsRequestData target(String clusterId, int nodeId) {
        return new ApiVersionsRequestData().setClientSoftwareName("test").setClientSoftwareVersion("1")
                .setClusterId(clusterId).setNodeId(nodeId);
    }

    @Test
    void aClientNamingAnotherClusterOrNodeMustRebootstrapAndNamingOnlyOneIsInvalid() throws Exception {
        assertThat(ask(5, target("fjord-cluster", 3), true).errorCode()).isZero();
        assertThat(ask(5, target(null, -1), true).apiKeys()).isEqualTo(VERSIONS);
        for (ApiVersionsRequestData stale : List.of(target("other-cluster", 3), target("fjord-cluster", 4))) {
            ApiVersionsResponseData response = ask(5, stale, true);
            assertThat(response.errorCode()).isEqualTo(Errors.REBOOTSTRAP_REQUIRED.code());
            assertThat(response.apiKeys()).isEmpty();
        }
        for (ApiVersionsRequestData half : List.of(target("fjord-cluster", -1), target(null, 3))) {
            ApiVersionsResponseData response = ask(5, half, true);
            assertThat(response.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
            assertThat(response.apiKeys()).isEmpty();
        }
    }

    @Test
    void featuresSayWhatWorksWithTheMetadataOffsetAsEpoch() throws Exception {
        ApiVersionsResponseData response = ask(4, target(null, -1), true);
        assertThat(response.finalizedFeaturesEpoch()).isEqualTo(41);
        assertThat(response.finalizedFeatures()).extracting(feature -> feature.name() + "="
                + feature.minVersionLevel() + "-" + feature.maxVersionLevel()).containsExactly("group.version=1-1");
        assertThat(response.supportedFeatures()).extracting(feature -> feature.name() + "=" + feature.minVersion()
                + "-" + feature.maxVersion()).containsExactlyInAnyOrder("group.version=0-1",
                        "transaction.version=0-2", "share.version=0-0", "streams.version=0-0",
                        "eligible.leader.replicas.version=0-1", "kraft.version=0-1");

        // Without a transaction.version record (an older cluster) the level is 0, so left out.
        assertThat(ask(5, target(null, -1), false).finalizedFeatures()).isEmpty();
        // v3 clients cannot read a supported range that starts at 0 (KAFKA-17011).
        assertThat(ask(3, target(null, -1), true).supportedFeatures()).isEmpty();
        assertThat(ask(3, target(null, -1), true).finalizedFeatures()).hasSize(1);
        assertThat(ask(2, new ApiVersionsRequestData(), true).finalizedFeaturesEpoch()).isEqualTo(-1);
    }

    @Test
    void theTransactionVersionIsTheOneTheMetadataFinalized() throws Exception {
        // A 4.4 producer uses transaction protocol v2 exactly when it reads transaction.version 2 here.
        MetadataCache tv2Cluster = new MetadataCache("fjord-cluster", 3, new MetadataImage(41, Map.of(), Map.of(),
                Map.of(), Map.of(), Map.of(), 0, Map.of(), Map.of("transaction.version", (short) 2), -1));
        ApiVersionsHandler handler = new ApiVersionsHandler(() -> VERSIONS, tv2Cluster, BrokerFeatures.of(false));
        ApiVersionsResponseData response = (ApiVersionsResponseData) handler.handle(CONTEXT, new DecodedRequest(
                ApiKey.API_VERSIONS, (short) 4, 1, "test", (short) 1, target(null, -1), 0)).toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        assertThat(response.finalizedFeatures()).extracting(feature -> feature.name() + "="
                + feature.minVersionLevel() + "-" + feature.maxVersionLevel())
                .containsExactly("transaction.version=2-2");
        assertThat(BrokerFeatures.of(false).fixedFeatures()).doesNotContainKey("transaction.version");
    }

    @Test
    void theEligibleLeaderReplicasLevelIsTheOneTheMetadataFinalized() throws Exception {
        MetadataCache elrCluster = new MetadataCache("fjord-cluster", 3, new MetadataImage(41, Map.of(), Map.of(),
                Map.of(), Map.of(), Map.of(), 0, Map.of(), Map.of("eligible.leader.replicas.version", (short) 1),
                -1));
        ApiVersionsHandler handler = new ApiVersionsHandler(() -> VERSIONS, elrCluster, BrokerFeatures.of(false));
        ApiVersionsResponseData response = (ApiVersionsResponseData) handler.handle(CONTEXT, new DecodedRequest(
                ApiKey.API_VERSIONS, (short) 4, 1, "test", (short) 1, target(null, -1), 0)).toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        assertThat(response.finalizedFeatures()).extracting(feature -> feature.name() + "="
                + feature.minVersionLevel() + "-" + feature.maxVersionLevel())
                .containsExactly("eligible.leader.replicas.version=1-1");
    }

    @Test
    void kraftVersionIsTheMetadataQuorumsLevelAndLevelZeroIsLeftOut() throws Exception {
        short[] quorumLevel = {0};
        ApiVersionsHandler handler = new ApiVersionsHandler(() -> VERSIONS, cache, BrokerFeatures.of(false),
                () -> quorumLevel[0]);
        DecodedRequest request = new DecodedRequest(ApiKey.API_VERSIONS, (short) 4, 1, "test", (short) 1,
                target(null, -1), 0);
        ApiVersionsResponseData staticQuorum = (ApiVersionsResponseData) handler.handle(CONTEXT, request)
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(staticQuorum.finalizedFeatures()).isEmpty();
        quorumLevel[0] = 1;
        ApiVersionsResponseData dynamicQuorum = (ApiVersionsResponseData) handler.handle(CONTEXT, request)
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(dynamicQuorum.finalizedFeatures()).extracting(feature -> feature.name() + "="
                + feature.minVersionLevel() + "-" + feature.maxVersionLevel()).containsExactly("kraft.version=1-1");
    }
}
