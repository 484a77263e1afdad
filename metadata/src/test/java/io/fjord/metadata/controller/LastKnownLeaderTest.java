package io.fjord.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.records.PartitionRecord;
import io.fjord.protocol.message.UnregisterBrokerRequestData;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Kafka 4.4's rules for KIP-966's last known leader ({@code lastKnownElr}): when it is recorded and cleared, when it
 * may be elected, and how unregistration and unclean restarts interact with the ELR.
 */
class LastKnownLeaderTest {
    private final ControllerFixture fixture = new ControllerFixture();
    private final long[] epochs = new long[5];

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

    private void restartUncleanly(int brokerId) {
        epochs[brokerId] = fixture.apply(fixture.cluster.registerBroker(fixture.image,
                ControllerFixture.registration(brokerId, UUID.randomUUID()).setPreviousBrokerEpoch(-1), 2))
                .brokerEpoch();
    }

    private void unregister(int brokerId) {
        fixture.apply(fixture.cluster.unregisterBroker(fixture.image,
                new UnregisterBrokerRequestData().setBrokerId(brokerId)));
    }

    private PartitionImage partition() {
        return fixture.partition("t", 0);
    }

    @Test
    void aPartitionLeaderlessBeforeElrWasOnHasNoLastKnownLeaderWhenItsIsrEmpties() {
        // Without ELR the last ISR member stays in the ISR when it is fenced, and the partition is leaderless.
        startBrokers(1);
        fixture.createTopic("t", List.of(List.of(1)));
        fence(1);
        assertThat(partition().leader()).isEqualTo(PartitionImage.NO_LEADER);
        assertThat(partition().isr()).containsExactly(1);
        fixture.enableEligibleLeaderReplicas();
        // Its unclean restart empties ISR and ELR; Kafka records a last known leader only when a change makes the
        // partition leaderless, which this one already was, so nothing is electable.
        restartUncleanly(1);
        assertThat(partition().isr()).isEmpty();
        assertThat(partition().eligibleLeaderReplicas()).isEmpty();
        assertThat(partition().lastKnownElr()).isEmpty();
        unfence(1);
        assertThat(partition().leader()).isEqualTo(PartitionImage.NO_LEADER);
    }

    @Test
    void anUnregisteredBrokerStaysInTheElrAndBlocksTheLastKnownLeaderUntilItRegistersAgain() {
        fixture.enableEligibleLeaderReplicas();
        startBrokers(3);
        fixture.createTopic("t", List.of(List.of(1, 2, 3)));
        fixture.setTopicConfig("t", ReplicationControl.MIN_INSYNC_REPLICAS, "2");
        fence(3);
        fence(2);
        fence(1);
        assertThat(partition().eligibleLeaderReplicas()).containsExactlyInAnyOrder(1, 2);
        assertThat(partition().lastKnownElr()).containsExactly(1);
        unregister(2);
        // Kafka 4.4 leaves it in the ELR (unelectable while unregistered).
        assertThat(partition().eligibleLeaderReplicas()).containsExactlyInAnyOrder(1, 2);
        restartUncleanly(1);
        unfence(1);
        // Broker 2 may still come back with every committed record: the last known leader is not elected.
        assertThat(partition().eligibleLeaderReplicas()).containsExactly(2);
        assertThat(partition().leader()).isEqualTo(PartitionImage.NO_LEADER);
        // A new incarnation of 2 that names no previous epoch leaves the ELR, and then the last known leader leads.
        epochs[2] = fixture.apply(fixture.cluster.registerBroker(fixture.image,
                ControllerFixture.registration(2, UUID.randomUUID()), 3)).brokerEpoch();
        assertThat(partition().eligibleLeaderReplicas()).isEmpty();
        assertThat(partition().leader()).isEqualTo(1);
        assertThat(partition().isr()).containsExactly(1);
        assertThat(partition().leaderRecoveryState()).isEqualTo(PartitionRecord.RECOVERING);
        assertThat(partition().lastKnownElr()).isEmpty();
    }

    @Test
    void theLastKnownLeaderRecordedStaysUntilThePartitionHasALeaderAgain() {
        fixture.enableEligibleLeaderReplicas();
        startBrokers(2);
        fixture.createTopic("t", List.of(List.of(1, 2)));
        fixture.setTopicConfig("t", ReplicationControl.MIN_INSYNC_REPLICAS, "2");
        fence(2);
        fence(1);
        assertThat(partition().lastKnownElr()).containsExactly(1);
        unfence(2);
        assertThat(partition().leader()).isEqualTo(2);
        assertThat(partition().lastKnownElr()).isEmpty();
        fence(2);
        assertThat(partition().lastKnownElr()).containsExactly(2);
    }

    @Test
    void unfencingAnyBrokerGivesEveryLeaderlessPartitionAnElection() {
        startBrokers(3);
        fixture.createTopic("t", List.of(List.of(1, 2)));
        fence(2);
        fence(1);
        unfence(2);
        // Without ELR broker 1 stays the only ISR member: the partition stays leaderless with broker 2 active.
        assertThat(partition().leader()).isEqualTo(PartitionImage.NO_LEADER);
        fixture.setTopicConfig("t", ReplicationControl.UNCLEAN_LEADER_ELECTION_ENABLE, "true");
        // Broker 3 hosts nothing of the topic, yet its unfencing runs the election (as Kafka's does) that now may be
        // unclean.
        fence(3);
        unfence(3);
        assertThat(partition().leader()).isEqualTo(2);
        assertThat(partition().leaderRecoveryState()).isEqualTo(PartitionRecord.RECOVERING);
    }
}
