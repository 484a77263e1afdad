package io.fjord.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.records.PartitionRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

/** KIP-966's transitions as the controller drives them through fencing, registration and unfencing. */
class EligibleLeaderReplicasTest {
    private final ControllerFixture fixture = new ControllerFixture();
    private final RegisteredBrokers brokers = new RegisteredBrokers(fixture);

    private PartitionImage partition() {
        return fixture.partition("t", 0);
    }

    /** RF 3, min ISR 2, ELR on; brokers 3 then 2 then 1 (the leader) are fenced. */
    private void shrinkToNothing() {
        fixture.enableEligibleLeaderReplicas();
        brokers.start(3);
        fixture.createTopic("t", List.of(List.of(1, 2, 3)));
        fixture.setTopicConfig("t", ReplicationControl.MIN_INSYNC_REPLICAS, "2");
        brokers.fence(3);
        assertThat(partition().isr()).containsExactly(1, 2);
        assertThat(partition().eligibleLeaderReplicas()).isEmpty();
        brokers.fence(2);
        // Below min ISR: the member that left while the ISR was at min ISR is eligible.
        assertThat(partition().isr()).containsExactly(1);
        assertThat(partition().eligibleLeaderReplicas()).containsExactly(2);
        brokers.fence(1);
        assertThat(partition().leader()).isEqualTo(PartitionImage.NO_LEADER);
        assertThat(partition().isr()).isEmpty();
        assertThat(partition().eligibleLeaderReplicas()).containsExactlyInAnyOrder(1, 2);
        assertThat(partition().lastKnownElr()).containsExactly(1);
    }

    @Test
    void fencingTheLastIsrMemberMovesItToTheElrAndAnElrMemberLeadsWhenUnfenced() {
        shrinkToNothing();
        int leaderEpoch = partition().leaderEpoch();
        brokers.unfence(2);
        assertThat(partition().leader()).isEqualTo(2);
        assertThat(partition().leaderEpoch()).isEqualTo(leaderEpoch + 1);
        assertThat(partition().isr()).containsExactly(2);
        assertThat(partition().eligibleLeaderReplicas()).containsExactly(1);
        assertThat(partition().lastKnownElr()).isEmpty();
        assertThat(partition().leaderRecoveryState()).isEqualTo(PartitionRecord.RECOVERED);
        // Broker 3 was never eligible: it left while the ISR was above min ISR, and it does not rejoin by itself.
        brokers.unfence(3);
        assertThat(partition().isr()).containsExactly(2);
        assertThat(partition().eligibleLeaderReplicas()).containsExactly(1);
    }

    @Test
    void aBrokerThatRestartsAfterAnUncleanShutdownLeavesTheElr() {
        shrinkToNothing();
        brokers.restart(1, false);
        assertThat(partition().eligibleLeaderReplicas()).containsExactly(2);
        assertThat(partition().lastKnownElr()).containsExactly(1);
        brokers.unfence(1);
        // Broker 1 may have lost acknowledged records: it does not lead while broker 2, eligible, may come back.
        assertThat(partition().leader()).isEqualTo(PartitionImage.NO_LEADER);
        brokers.unfence(2);
        assertThat(partition().leader()).isEqualTo(2);
    }

    @Test
    void aBrokerThatRestartsAfterACleanShutdownStaysEligible() {
        shrinkToNothing();
        brokers.restart(1, true);
        assertThat(partition().eligibleLeaderReplicas()).containsExactlyInAnyOrder(1, 2);
        brokers.unfence(1);
        assertThat(partition().leader()).isEqualTo(1);
        assertThat(partition().isr()).containsExactly(1);
        assertThat(partition().eligibleLeaderReplicas()).containsExactly(2);
    }

    @Test
    void withIsrAndElrEmptyTheLastKnownLeaderLeadsOnceBackRecovering() {
        fixture.enableEligibleLeaderReplicas();
        brokers.start(1);
        fixture.createTopic("t", List.of(List.of(1)));
        brokers.fence(1);
        assertThat(partition().isr()).isEmpty();
        assertThat(partition().eligibleLeaderReplicas()).containsExactly(1);
        brokers.restart(1, false);
        assertThat(partition().eligibleLeaderReplicas()).isEmpty();
        assertThat(partition().lastKnownElr()).containsExactly(1);
        brokers.unfence(1);
        assertThat(partition().leader()).isEqualTo(1);
        assertThat(partition().isr()).containsExactly(1);
        assertThat(partition().leaderRecoveryState()).isEqualTo(PartitionRecord.RECOVERING);
        assertThat(partition().lastKnownElr()).isEmpty();
    }

    @Test
    void aControlledShutdownTakesTheBrokerOutOfEveryIsrAndLeadership() {
        fixture.enableEligibleLeaderReplicas();
        brokers.start(3);
        fixture.createTopic("t", List.of(List.of(1, 2, 3)));
        brokers.shutDown(1);
        assertThat(partition().leader()).isEqualTo(2);
        assertThat(partition().isr()).containsExactly(2, 3);
        // Min ISR 1: the ISR is at it, so nobody is kept eligible.
        assertThat(partition().eligibleLeaderReplicas()).isEmpty();
    }

    @Test
    void uncleanElectionWithNothingEligiblePicksAnyLiveReplicaRecoveringAndClearsTheElr() {
        shrinkToNothing();
        brokers.restart(1, false);
        brokers.restart(2, false);
        assertThat(partition().eligibleLeaderReplicas()).isEmpty();
        fixture.setTopicConfig("t", ReplicationControl.UNCLEAN_LEADER_ELECTION_ENABLE, "true");
        brokers.unfence(3);
        assertThat(partition().leader()).isEqualTo(3);
        assertThat(partition().isr()).containsExactly(3);
        assertThat(partition().leaderRecoveryState()).isEqualTo(PartitionRecord.RECOVERING);
        assertThat(partition().eligibleLeaderReplicas()).isEmpty();
    }

    @Test
    void withoutTheFeatureTheLastIsrMemberStaysAndNothingIsEligible() {
        brokers.start(2);
        fixture.createTopic("t", List.of(List.of(1, 2)));
        fixture.setTopicConfig("t", ReplicationControl.MIN_INSYNC_REPLICAS, "2");
        brokers.fence(2);
        brokers.fence(1);
        assertThat(partition().isr()).containsExactly(1);
        assertThat(partition().eligibleLeaderReplicas()).isEmpty();
        assertThat(partition().lastKnownElr()).isEmpty();
    }
}
