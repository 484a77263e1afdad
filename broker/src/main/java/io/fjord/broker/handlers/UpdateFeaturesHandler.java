package io.fjord.broker.handlers;

import io.fjord.broker.network.RequestContext;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.UpdateFeaturesRequestData;
import io.fjord.protocol.message.UpdateFeaturesResponseData;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * UpdateFeatures (KIP-584, {@code kafka-features upgrade|downgrade}) as Kafka validates it, against what Fjord can
 * serve: a feature's level is fixed by the node's software and configuration ({@link BrokerFeatures}:
 * {@code group.version} by {@code group.coordinator.rebalance.protocols}, every other feature at 0), so an update
 * that asks for the level in force succeeds (nothing changes, as in Kafka) and any other is refused with Kafka's
 * INVALID_UPDATE_VERSION and a message saying why; an unknown upgrade type is INVALID_REQUEST. Like Kafka's
 * controller the request is all or nothing; from v2 the response carries only the first error, before v2 one result
 * per feature. Decided on the receiving node from its own levels, the ones its ApiVersions answer reports, since no
 * level is ever written to the metadata log.
 *
 * <p>Immutable; thread-safe.
 */
public final class UpdateFeaturesHandler implements ApiHandler {
    private static final byte UPGRADE = 1;
    private static final byte SAFE_DOWNGRADE = 2;
    private static final byte UNSAFE_DOWNGRADE = 3;

    private final BrokerFeatures features;

    public UpdateFeaturesHandler(BrokerFeatures features) {
        this.features = features;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DecodedRequest request) {
        return CompletableFuture.completedFuture(
                decide((UpdateFeaturesRequestData) request.body(), request.apiVersion()));
    }

    UpdateFeaturesResponseData decide(UpdateFeaturesRequestData request, short version) {
        UpdateFeaturesResponseData response = new UpdateFeaturesResponseData();
        for (UpdateFeaturesRequestData.FeatureUpdateKey update : request.featureUpdates()) {
            String refusal = refusal(update, version);
            Errors error = refusal == null ? Errors.NONE
                    : refusal.startsWith(UNKNOWN_TYPE) ? Errors.INVALID_REQUEST : Errors.INVALID_UPDATE_VERSION;
            if (version < 2) {
                response.results().add(new UpdateFeaturesResponseData.UpdatableFeatureResult()
                        .setFeature(update.feature()).setErrorCode(error.code()).setErrorMessage(refusal));
            } else if (refusal != null && response.errorCode() == Errors.NONE.code()) {
                response.setErrorCode(error.code()).setErrorMessage(refusal);
            }
        }
        return response;
    }

    private static final String UNKNOWN_TYPE = "Unable to update feature ";

    /** Why {@code update} cannot be served, or null when it asks for the level in force. */
    private String refusal(UpdateFeaturesRequestData.FeatureUpdateKey update, short version) {
        String name = update.feature();
        byte type = version == 0 ? (update.allowDowngrade() ? SAFE_DOWNGRADE : UPGRADE) : update.upgradeType();
        if (type != UPGRADE && type != SAFE_DOWNGRADE && type != UNSAFE_DOWNGRADE) {
            return UNKNOWN_TYPE + name + " because the upgrade type " + type + " is not known.";
        }
        short target = (short) Math.max(0, update.maxVersionLevel()); // below 1 asks for the feature's removal
        short current = features.finalizedLevel(name);
        String invalid = "Invalid update version " + update.maxVersionLevel() + " for feature " + name + ". ";
        if (!features.knows(name)) {
            return invalid + "Fjord does not know this feature.";
        }
        if (target < current && type == UPGRADE) {
            return invalid + "Can't downgrade the version of this feature without setting the upgrade type to"
                    + " either safe or unsafe downgrade.";
        }
        if (target > current && type != UPGRADE) {
            return invalid + "Can't downgrade to a newer version.";
        }
        if (target != current) {
            return invalid + "Fjord serves this feature only at level " + current + " (it supports 0-"
                    + features.maxSupportedLevel(name) + "; a level follows each node's software and configuration"
                    + " and cannot be changed at run time).";
        }
        return null;
    }
}
