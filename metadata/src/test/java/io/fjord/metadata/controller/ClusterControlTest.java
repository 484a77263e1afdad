package io.fjord.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.records.FeatureLevelRecord;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.BrokerHeartbeatResponseData;
import io.fjord.protocol.message.BrokerRegistrationRequestData;
import io.fjord.protocol.message.BrokerRegistrationResponseData;
import io.fjord.protocol.message.UnregisterBrokerRequestData;
import io.fjord.protocol.message.UnregisterBrokerResponseData;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ClusterControlTest {
    private final ControllerFixture fixture = new ControllerFixture();

    @Test
    void aNewBrokerStartsFencedAndIsUnfencedOnceCaughtUp() {
        BrokerRegistrationResponseData registered = fixture.apply(fixture.cluster.registerBroker(fixture.image,
                ControllerFixture.registration(1, new UUID(1, 1)), 0));
        assertThat(registered.errorCode()).isZero();
        assertThat(fixture.image.brokers().get(1).fenced()).isTrue();
        long registeredOffset = fixture.image.brokers().get(1).registeredOffset();

        BrokerHeartbeatResponseData behind = fixture.apply(fixture.cluster.heartbeat(fixture.image,
                fixture.heartbeat(1, registered.brokerEpoch()).setCurrentMetadataOffset(registeredOffset - 1), 100));
        assertThat(behind.isCaughtUp()).isFalse();
        assertThat(behind.isFenced()).isTrue();
        assertThat(fixture.image.brokers().get(1).fenced()).isTrue();

        BrokerHeartbeatResponseData wantsFence = fixture.apply(fixture.cluster.heartbeat(fixture.image,
                fixture.heartbeat(1, registered.brokerEpoch()).setWantFence(true), 150));
        assertThat(wantsFence.isCaughtUp()).isTrue();
        assertThat(wantsFence.isFenced()).isTrue();

        BrokerHeartbeatResponseData caughtUp = fixture.apply(fixture.cluster.heartbeat(fixture.image,
                fixture.heartbeat(1, registered.brokerEpoch()), 200));
        assertThat(caughtUp.isCaughtUp()).isTrue();
        assertThat(caughtUp.isFenced()).isFalse();
        assertThat(fixture.image.brokers().get(1).fenced()).isFalse();
    }

    @Test
    void registrationChecksClusterIdIncarnationLeaseAndFeatures() {
        long epoch = fixture.startBroker(1, 0);
        UUID incarnation = fixture.image.brokers().get(1).incarnationId();

        BrokerRegistrationResponseData again = fixture.apply(fixture.cluster.registerBroker(fixture.image,
                ControllerFixture.registration(1, incarnation), 10));
        assertThat(again.errorCode()).isZero();
        assertThat(again.brokerEpoch()).isEqualTo(epoch);
        assertThat(fixture.cluster.registerBroker(fixture.image, ControllerFixture.registration(1, incarnation), 10)
                .records()).isEmpty();

        BrokerRegistrationRequestData otherCluster = ControllerFixture.registration(2, new UUID(2, 2))
                .setClusterId("other");
        assertThat(fixture.cluster.registerBroker(fixture.image, otherCluster, 10).response().errorCode())
                .isEqualTo(Errors.INCONSISTENT_CLUSTER_ID.code());

        BrokerRegistrationRequestData restarted = ControllerFixture.registration(1, new UUID(1, 99));
        assertThat(fixture.cluster.registerBroker(fixture.image, restarted, 9010).response().errorCode())
                .isEqualTo(Errors.DUPLICATE_BROKER_REGISTRATION.code());
        BrokerRegistrationResponseData newIncarnation = fixture.apply(fixture.cluster.registerBroker(fixture.image,
                restarted, 9011));
        assertThat(newIncarnation.errorCode()).isZero();
        assertThat(newIncarnation.brokerEpoch()).isGreaterThan(epoch);
        assertThat(fixture.image.brokers().get(1).fenced()).isTrue();

        fixture.replay(List.of(new FeatureLevelRecord("group.version", (short) 1)));
        assertThat(fixture.cluster.registerBroker(fixture.image, ControllerFixture.registration(3, new UUID(3, 3)),
                9020).response().errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
        BrokerRegistrationRequestData supporting = ControllerFixture.registration(3, new UUID(3, 3));
        supporting.features().add(new BrokerRegistrationRequestData.Feature().setName("group.version")
                .setMinSupportedVersion((short) 0).setMaxSupportedVersion((short) 1));
        assertThat(fixture.cluster.registerBroker(fixture.image, supporting, 9020).response().errorCode()).isZero();
    }

    @Test
    void aFencedRegistrationHasNoSessionSoTheNextIncarnationRegistersAtOnce() {
        long epoch = fixture.startBroker(1, 0);
        fixture.createTopic("t", List.of(List.of(1)));
        // A controlled shutdown fences the broker (its lease is still live)...
        fixture.apply(fixture.cluster.heartbeat(fixture.image, fixture.heartbeat(1, epoch).setWantShutDown(true), 10));
        BrokerHeartbeatResponseData shutDown = fixture.apply(fixture.cluster.heartbeat(fixture.image,
                fixture.heartbeat(1, epoch).setWantShutDown(true), 20));
        assertThat(shutDown.shouldShutDown()).isTrue();
        assertThat(fixture.image.brokers().get(1).fenced()).isTrue();
        // ...and a newly active controller gives every registered broker a fresh lease.
        fixture.cluster.activate(fixture.image, 30);

        BrokerRegistrationResponseData restarted = fixture.apply(fixture.cluster.registerBroker(fixture.image,
                ControllerFixture.registration(1, new UUID(1, 77)), 40));

        assertThat(restarted.errorCode()).isZero();
        assertThat(restarted.brokerEpoch()).isGreaterThan(epoch);
        fixture.apply(fixture.cluster.heartbeat(fixture.image, fixture.heartbeat(1, restarted.brokerEpoch()), 50));
        assertThat(fixture.image.brokers().get(1).fenced()).isFalse();
        assertThat(fixture.partition("t", 0).leader()).isEqualTo(1);
    }

    @Test
    void brokerEpochsGrowAcrossUnregistration() {
        long first = fixture.startBroker(1, 0);
        long second = fixture.startBroker(2, 0);
        assertThat(second).isGreaterThan(first);
        fixture.apply(fixture.cluster.unregisterBroker(fixture.image, new UnregisterBrokerRequestData().setBrokerId(2)));
        assertThat(fixture.image.brokers()).doesNotContainKey(2);
        long third = fixture.startBroker(2, 1);
        assertThat(third).isGreaterThan(second);
        UnregisterBrokerResponseData unknown = fixture.cluster.unregisterBroker(fixture.image,
                new UnregisterBrokerRequestData().setBrokerId(7)).response();
        assertThat(unknown.errorCode()).isEqualTo(Errors.BROKER_ID_NOT_REGISTERED.code());
    }

    @Test
    void heartbeatsWithAWrongEpochOrUnknownBrokerAreRefused() {
        long epoch = fixture.startBroker(1, 0);
        assertThat(fixture.cluster.heartbeat(fixture.image, fixture.heartbeat(1, epoch - 1), 5).response()
                .errorCode()).isEqualTo(Errors.STALE_BROKER_EPOCH.code());
        assertThat(fixture.cluster.heartbeat(fixture.image, fixture.heartbeat(4, epoch), 5).response().errorCode())
                .isEqualTo(Errors.BROKER_ID_NOT_REGISTERED.code());
    }

    @Test
    void anExpiredLeaseFencesTheBrokerAndMovesItsLeaderships() {
        long epoch1 = fixture.startBroker(1, 0);
        long epoch2 = fixture.startBroker(2, 0);
        fixture.createTopic("t", List.of(List.of(1, 2), List.of(2, 1)));
        // Broker 2 keeps heartbeating; broker 1 goes silent.
        fixture.apply(fixture.cluster.heartbeat(fixture.image, fixture.heartbeat(2, epoch2), 8000));
        assertThat(fixture.apply(fixture.cluster.fenceExpiredBrokers(fixture.image, 9000))).isEmpty();
        assertThat(fixture.apply(fixture.cluster.fenceExpiredBrokers(fixture.image, 9001))).containsExactly(1);
        assertThat(fixture.image.brokers().get(1).fenced()).isTrue();
        PartitionImage moved = fixture.partition("t", 0);
        assertThat(moved.leader()).isEqualTo(2);
        assertThat(moved.leaderEpoch()).isEqualTo(1);
        assertThat(moved.partitionEpoch()).isEqualTo(1);
        assertThat(moved.isr()).containsExactly(2);
        assertThat(fixture.partition("t", 1).isr()).containsExactly(2);
        assertThat(fixture.partition("t", 1).leaderEpoch()).isZero();

        // A newly active controller gives every broker a fresh lease: nobody is fenced for the old one's clock.
        fixture.cluster.activate(fixture.image, 20_000);
        assertThat(fixture.cluster.fenceExpiredBrokers(fixture.image, 28_000).response()).isEmpty();
        assertThat(fixture.cluster.fenceExpiredBrokers(fixture.image, 29_001).response()).containsExactly(2);

        // Broker 1 comes back caught up: unfenced, but not back in the ISR (its leader adds it).
        fixture.apply(fixture.cluster.heartbeat(fixture.image, fixture.heartbeat(1, epoch1), 29_500));
        assertThat(fixture.image.brokers().get(1).fenced()).isFalse();
        assertThat(fixture.partition("t", 0).isr()).containsExactly(2);
    }

    @Test
    void aLeaderlessPartitionGetsALeaderWhenAnIsrMemberIsUnfenced() {
        long epoch1 = fixture.startBroker(1, 0);
        fixture.startBroker(2, 0);
        fixture.createTopic("t", List.of(List.of(1, 2)));
        fixture.apply(fixture.cluster.heartbeat(fixture.image, fixture.heartbeat(1, epoch1), 5000));
        fixture.apply(fixture.cluster.fenceExpiredBrokers(fixture.image, 9001)); // broker 2
        fixture.apply(fixture.cluster.fenceExpiredBrokers(fixture.image, 14_001)); // broker 1
        PartitionImage leaderless = fixture.partition("t", 0);
        assertThat(leaderless.leader()).isEqualTo(-1);
        assertThat(leaderless.isr()).containsExactly(1);
        // Broker 2 is not in the ISR: unfencing it elects nobody without unclean elections.
        long epoch2 = fixture.image.brokers().get(2).brokerEpoch();
        fixture.apply(fixture.cluster.heartbeat(fixture.image, fixture.heartbeat(2, epoch2), 15_000));
        assertThat(fixture.partition("t", 0).leader()).isEqualTo(-1);
        fixture.apply(fixture.cluster.heartbeat(fixture.image, fixture.heartbeat(1, epoch1), 15_000));
        assertThat(fixture.partition("t", 0).leader()).isEqualTo(1);
        assertThat(fixture.partition("t", 0).leaderEpoch()).isEqualTo(leaderless.leaderEpoch() + 1);
    }

    @Test
    void controlledShutdownMovesLeadershipsThenAllowsShutdown() {
        long epoch1 = fixture.startBroker(1, 0);
        long epoch2 = fixture.startBroker(2, 0);
        fixture.createTopic("t", List.of(List.of(1, 2), List.of(2, 1)));
        BrokerHeartbeatResponseData entering = fixture.apply(fixture.cluster.heartbeat(fixture.image,
                fixture.heartbeat(1, epoch1).setWantShutDown(true), 100));
        assertThat(entering.shouldShutDown()).isFalse();
        assertThat(fixture.image.brokers().get(1).inControlledShutdown()).isTrue();
        assertThat(fixture.partition("t", 0).leader()).isEqualTo(2);
        assertThat(fixture.partition("t", 0).isr()).containsExactly(2);

        // Broker 2 has not yet seen the change: broker 1 must wait.
        fixture.apply(fixture.cluster.heartbeat(fixture.image,
                fixture.heartbeat(2, epoch2).setCurrentMetadataOffset(fixture.image.offset() - 2), 200));
        assertThat(fixture.cluster.heartbeat(fixture.image, fixture.heartbeat(1, epoch1).setWantShutDown(true), 300)
                .response().shouldShutDown()).isFalse();
        fixture.apply(fixture.cluster.heartbeat(fixture.image, fixture.heartbeat(2, epoch2), 400));
        BrokerHeartbeatResponseData done = fixture.apply(fixture.cluster.heartbeat(fixture.image,
                fixture.heartbeat(1, epoch1).setWantShutDown(true), 500));
        assertThat(done.shouldShutDown()).isTrue();
        assertThat(fixture.image.brokers().get(1).fenced()).isTrue();
    }

    @Test
    void aBrokerLeadingNothingShutsDownAtOnceAndAFencedOneToo() {
        long epoch1 = fixture.startBroker(1, 0);
        BrokerHeartbeatResponseData now = fixture.apply(fixture.cluster.heartbeat(fixture.image,
                fixture.heartbeat(1, epoch1).setWantShutDown(true), 100));
        assertThat(now.shouldShutDown()).isTrue();
        assertThat(fixture.image.brokers().get(1).fenced()).isTrue();
        BrokerHeartbeatResponseData fenced = fixture.cluster.heartbeat(fixture.image,
                fixture.heartbeat(1, epoch1).setWantShutDown(true), 200).response();
        assertThat(fenced.shouldShutDown()).isTrue();
    }

    @Test
    void aNewIncarnationOfAnUnfencedBrokerMovesItsLeaderships() {
        fixture.startBroker(1, 0);
        long epoch2 = fixture.startBroker(2, 0);
        fixture.createTopic("t", List.of(List.of(1, 2)));
        fixture.apply(fixture.cluster.heartbeat(fixture.image, fixture.heartbeat(2, epoch2), 9000));
        fixture.apply(fixture.cluster.registerBroker(fixture.image,
                ControllerFixture.registration(1, new UUID(1, 77)), 9001));
        assertThat(fixture.image.brokers().get(1).fenced()).isTrue();
        assertThat(fixture.partition("t", 0).leader()).isEqualTo(2);
    }
}
