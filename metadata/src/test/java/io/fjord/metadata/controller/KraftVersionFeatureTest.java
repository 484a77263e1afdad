package io.fjord.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.protocol.Errors;
import io.fjord.protocol.message.BrokerRegistrationRequestData;
import io.fjord.protocol.message.UpdateFeaturesRequestData;
import io.fjord.protocol.message.UpdateFeaturesResponseData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * UpdateFeatures for {@code kraft.version} (KIP-853) on the controller, as Kafka 4.4's FeatureControlManager: the
 * generic checks, then the Raft leader's validation and upgrade through the accessor (after every other update
 * passed), a downgrade refused, and no metadata record for it.
 */
class KraftVersionFeatureTest {
    private static final String KRAFT = FeatureControl.KRAFT_VERSION;

    /** A quorum's kraft.version as a test sets it: records the upgrades asked, refuses with {@link #refusal}. */
    private static final class FakeQuorum implements KraftVersionAccessor {
        short level;
        String refusal;
        boolean notLeader;
        final List<String> calls = new ArrayList<>();

        @Override
        public short kraftVersion() {
            return level;
        }

        @Override
        public String upgrade(short target, boolean validateOnly) {
            calls.add(target + (validateOnly ? " validate" : " upgrade"));
            if (notLeader) {
                throw new NotControllerException("node 1 does not lead the quorum");
            }
            if (refusal == null && !validateOnly) {
                level = target;
            }
            return refusal;
        }
    }

    private final ControllerFixture fixture = new ControllerFixture();
    private final FakeQuorum quorum = new FakeQuorum();
    private final FeatureControl features = new FeatureControl(1, (short) 1, Map.of(
            "share.version", new FeatureControl.FixedFeature((short) 0, (short) 0)), 2, quorum);

    private static UpdateFeaturesRequestData request(boolean validateOnly, Object... featureLevelType) {
        UpdateFeaturesRequestData request = new UpdateFeaturesRequestData().setValidateOnly(validateOnly);
        for (int i = 0; i < featureLevelType.length; i += 3) {
            request.featureUpdates().add(new UpdateFeaturesRequestData.FeatureUpdateKey()
                    .setFeature((String) featureLevelType[i]).setMaxVersionLevel(((Number) featureLevelType[i + 1])
                            .shortValue()).setUpgradeType(((Number) featureLevelType[i + 2]).byteValue()));
        }
        return request;
    }

    private UpdateFeaturesResponseData answer(UpdateFeaturesRequestData request) {
        ControllerResult<UpdateFeaturesResponseData> result = features.updateFeatures(fixture.image, request);
        assertThat(result.records()).as("kraft.version lives in the Raft log, not in the metadata image").isEmpty();
        return result.response();
    }

    /** Registers broker {@code id} with kraft.version 0-1, as a Fjord broker of this release does. */
    private void startBroker(int id, int kraftMax) {
        BrokerRegistrationRequestData registration = ControllerFixture.registration(id, new UUID(id, 1));
        registration.features().add(new BrokerRegistrationRequestData.Feature().setName(KRAFT)
                .setMinSupportedVersion((short) 0).setMaxSupportedVersion((short) kraftMax));
        fixture.apply(fixture.cluster.registerBroker(fixture.image, registration, 0));
    }

    @Test
    void anUpgradeIsValidatedThenMadeByTheRaftLeader() {
        startBroker(1, 1);
        UpdateFeaturesResponseData response = answer(request(false, KRAFT, 1, FeatureControl.UPGRADE));
        assertThat(response.errorCode()).isZero();
        assertThat(response.results()).singleElement().satisfies(result -> assertThat(result.feature())
                .isEqualTo(KRAFT));
        assertThat(quorum.calls).containsExactly("1 validate", "1 upgrade");
        assertThat(quorum.level).isEqualTo((short) 1);

        // The level in force again: nothing to do.
        quorum.calls.clear();
        assertThat(answer(request(false, KRAFT, 1, FeatureControl.UPGRADE)).errorCode()).isZero();
        assertThat(quorum.calls).isEmpty();
    }

    @Test
    void validateOnlyAsksTheLeaderToValidateAndChangesNothing() {
        assertThat(answer(request(true, KRAFT, 1, FeatureControl.UPGRADE)).errorCode()).isZero();
        assertThat(quorum.calls).containsExactly("1 validate");
        assertThat(quorum.level).isZero();
    }

    @Test
    void theLeadersRefusalAnswersInvalidUpdateVersionWithKafkasMessage() {
        quorum.refusal = "Invalid upgrade of kraft.version to 1 because not all of the voters support it";
        UpdateFeaturesResponseData response = answer(request(false, KRAFT, 1, FeatureControl.UPGRADE));
        assertThat(Errors.forCode(response.errorCode())).isEqualTo(Errors.INVALID_UPDATE_VERSION);
        assertThat(response.errorMessage()).isEqualTo("The update failed for all features since the following"
                + " feature had an error: Invalid upgrade of kraft.version to 1 because not all of the voters"
                + " support it");
        assertThat(quorum.calls).containsExactly("1 validate");
    }

    @Test
    void downgradesLevelsAboveOneAndBrokersWithoutSupportAreRefused() {
        quorum.level = 1;
        assertThat(answer(request(false, KRAFT, 0, FeatureControl.SAFE_DOWNGRADE)).errorMessage())
                .endsWith("Invalid update version 0 for feature kraft.version. Can't downgrade the version of this"
                        + " feature.");
        assertThat(answer(request(false, KRAFT, 0, FeatureControl.UPGRADE)).errorMessage())
                .endsWith("Can't downgrade the version of this feature without setting the upgrade type to either"
                        + " safe or unsafe downgrade.");
        assertThat(answer(request(false, KRAFT, 2, FeatureControl.UPGRADE)).errorMessage())
                .endsWith("Local controller 1 only supports versions 0-1");
        quorum.level = 0;
        startBroker(2, 0);
        assertThat(answer(request(false, KRAFT, 1, FeatureControl.UPGRADE)).errorMessage())
                .endsWith("Invalid update version 1 for feature kraft.version. Broker 2 does not support this"
                        + " feature.");
        assertThat(quorum.calls).isEmpty();
    }

    @Test
    void theUpgradeRunsOnlyOnceEveryOtherUpdatePassed() {
        UpdateFeaturesResponseData response = answer(request(false, KRAFT, 1, FeatureControl.UPGRADE,
                "transaction.version", 3, FeatureControl.UPGRADE));
        assertThat(Errors.forCode(response.errorCode())).isEqualTo(Errors.INVALID_UPDATE_VERSION);
        assertThat(quorum.calls).containsExactly("1 validate");
        assertThat(quorum.level).isZero();
    }

    @Test
    void aControllerThatLostTheQuorumLeadershipIsNotTheController() {
        quorum.notLeader = true;
        assertThatThrownBy(() -> features.updateFeatures(fixture.image, request(false, KRAFT, 1,
                FeatureControl.UPGRADE))).isInstanceOf(NotControllerException.class);
    }
}
