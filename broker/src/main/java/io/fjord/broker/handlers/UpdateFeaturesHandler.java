package io.fjord.broker.handlers;

import io.fjord.broker.controller.ControllerChannel;
import io.fjord.broker.controller.ControllerResponses;
import io.fjord.broker.network.RequestContext;
import io.fjord.metadata.controller.FeatureControl;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.UpdateFeaturesRequestData;
import io.fjord.protocol.message.UpdateFeaturesResponseData;
import java.util.concurrent.CompletionStage;

/**
 * UpdateFeatures (KIP-584, {@code kafka-features upgrade|downgrade}, {@code Admin.updateFeatures}), forwarded to the
 * active controller as Kafka's brokers forward it, where {@code metadata.controller.FeatureControl} decides it and
 * commits the levels to the metadata log. A version-0 request's {@code AllowDowngrade} becomes the safe-downgrade
 * upgrade type before it leaves (the forwarded request is written at a version without that field). The answer
 * carries per-feature results only before version 2 (Kafka 4.4's v2 answers with the top-level error alone).
 *
 * <p>Thread-safe: holds only a thread-safe channel.
 */
public final class UpdateFeaturesHandler implements ApiHandler {
    private final ControllerChannel controller;

    public UpdateFeaturesHandler(ControllerChannel controller) {
        this.controller = controller;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DecodedRequest request) {
        UpdateFeaturesRequestData body = (UpdateFeaturesRequestData) request.body();
        short version = request.apiVersion();
        if (version == 0) {
            body.featureUpdates().forEach(update -> update.setUpgradeType(update.allowDowngrade()
                    ? FeatureControl.SAFE_DOWNGRADE : FeatureControl.UPGRADE));
        }
        return controller.send(ApiKey.UPDATE_FEATURES, body)
                .exceptionally(failure -> ControllerResponses.failure(ApiKey.UPDATE_FEATURES, body, failure))
                .thenApply(response -> fitted((UpdateFeaturesResponseData) response, version));
    }

    private static ApiMessage fitted(UpdateFeaturesResponseData response, short version) {
        if (version >= 2) {
            response.results().clear();
        }
        return response;
    }
}
