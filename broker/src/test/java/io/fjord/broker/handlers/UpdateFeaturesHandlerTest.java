package io.fjord.broker.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.controller.ControllerChannel;
import io.fjord.metadata.controller.FeatureControl;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.UpdateFeaturesRequestData;
import io.fjord.protocol.message.UpdateFeaturesResponseData;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The broker side of UpdateFeatures: forwarded to the controller, fitted to the client's version. */
class UpdateFeaturesHandlerTest {
    private final AtomicReference<UpdateFeaturesRequestData> sent = new AtomicReference<>();
    private final ControllerChannel controller = (api, request) -> {
        assertThat(api).isEqualTo(ApiKey.UPDATE_FEATURES);
        sent.set((UpdateFeaturesRequestData) request);
        UpdateFeaturesResponseData response = new UpdateFeaturesResponseData();
        ((UpdateFeaturesRequestData) request).featureUpdates().forEach(update -> response.results().add(
                new UpdateFeaturesResponseData.UpdatableFeatureResult().setFeature(update.feature())));
        return CompletableFuture.completedFuture(response);
    };
    private final UpdateFeaturesHandler handler = new UpdateFeaturesHandler(controller);

    private UpdateFeaturesResponseData handle(UpdateFeaturesRequestData request, short version) throws Exception {
        DecodedRequest decoded = new DecodedRequest(ApiKey.UPDATE_FEATURES, version, 1, "test", (short) 2, request, 0);
        return (UpdateFeaturesResponseData) handler.handle(null, decoded).toCompletableFuture().get(10,
                TimeUnit.SECONDS);
    }

    private static UpdateFeaturesRequestData request(UpdateFeaturesRequestData.FeatureUpdateKey... updates) {
        return new UpdateFeaturesRequestData().setFeatureUpdates(new ArrayList<>(List.of(updates)));
    }

    @Test
    void versionZerosAllowDowngradeIsSentAsTheSafeDowngradeType() throws Exception {
        handle(request(new UpdateFeaturesRequestData.FeatureUpdateKey().setFeature("a").setMaxVersionLevel((short) 0)
                .setAllowDowngrade(true), new UpdateFeaturesRequestData.FeatureUpdateKey().setFeature("b")
                .setMaxVersionLevel((short) 1)), (short) 0);
        assertThat(sent.get().featureUpdates()).extracting(UpdateFeaturesRequestData.FeatureUpdateKey::upgradeType)
                .containsExactly(FeatureControl.SAFE_DOWNGRADE, FeatureControl.UPGRADE);
    }

    @Test
    void perFeatureResultsOnlyBeforeVersionTwo() throws Exception {
        UpdateFeaturesRequestData request = request(new UpdateFeaturesRequestData.FeatureUpdateKey().setFeature("a")
                .setMaxVersionLevel((short) 1).setUpgradeType(FeatureControl.UPGRADE));
        assertThat(handle(request, (short) 1).results()).hasSize(1);
        assertThat(handle(request, (short) 2).results()).isEmpty();
    }

    @Test
    void aFailedChannelIsAnErrorAnswer() throws Exception {
        UpdateFeaturesHandler failing = new UpdateFeaturesHandler((api, request) -> CompletableFuture
                .<ApiMessage>failedFuture(new java.util.concurrent.TimeoutException("no controller")));
        DecodedRequest decoded = new DecodedRequest(ApiKey.UPDATE_FEATURES, (short) 2, 1, "test", (short) 2,
                request(), 0);
        UpdateFeaturesResponseData response = (UpdateFeaturesResponseData) failing.handle(null, decoded)
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(Errors.forCode(response.errorCode())).isNotEqualTo(Errors.NONE);
    }
}
