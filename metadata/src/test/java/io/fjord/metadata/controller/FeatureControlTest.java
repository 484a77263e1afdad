package io.fjord.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.metadata.records.ConfigRecord;
import io.fjord.metadata.records.FeatureLevelRecord;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.UpdateFeaturesRequestData;
import io.fjord.protocol.message.UpdateFeaturesResponseData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** UpdateFeatures on the controller: Kafka 4.4's checks, the ELR level in the log, and what it does to partitions. */
class FeatureControlTest {
    private static final String ELR = ReplicationControl.ELIGIBLE_LEADER_REPLICAS_FEATURE;

    private final ControllerFixture fixture = new ControllerFixture();
    private final FeatureControl features = new FeatureControl(1, (short) 1, Map.of(
            "group.version", new FeatureControl.FixedFeature((short) 1, (short) 1),
            "share.version", new FeatureControl.FixedFeature((short) 0, (short) 0)), 2);
    private static final String TRANSACTION_VERSION = FeatureControl.TRANSACTION_VERSION;
    private final long[] epochs = new long[4];

    private static UpdateFeaturesRequestData.FeatureUpdateKey update(String feature, int level, int upgradeType) {
        return new UpdateFeaturesRequestData.FeatureUpdateKey().setFeature(feature).setMaxVersionLevel((short) level)
                .setUpgradeType((byte) upgradeType);
    }

    private static UpdateFeaturesRequestData request(UpdateFeaturesRequestData.FeatureUpdateKey... updates) {
        return new UpdateFeaturesRequestData().setFeatureUpdates(new ArrayList<>(List.of(updates)));
    }

    private UpdateFeaturesResponseData apply(UpdateFeaturesRequestData request) {
        return fixture.apply(features.updateFeatures(fixture.image, request));
    }

    private short elrLevel() {
        return fixture.image.features().getOrDefault(ELR, (short) 0);
    }

    private String refusal(UpdateFeaturesRequestData request) {
        ControllerResult<UpdateFeaturesResponseData> result = features.updateFeatures(fixture.image, request);
        assertThat(result.records()).isEmpty();
        assertThat(Errors.forCode(result.response().errorCode())).isEqualTo(Errors.INVALID_UPDATE_VERSION);
        assertThat(result.response().results()).isEmpty();
        return result.response().errorMessage();
    }

    @Test
    void upgradeAndDowngradeWriteTheLevelAndDescribeSuccessPerFeature() {
        fixture.startBroker(1, 0);
        UpdateFeaturesResponseData upgraded = apply(request(update(ELR, 1, FeatureControl.UPGRADE)));
        assertThat(upgraded.errorCode()).isZero();
        assertThat(upgraded.results()).singleElement().satisfies(result -> {
            assertThat(result.feature()).isEqualTo(ELR);
            assertThat(result.errorCode()).isZero();
        });
        assertThat(elrLevel()).isEqualTo((short) 1);
        assertThat(ReplicationControl.eligibleLeaderReplicasEnabled(fixture.image)).isTrue();

        apply(request(update(ELR, 0, FeatureControl.SAFE_DOWNGRADE)));
        assertThat(fixture.image.features()).doesNotContainKey(ELR);
        assertThat(ReplicationControl.eligibleLeaderReplicasEnabled(fixture.image)).isFalse();
    }

    @Test
    void enablingWritesKafkasSafetyConfigsInTheSameResult() {
        fixture.replay(List.of(new ConfigRecord(ConfigRecord.BROKER, "2", ReplicationControl.MIN_INSYNC_REPLICAS,
                "3")));
        ControllerResult<UpdateFeaturesResponseData> result = features.updateFeatures(fixture.image,
                request(update(ELR, 1, FeatureControl.UPGRADE)));
        assertThat(result.records()).containsExactly(
                new ConfigRecord(ConfigRecord.BROKER, "", ReplicationControl.MIN_INSYNC_REPLICAS, "2"),
                new ConfigRecord(ConfigRecord.BROKER, "2", ReplicationControl.MIN_INSYNC_REPLICAS, null),
                new FeatureLevelRecord(ELR, (short) 1));
        fixture.apply(result);
        // A cluster-wide value already there is kept.
        assertThat(features.updateFeatures(fixture.image, request(update(ELR, 1, FeatureControl.UPGRADE)))
                .records()).containsExactly(new FeatureLevelRecord(ELR, (short) 1));
    }

    @Test
    void validateOnlyChecksEverythingAndWritesNothing() {
        ControllerResult<UpdateFeaturesResponseData> valid = features.updateFeatures(fixture.image,
                request(update(ELR, 1, FeatureControl.UPGRADE)).setValidateOnly(true));
        assertThat(valid.records()).isEmpty();
        assertThat(valid.response().errorCode()).isZero();
        assertThat(refusal(request(update(ELR, 2, FeatureControl.UPGRADE)).setValidateOnly(true)))
                .contains("only supports versions 0-1");
    }

