package io.fjord.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.records.PartitionRecord;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** KIP-966's transitions as the controller drives them through fencing, registration and unfencing. */
class EligibleLeaderReplicasTest {
    private final ControllerFixture fixture = new ControllerFixture();
    private final long[] epochs = new long[4];

    private void startBrokers(int count) {
        for (int broker = 1; broker <= count; broker++) {
            epochs[broker] = fixture.startBroker(broker, 0);
        }
    }

    private void fence(int brokerId) {
        fixture.apply(fixture.cluster.heartbeat(fixture.image,
                fixture.heartbeat(brokerId, epochs[brokerId]).setWantFence(true), 1));
    }

    private void unfence(int brokerId) {
        fixture.apply(fixture.cluster.heartbeat(fixture.image, fixture.heartbeat(brokerId, epochs[brokerId]), 1));
    }

    /** A new incarnation of a fenced broker: after a clean shutdown it names its previous epoch. */
    private void restart(int brokerId, boolean cleanShutdown) {
        long previous = epochs[brokerId];
        epochs[brokerId] = fixture.apply(fixture.cluster.registerBroker(fixture.image,
                ControllerFixture.registration(brokerId, UUID.randomUUID())
                        .setPreviousBrokerEpoch(cleanShutdown ? previous : -1), 2)).brokerEpoch();
    }

    private PartitionImage partition() {
        return fixture.partition("t", 0);
    }

    /** RF 3, min ISR 2, ELR on; brokers 3 then 2 then 1 (the leader) are fenced. */
    private void shrinkToNothing() {
        fixture.enableEligibleLeaderReplicas();
        startBrokers(3);
        fixture.createTopic("t", List.of(List.of(1, 2, 3)));
        fixture.setTopicConfig("t", ReplicationControl.MIN_INSYNC_REPLICAS, "2");
        fence(3);
        assertThat(partition().isr()).containsExactly(1, 2);
        assertThat(partition().eligibleLeaderReplicas()).isEmpty();
        fence(2);
        // Below min ISR: the member that left while the ISR was at min ISR is eligible.
        assertThat(partition().isr()).containsExactly(1);
        assertThat(partition().eligibleLeaderReplicas()).containsExactly(2);
        fence(1);
        assertThat(partition().leader()).isEqualTo(PartitionImage.NO_LEADER);
        assertThat(partition().isr()).isEmpty();
        assertThat(partition().eligibleLeaderReplicas()).containsExactlyInAnyOrder(1, 2);
        assertThat(partition().lastKnownElr()).containsExactly(1);
    }

    @Test
    void fencingTheLastIsrMemberMovesItToTheElrAndAnElrMemberLeadsWhenUnfenced() {
        shrinkToNothing();
        int leaderEpoch = partition().leaderEpoch();
        unfence(2);
        assertThat(partition().leader()).isEqualTo(2);
        assertThat(partition().leaderEpoch()).isEqualTo(leaderEpoch + 1);
        assertThat(partition().isr()).containsExactly(2);
        assertThat(partition().eligibleLeaderReplicas()).containsExactly(1);
        assertThat(partition().lastKnownElr()).isEmpty();
        assertThat(partition().leaderRecoveryState()).isEqualTo(PartitionRecord.RECOVERED);
        // Broker 3 was never eligible: it left while the ISR was above min ISR, and it does not rejoin by itself.
        unfence(3);
        assertThat(partition().isr()).containsExactly(2);
        assertThat(partition().eligibleLeaderReplicas()).containsExactly(1);
    }

    @Test
    void aBrokerThatRestartsAfterAnUncleanShutdownLeavesTheElr() {
        shrinkToNothing();
        restart(1, false);
        assertThat(partition().eligibleLeaderReplicas()).containsExactly(2);
        assertThat(partition().lastKnownElr()).containsExactly(1);
        unfence(1);
        // Broker 1 may have lost acknowledged records: it does not lead while broker 2, eligible, may come back.
        assertThat(partition().leader()).isEqualTo(PartitionImage.NO_LEADER);
        unfence(2);
        assertThat(partition().leader()).isEqualTo(2);
    }

    @Test
    void aBrokerThatRestartsAfterACleanShutdownStaysEligible() {
        shrinkToNothing();
        restart(1, true);
        assertThat(partition().eligibleLeaderReplicas()).containsExactlyInAnyOrder(1, 2);
        unfence(1);
        assertThat(partition().leader()).isEqualTo(1);
        assertThat(partition().isr()).containsExactly(1);
        assertThat(partition().eligibleLeaderReplicas()).containsExactly(2);
    }

    @Test
    void withIsrAndElrEmptyTheLastKnownLeaderLeadsOnceBackRecovering() {
        fixture.enableEligibleLeaderReplicas();
        startBrokers(1);
        fixture.createTopic("t", List.of(List.of(1)));
        fence(1);
        assertThat(partition().isr()).isEmpty();
        assertThat(partition().eligibleLeaderReplicas()).containsExactly(1);
        restart(1, false);
        assertThat(partition().eligibleLeaderReplicas()).isEmpty();
        assertThat(partition().lastKnownElr()).containsExactly(1);
        unfence(1);
        assertThat(partition().leader()).isEqualTo(1);
        assertThat(partition().isr()).containsExactly(1);
        assertThat(partition().leaderRecoveryState()).isEqualTo(PartitionRecord.RECOVERING);
        assertThat(partition().lastKnownElr()).isEmpty();
    }

    @Test
    void aControlledShutdownTakesTheBrokerOutOfEveryIsrAndLeadership() {
        fixture.enableEligibleLeaderReplicas();
        startBrokers(3);
        fixture.createTopic("t", List.of(List.of(1, 2, 3)));
        fixture.apply(fixture.cluster.heartbeat(fixture.image, fixture.heartbeat(1, epochs[1]).setWantShutDown(true),
                1));
        assertThat(partition().leader()).isEqualTo(2);
        assertThat(partition().isr()).containsExactly(2, 3);
        // Min ISR 1: the ISR is at it, so nobody is kept eligible.
        assertThat(partition().eligibleLeaderReplicas()).isEmpty();
    }

    @Test
    void uncleanElectionWithNothingEligiblePicksAnyLiveReplicaRecoveringAndClearsTheElr() {
        shrinkToNothing();
        restart(1, false);
        restart(2, false);
        assertThat(partition().eligibleLeaderReplicas()).isEmpty();
        fixture.setTopicConfig("t", ReplicationControl.UNCLEAN_LEADER_ELECTION_ENABLE, "true");
        unfence(3);
        assertThat(partition().leader()).isEqualTo(3);
        assertThat(partition().isr()).containsExactly(3);
        assertThat(partition().leaderRecoveryState()).isEqualTo(PartitionRecord.RECOVERING);
        assertThat(partition().eligibleLeaderReplicas()).isEmpty();
    }

    @Test
    void withoutTheFeatureTheLastIsrMemberStaysAndNothingIsEligible() {
        startBrokers(2);
        fixture.createTopic("t", List.of(List.of(1, 2)));
        fixture.setTopicConfig("t", ReplicationControl.MIN_INSYNC_REPLICAS, "2");
        fence(2);
        fence(1);
        assertThat(partition().isr()).containsExactly(1);
        assertThat(partition().eligibleLeaderReplicas()).isEmpty();
        assertThat(partition().lastKnownElr()).isEmpty();
    }
}
