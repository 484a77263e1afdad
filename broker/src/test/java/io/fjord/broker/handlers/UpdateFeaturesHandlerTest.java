package io.fjord.broker.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.Errors;
import io.fjord.protocol.message.UpdateFeaturesRequestData;
import io.fjord.protocol.message.UpdateFeaturesResponseData;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UpdateFeaturesHandlerTest {
    private final UpdateFeaturesHandler withConsumerGroups = new UpdateFeaturesHandler(BrokerFeatures.of(true));

    private static UpdateFeaturesRequestData.FeatureUpdateKey update(String feature, int level, int upgradeType) {
        return new UpdateFeaturesRequestData.FeatureUpdateKey().setFeature(feature).setMaxVersionLevel((short) level)
                .setUpgradeType((byte) upgradeType);
    }

    private static UpdateFeaturesRequestData request(UpdateFeaturesRequestData.FeatureUpdateKey... updates) {
        return new UpdateFeaturesRequestData().setFeatureUpdates(new ArrayList<>(List.of(updates)));
    }

    private static Errors error(UpdateFeaturesResponseData.UpdatableFeatureResult result) {
        return Errors.forCode(result.errorCode());
    }

    @Test
    void theLevelInForceIsAccepted() {
        UpdateFeaturesResponseData response = withConsumerGroups.decide(request(update("group.version", 1, 1),
                update("transaction.version", 0, 2)), (short) 1);
        assertThat(response.errorCode()).isZero();
        assertThat(response.results()).extracting(UpdateFeaturesHandlerTest::error)
                .containsExactly(Errors.NONE, Errors.NONE);
    }

    @Test
    void levelsFjordCannotServeAreInvalidUpdateVersionsWithTheReason() {
        UpdateFeaturesResponseData response = withConsumerGroups.decide(request(update("transaction.version", 2, 1),
                update("group.version", 0, 1), update("group.version", 2, 2), update("group.version", 0, 2),
                update("metadata.version", 27, 1), update("group.version", 1, 7)), (short) 1);
        assertThat(response.results()).extracting(UpdateFeaturesHandlerTest::error).containsExactly(
                Errors.INVALID_UPDATE_VERSION, Errors.INVALID_UPDATE_VERSION, Errors.INVALID_UPDATE_VERSION,
                Errors.INVALID_UPDATE_VERSION, Errors.INVALID_UPDATE_VERSION, Errors.INVALID_REQUEST);
        assertThat(response.results().get(0).errorMessage()).contains("only at level 0");
        assertThat(response.results().get(1).errorMessage()).contains("safe or unsafe downgrade");
        assertThat(response.results().get(2).errorMessage()).contains("newer version");
        assertThat(response.results().get(3).errorMessage()).contains("only at level 1");
        assertThat(response.results().get(4).errorMessage()).contains("does not know");
    }

    @Test
    void fromVersionTwoTheFirstErrorIsTheAnswer() {
        UpdateFeaturesResponseData response = withConsumerGroups.decide(request(update("group.version", 1, 1),
                update("share.version", 1, 1), update("streams.version", 1, 1)), (short) 2);
        assertThat(response.results()).isEmpty();
        assertThat(Errors.forCode(response.errorCode())).isEqualTo(Errors.INVALID_UPDATE_VERSION);
        assertThat(response.errorMessage()).contains("share.version");
    }

    @Test
    void versionZeroReadsAllowDowngrade() {
        UpdateFeaturesHandler classicOnly = new UpdateFeaturesHandler(BrokerFeatures.of(false));
        UpdateFeaturesResponseData response = classicOnly.decide(request(
                new UpdateFeaturesRequestData.FeatureUpdateKey().setFeature("group.version")
                        .setMaxVersionLevel((short) 0).setAllowDowngrade(true)), (short) 0);
        assertThat(response.results()).extracting(UpdateFeaturesHandlerTest::error).containsExactly(Errors.NONE);
    }
}