    @Test
    void invalidLevelsAndTypesAreRefusedWholeWithKafkasReasons() {
        fixture.enableEligibleLeaderReplicas();
        assertThat(refusal(request(update(ELR, 2, FeatureControl.UPGRADE))))
                .startsWith("The update failed for all features since the following feature had an error: "
                        + "Invalid update version 2 for feature " + ELR + ". ")
                .endsWith("Local controller 1 only supports versions 0-1");
        assertThat(refusal(request(update(ELR, -1, FeatureControl.UNSAFE_DOWNGRADE))))
                .endsWith("A feature version cannot be less than 0.");
        assertThat(refusal(request(update(ELR, 0, FeatureControl.UPGRADE))))
                .endsWith("without setting the upgrade type to either safe or unsafe downgrade.");
        assertThat(refusal(request(update(ELR, 1, 7)))).endsWith("does not support the given upgrade type.");
        assertThat(refusal(request(update("metadata.version", 27, FeatureControl.UPGRADE))))
                .endsWith("Local controller 1 does not support this feature.");
        // All or nothing: a valid update next to an invalid one is not applied either.
        assertThat(refusal(request(update(ELR, 0, FeatureControl.SAFE_DOWNGRADE),
                update("transaction.version", 3, FeatureControl.UPGRADE)))).contains("transaction.version");
        assertThat(elrLevel()).isEqualTo((short) 1);
    }

    @Test
    void aDowngradeCannotRaiseTheLevel() {
        assertThat(refusal(request(update(ELR, 1, FeatureControl.SAFE_DOWNGRADE))))
                .endsWith("Can't downgrade to a newer version.");
    }

    @Test
    void everyRegisteredBrokerMustSupportTheLevel() {
        // A broker registered without the feature (an older one) supports level 0 only.
        var registration = ControllerFixture.registration(3, new UUID(3, 0));
        registration.features().clear();
        fixture.apply(fixture.cluster.registerBroker(fixture.image, registration, 0));
        assertThat(refusal(request(update(ELR, 1, FeatureControl.UPGRADE))))
                .endsWith("Broker 3 does not support this feature.");
    }

    @Test
    void transactionVersionIsFinalizedInTheLogAtLevelsZeroToTwo() {
        fixture.startBroker(1, 0);
        assertThat(FeatureControl.transactionVersion(fixture.image)).isZero();
        assertThat(apply(request(update(TRANSACTION_VERSION, 1, FeatureControl.UPGRADE))).errorCode()).isZero();
        assertThat(FeatureControl.transactionVersion(fixture.image)).isEqualTo((short) 1);
        ControllerResult<UpdateFeaturesResponseData> upgrade = features.updateFeatures(fixture.image,
                request(update(TRANSACTION_VERSION, 2, FeatureControl.UPGRADE)));
        assertThat(upgrade.records()).containsExactly(new FeatureLevelRecord(TRANSACTION_VERSION, (short) 2));
        fixture.apply(upgrade);
        assertThat(FeatureControl.transactionVersion(fixture.image)).isEqualTo((short) 2);

        assertThat(refusal(request(update(TRANSACTION_VERSION, 3, FeatureControl.UPGRADE))))
                .isEqualTo("The update failed for all features since the following feature had an error: Invalid"
                        + " update version 3 for feature transaction.version. Local controller 1 only supports"
                        + " versions 0-2");
        assertThat(refusal(request(update(TRANSACTION_VERSION, 1, FeatureControl.UPGRADE))))
                .endsWith("Can't downgrade the version of this feature without setting the upgrade type to either"
                        + " safe or unsafe downgrade.");
        // Kafka lets transaction.version go down (safely: clients switch back at their next transaction).
        assertThat(apply(request(update(TRANSACTION_VERSION, 1, FeatureControl.SAFE_DOWNGRADE))).errorCode())
                .isZero();
        assertThat(FeatureControl.transactionVersion(fixture.image)).isEqualTo((short) 1);
        assertThat(refusal(request(update(TRANSACTION_VERSION, 2, FeatureControl.SAFE_DOWNGRADE))))
                .endsWith("Can't downgrade to a newer version.");
        assertThat(apply(request(update(TRANSACTION_VERSION, 0, FeatureControl.UNSAFE_DOWNGRADE))).errorCode())
                .isZero();
        assertThat(fixture.image.features()).doesNotContainKey(TRANSACTION_VERSION);
    }

    @Test
    void transactionVersionNeedsEveryBrokersSupport() {
        var registration = ControllerFixture.registration(3, new UUID(3, 0));
        registration.features().removeIf(feature -> feature.name().equals(TRANSACTION_VERSION));
        fixture.apply(fixture.cluster.registerBroker(fixture.image, registration, 0));
        assertThat(refusal(request(update(TRANSACTION_VERSION, 2, FeatureControl.UPGRADE))))
                .endsWith("Invalid update version 2 for feature transaction.version. Broker 3 does not support this"
                        + " feature.");
        // Validate-only checks and writes nothing.
        ControllerResult<UpdateFeaturesResponseData> validated = features.updateFeatures(fixture.image,
                request(update(TRANSACTION_VERSION, 0, FeatureControl.UPGRADE)).setValidateOnly(true));
        assertThat(validated.records()).isEmpty();
        assertThat(validated.response().errorCode()).isZero();
    }

