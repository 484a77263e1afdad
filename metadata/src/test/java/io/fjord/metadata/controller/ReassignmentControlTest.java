package io.fjord.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.metadata.image.PartitionImage;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.AlterPartitionReassignmentsRequestData;
import io.fjord.protocol.message.AlterPartitionReassignmentsResponseData;
import io.fjord.protocol.message.AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse;
import io.fjord.protocol.message.AlterPartitionRequestData;
import io.fjord.protocol.message.AlterPartitionRequestData.BrokerState;
import io.fjord.protocol.message.AlterPartitionResponseData;
import io.fjord.protocol.message.ListPartitionReassignmentsRequestData;
import io.fjord.protocol.message.ListPartitionReassignmentsResponseData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * KIP-455 reassignment decided by the controller: start, progress, completion when the ISR holds every target
 * replica (by the leader's AlterPartition), the leader moving off a removed replica, cancellation and Kafka's errors.
 * Brokers 1-5 are registered and active; topic t has partition 0 on [1, 2, 3] led by 1.
 */
class ReassignmentControlTest {
    private final ControllerFixture fixture = new ControllerFixture();
    private final ReassignmentControl reassignments = new ReassignmentControl(fixture.replication);
    private final IsrControl isr = new IsrControl(fixture.replication);
    private final long[] epochs = new long[7];
    private final UUID topicId;

    ReassignmentControlTest() {
        for (int broker = 1; broker <= 5; broker++) {
            epochs[broker] = fixture.startBroker(broker, 0);
        }
        topicId = fixture.createTopic("t", List.of(List.of(1, 2, 3)));
    }

    private ReassignablePartitionResponse reassign(Integer... target) {
        return reassign(false, target == null ? null : Arrays.asList(target));
    }

    private ReassignablePartitionResponse reassign(boolean allowFactorChange, List<Integer> target) {
        AlterPartitionReassignmentsRequestData request = new AlterPartitionReassignmentsRequestData()
                .setAllowReplicationFactorChange(allowFactorChange);
        request.topics().add(new AlterPartitionReassignmentsRequestData.ReassignableTopic().setName("t")
                .setPartitions(new ArrayList<>(List.of(new AlterPartitionReassignmentsRequestData
                        .ReassignablePartition().setPartitionIndex(0)
                        .setReplicas(target == null ? null : new ArrayList<>(target))))));
        AlterPartitionReassignmentsResponseData response = fixture.apply(
                reassignments.alterPartitionReassignments(fixture.image, request));
        return response.responses().get(0).partitions().get(0);
    }

    private ReassignablePartitionResponse cancel() {
        return reassign(false, null);
    }

    /** The leader's AlterPartition proposing {@code members} as the ISR. */
    private AlterPartitionResponseData.PartitionData proposeIsr(Integer... members) {
        PartitionImage partition = partition();
        List<BrokerState> states = new ArrayList<>();
        for (int member : members) {
            states.add(new BrokerState().setBrokerId(member).setBrokerEpoch(epochs[member]));
        }
        AlterPartitionRequestData request = new AlterPartitionRequestData().setBrokerId(partition.leader())
                .setBrokerEpoch(epochs[partition.leader()]).setTopics(new ArrayList<>(List.of(
                        new AlterPartitionRequestData.TopicData().setTopicId(topicId).setPartitions(new ArrayList<>(
                                List.of(new AlterPartitionRequestData.PartitionData().setPartitionIndex(0)
                                        .setLeaderEpoch(partition.leaderEpoch())
                                        .setPartitionEpoch(partition.partitionEpoch())
                                        .setNewIsrWithEpochs(states)))))));
        return fixture.apply(isr.alterPartition(fixture.image, request)).topics().get(0).partitions().get(0);
    }

    private PartitionImage partition() {
        return fixture.partition("t", 0);
    }

    private List<ListPartitionReassignmentsResponseData.OngoingTopicReassignment> ongoing() {
        return reassignments.listPartitionReassignments(fixture.image,
                new ListPartitionReassignmentsRequestData().setTopics(null)).response().topics();
    }

    @Test
    void aMoveAddsTheTargetReplicasFirstAndKeepsTheLeaderAndIsrUntilTheyCatchUp() {
        PartitionImage before = partition();
        assertThat(reassign(2, 3, 4).errorCode()).isEqualTo(Errors.NONE.code());

        PartitionImage during = partition();
        assertThat(during.replicas()).containsExactly(2, 3, 4, 1);
        assertThat(during.addingReplicas()).containsExactly(4);
        assertThat(during.removingReplicas()).containsExactly(1);
        assertThat(during.isr()).containsExactly(1, 2, 3);
        assertThat(during.leader()).isEqualTo(1);
        assertThat(during.leaderEpoch()).as("no replica left the set yet").isEqualTo(before.leaderEpoch());
        assertThat(ongoing()).singleElement().satisfies(topic -> {
            assertThat(topic.name()).isEqualTo("t");
            assertThat(topic.partitions()).singleElement().satisfies(ongoing -> {
                assertThat(ongoing.replicas()).containsExactly(2, 3, 4, 1);
                assertThat(ongoing.addingReplicas()).containsExactly(4);
                assertThat(ongoing.removingReplicas()).containsExactly(1);
            });
        });
    }

    @Test
    void theExpansionThatAddsTheLastTargetReplicaCompletesAndMovesTheLeaderOffARemovedOne() {
        reassign(2, 3, 4);
        int leaderEpoch = partition().leaderEpoch();

        AlterPartitionResponseData.PartitionData answer = proposeIsr(1, 2, 3, 4);

        assertThat(answer.errorCode()).as("the sender no longer leads").isEqualTo(Errors.NEW_LEADER_ELECTED.code());
        PartitionImage after = partition();
        assertThat(after.replicas()).containsExactly(2, 3, 4);
        assertThat(after.isr()).containsExactly(2, 3, 4);
        assertThat(after.addingReplicas()).isEmpty();
        assertThat(after.removingReplicas()).isEmpty();
        assertThat(after.leader()).as("the first target replica in the ISR").isEqualTo(2);
        assertThat(after.leaderEpoch()).isEqualTo(leaderEpoch + 1);
        assertThat(ongoing()).isEmpty();
    }

    @Test
    void aReassignmentProgressesUntilEveryAddedReplicaIsInSync() {
        reassign(1, 4, 5);

        AlterPartitionResponseData.PartitionData answer = proposeIsr(1, 2, 3, 4);

        assertThat(answer.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(partition().isr()).containsExactly(1, 2, 3, 4);
        assertThat(partition().addingReplicas()).containsExactly(4, 5);
        assertThat(partition().replicas()).containsExactly(1, 4, 5, 2, 3);

        proposeIsr(1, 2, 3, 4, 5);
        assertThat(partition().replicas()).containsExactly(1, 4, 5);
        assertThat(partition().isr()).containsExactly(1, 4, 5);
        assertThat(partition().leader()).isEqualTo(1);
    }

    @Test
    void aLeaderThatStaysGetsANewLeaderEpochSoTheRemovedReplicasAreFenced() {
        reassign(1, 2, 4);
        int leaderEpoch = partition().leaderEpoch();

        AlterPartitionResponseData.PartitionData answer = proposeIsr(1, 2, 3, 4);

        assertThat(answer.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(answer.leaderId()).isEqualTo(1);
        assertThat(answer.leaderEpoch()).isEqualTo(leaderEpoch + 1);
        assertThat(answer.isr()).containsExactly(1, 2, 4);
        assertThat(partition().replicas()).containsExactly(1, 2, 4);
    }

    @Test
    void aReassignmentThatAddsNothingCompletesAtOnce() {
        assertThat(reassign(true, List.of(3, 1)).errorCode()).isEqualTo(Errors.NONE.code());

        PartitionImage after = partition();
        assertThat(after.replicas()).containsExactly(3, 1);
        assertThat(after.isr()).containsExactly(1, 3);
        assertThat(after.leader()).isEqualTo(1);
        assertThat(ongoing()).isEmpty();
    }

    @Test
    void keepingTheReplicasWritesNothing() {
        int partitionEpoch = partition().partitionEpoch();

        assertThat(reassign(1, 2, 3).errorCode()).isEqualTo(Errors.NONE.code());

        assertThat(partition().partitionEpoch()).isEqualTo(partitionEpoch);
    }

    @Test
    void cancellingRevertsToTheReplicasBeforeTheReassignment() {
        reassign(4, 5, 1);
        proposeIsr(1, 2, 3, 4);

        assertThat(cancel().errorCode()).isEqualTo(Errors.NONE.code());

        PartitionImage after = partition();
        assertThat(after.replicas()).containsExactly(1, 2, 3);
        assertThat(after.isr()).containsExactly(1, 2, 3);
        assertThat(after.addingReplicas()).isEmpty();
        assertThat(after.removingReplicas()).isEmpty();
        assertThat(after.leader()).isEqualTo(1);
        assertThat(ongoing()).isEmpty();
    }

    @Test
    void cancellingWithoutAReassignmentIsNoReassignmentInProgress() {
        assertThat(cancel().errorCode()).isEqualTo(Errors.NO_REASSIGNMENT_IN_PROGRESS.code());
    }

    @Test
    void aNewReassignmentReplacesTheOneInProgress() {
        reassign(1, 2, 4);
        proposeIsr(1, 2, 3); // unchanged ISR: still in progress

        assertThat(reassign(1, 2, 5).errorCode()).isEqualTo(Errors.NONE.code());

        PartitionImage after = partition();
        assertThat(after.replicas()).containsExactly(1, 2, 5, 4, 3);
        assertThat(after.addingReplicas()).containsExactly(5);
        assertThat(after.removingReplicas()).containsExactly(4, 3);
        proposeIsr(1, 2, 3, 5);
        assertThat(partition().replicas()).containsExactly(1, 2, 5);
        assertThat(partition().isr()).containsExactly(1, 2, 5);
    }

    @Test
    void refusalsCarryKafkasErrorsAndWriteNothing() {
        int partitionEpoch = partition().partitionEpoch();

        assertThat(reassign(1, 2).errorCode()).isEqualTo(Errors.INVALID_REPLICATION_FACTOR.code());
        assertThat(reassign(true, List.of()).errorCode()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT.code());
        assertThat(reassign(1, 2, 2).errorCode()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT.code());
        ReassignablePartitionResponse unregistered = reassign(1, 2, 6);
        assertThat(unregistered.errorCode()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT.code());
        assertThat(unregistered.errorMessage()).contains("broker 6");

        assertThat(partition().partitionEpoch()).isEqualTo(partitionEpoch);
    }

    @Test
    void unknownTopicsAndPartitionsAreUnknownTopicOrPartition() {
        AlterPartitionReassignmentsRequestData request = new AlterPartitionReassignmentsRequestData();
        request.topics().add(new AlterPartitionReassignmentsRequestData.ReassignableTopic().setName("t")
                .setPartitions(new ArrayList<>(List.of(new AlterPartitionReassignmentsRequestData
                        .ReassignablePartition().setPartitionIndex(7).setReplicas(new ArrayList<>(List.of(1)))))));
        request.topics().add(new AlterPartitionReassignmentsRequestData.ReassignableTopic().setName("missing")
                .setPartitions(new ArrayList<>(List.of(new AlterPartitionReassignmentsRequestData
                        .ReassignablePartition().setPartitionIndex(0).setReplicas(null)))));

        ControllerResult<AlterPartitionReassignmentsResponseData> result =
                reassignments.alterPartitionReassignments(fixture.image, request);

        assertThat(result.records()).isEmpty();
        assertThat(result.response().responses()).allSatisfy(topic -> assertThat(topic.partitions())
                .allSatisfy(partition -> assertThat(partition.errorCode())
                        .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())));
    }

    @Test
    void aCancelThatLeavesOnlyAddedReplicasInSyncNeedsAnUncleanElection() {
        reassign(true, List.of(4, 5));
        proposeIsr(1, 2, 3, 4);
        for (int broker = 1; broker <= 3; broker++) {
            fixture.apply(fixture.cluster.heartbeat(fixture.image,
                    fixture.heartbeat(broker, epochs[broker]).setWantFence(true), 1));
        }
        assertThat(partition().isr()).containsExactly(4);
        assertThat(partition().leader()).as("a target replica in the ISR takes over").isEqualTo(4);

        ReassignablePartitionResponse refused = cancel();
        assertThat(refused.errorCode()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT.code());
        assertThat(refused.errorMessage()).contains("unclean leader election");
        assertThat(partition().addingReplicas()).containsExactly(4, 5);

        fixture.setTopicConfig("t", ReplicationControl.UNCLEAN_LEADER_ELECTION_ENABLE, "true");
        fixture.startBroker(2, 2);
        assertThat(cancel().errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(partition().replicas()).containsExactly(1, 2, 3);
        assertThat(partition().leader()).as("the first active original replica").isEqualTo(2);
        assertThat(partition().isr()).containsExactly(2);
    }
}
