package io.fjord.raft.transport;

import io.fjord.protocol.codec.SupportedVersions;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiVersionsResponseData;
import io.fjord.raft.KraftVersionRange;
import io.fjord.raft.KraftVersionUpgrade;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The APIs a controller listener serves: those of {@link RaftApis} and, at the versions its
 * {@link ControllerRequestHandler} states, the handler's controller APIs (a Raft API named by the handler stays
 * Raft's), and on a SASL listener SaslHandshake v0-1 and SaslAuthenticate v0-2. Decides what the listener decodes
 * and what its ApiVersions answer lists.
 *
 * <p>Immutable; thread-safe.
 */
final class ListenerApis implements SupportedVersions {
    private static final List<ApiKey> RAFT_APIS = List.of(ApiKey.FETCH, ApiKey.API_VERSIONS, ApiKey.VOTE,
            ApiKey.BEGIN_QUORUM_EPOCH, ApiKey.END_QUORUM_EPOCH, ApiKey.DESCRIBE_QUORUM, ApiKey.FETCH_SNAPSHOT,
            ApiKey.ADD_RAFT_VOTER, ApiKey.REMOVE_RAFT_VOTER, ApiKey.UPDATE_RAFT_VOTER);

    private static final short SASL_HANDSHAKE_HIGHEST = 1;
    private static final short SASL_AUTHENTICATE_HIGHEST = 2;
    private final ControllerRequestHandler handler;
    private final Set<ApiKey> controllerApis;
    private final boolean sasl;

    ListenerApis(ControllerRequestHandler handler) {
        this(handler, false);
    }

    ListenerApis(ControllerRequestHandler handler, boolean sasl) {
        this.handler = handler;
        this.sasl = sasl;
        Set<ApiKey> apis = new java.util.HashSet<>(handler.apis());
        apis.removeAll(RAFT_APIS);
        this.controllerApis = Set.copyOf(apis);
    }

    /** Whether requests of {@code apiKey} go to the controller request handler. */
    boolean isControllerApi(ApiKey apiKey) {
        return controllerApis.contains(apiKey);
    }

    @Override
    public boolean supports(ApiKey apiKey, short version) {
        if (controllerApis.contains(apiKey)) {
            return version >= handler.lowestVersion(apiKey) && version <= handler.highestVersion(apiKey);
        }
        if (sasl && (apiKey == ApiKey.SASL_HANDSHAKE || apiKey == ApiKey.SASL_AUTHENTICATE)) {
            return version >= 0 && version <= (apiKey == ApiKey.SASL_HANDSHAKE ? SASL_HANDSHAKE_HIGHEST
                    : SASL_AUTHENTICATE_HIGHEST);
        }
        return RaftApis.INSTANCE.supports(apiKey, version);
    }

    /** The ApiVersions answer: the Raft APIs, then the controller APIs in API key order. */
    ApiVersionsResponseData apiVersions() {
        List<ApiVersionsResponseData.ApiVersion> versions = new ArrayList<>();
        for (ApiKey apiKey : RAFT_APIS) {
            versions.add(version(apiKey, RaftApis.lowestVersion(apiKey), RaftApis.highestVersion(apiKey)));
        }
        if (sasl) {
            versions.add(version(ApiKey.SASL_HANDSHAKE, (short) 0, SASL_HANDSHAKE_HIGHEST));
            versions.add(version(ApiKey.SASL_AUTHENTICATE, (short) 0, SASL_AUTHENTICATE_HIGHEST));
        }
        controllerApis.stream().sorted().forEach(apiKey -> versions.add(version(apiKey,
                handler.lowestVersion(apiKey), handler.highestVersion(apiKey))));
        // The kraft.version levels this software supports: a leader adding this node as a voter checks them (KIP-853).
        return new ApiVersionsResponseData().setApiKeys(versions).setSupportedFeatures(List.of(
                new ApiVersionsResponseData.SupportedFeatureKey().setName(KraftVersionUpgrade.FEATURE_NAME)
                        .setMinVersion(KraftVersionRange.SUPPORTED.min())
                        .setMaxVersion(KraftVersionRange.SUPPORTED.max())));
    }

    private static ApiVersionsResponseData.ApiVersion version(ApiKey apiKey, short lowest, short highest) {
        return new ApiVersionsResponseData.ApiVersion().setApiKey(apiKey.id()).setMinVersion(lowest)
                .setMaxVersion(highest);
    }
}