    @Test
    void aNewClusterStartsAtTheDefaultTransactionVersionAndAnExistingOneKeepsItsLevel() {
        ClusterMaintenance maintenance = new ClusterMaintenance(new ClusterMaintenance.Settings(9000, false, 1000),
                fixture.cluster, fixture.replication, java.time.InstantSource.fixed(java.time.Instant.EPOCH));
        List<io.fjord.metadata.records.MetadataRecord> fresh = maintenance.bootstrap(fixture.image);
        assertThat(fresh).contains(new FeatureLevelRecord(ELR, (short) 1));
        if (FeatureControl.TRANSACTION_VERSION_NEW_CLUSTER_LEVEL > 0) {
            assertThat(fresh).contains(new FeatureLevelRecord(TRANSACTION_VERSION,
                    FeatureControl.TRANSACTION_VERSION_NEW_CLUSTER_LEVEL));
        }
        assertThat(ClusterMaintenance.newClusterFeatures((short) 2)).containsExactly(
                new FeatureLevelRecord(ELR, (short) 1), new FeatureLevelRecord(TRANSACTION_VERSION, (short) 2));
        assertThat(ClusterMaintenance.newClusterFeatures((short) 0)).containsExactly(
                new FeatureLevelRecord(ELR, (short) 1));
        // A cluster that served (a broker registered) without the record stays at level 0.
        fixture.startBroker(1, 0);
        assertThat(maintenance.bootstrap(fixture.image)).isEmpty();
        assertThat(FeatureControl.transactionVersion(fixture.image)).isZero();
    }

    @Test
    void nodeFixedFeaturesAcceptOnlyTheirLevelInForceWithNoRecord() {
        ControllerResult<UpdateFeaturesResponseData> same = features.updateFeatures(fixture.image,
                request(update("group.version", 1, FeatureControl.UPGRADE),
                        update("share.version", 0, FeatureControl.SAFE_DOWNGRADE)));
        assertThat(same.records()).isEmpty();
        assertThat(same.response().errorCode()).isZero();
        assertThat(refusal(request(update("group.version", 0, FeatureControl.SAFE_DOWNGRADE))))
                .contains("only at level 1");
    }

    @Test
    void disablingStopsTheElrBeingMaintainedAndTheNextChangeEmptiesIt() {
        fixture.enableEligibleLeaderReplicas();
        for (int broker = 1; broker <= 3; broker++) {
            epochs[broker] = fixture.startBroker(broker, 0);
        }
        fixture.createTopic("t", List.of(List.of(1, 2, 3), List.of(1, 2, 3)));
        fixture.setTopicConfig("t", ReplicationControl.MIN_INSYNC_REPLICAS, "3");
        fence(3);
        assertThat(fixture.partition("t", 0).eligibleLeaderReplicas()).containsExactly(3);

        apply(request(update(ELR, 0, FeatureControl.SAFE_DOWNGRADE)));
        // Kafka 4.4 writes only the level: the fields stay until each partition's next change.
        assertThat(fixture.partition("t", 0).eligibleLeaderReplicas()).containsExactly(3);
        fence(2);
        assertThat(fixture.partition("t", 0).isr()).containsExactly(1);
        assertThat(fixture.partition("t", 0).eligibleLeaderReplicas()).isEmpty();
        // Without ELR the last ISR member stays in the ISR when fenced.
        fence(1);
        assertThat(fixture.partition("t", 1).isr()).containsExactly(1);
        assertThat(fixture.partition("t", 1).eligibleLeaderReplicas()).isEmpty();
        assertThat(fixture.partition("t", 1).lastKnownElr()).isEmpty();

        // Enabled again, the ELR is maintained again: fencing the last ISR member now empties the ISR.
        apply(request(update(ELR, 1, FeatureControl.UPGRADE)));
        unfence(1);
        assertThat(fixture.partition("t", 1).leader()).isEqualTo(1);
        fence(1);
        assertThat(fixture.partition("t", 1).isr()).isEmpty();
        assertThat(fixture.partition("t", 1).eligibleLeaderReplicas()).containsExactly(1);
        assertThat(fixture.partition("t", 1).lastKnownElr()).containsExactly(1);
    }

    private void fence(int brokerId) {
        fixture.apply(fixture.cluster.heartbeat(fixture.image,
                fixture.heartbeat(brokerId, epochs[brokerId]).setWantFence(true), 1));
    }

    private void unfence(int brokerId) {
        fixture.apply(fixture.cluster.heartbeat(fixture.image, fixture.heartbeat(brokerId, epochs[brokerId]), 1));
    }
}
