package io.fjord.broker.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.metadata.image.BrokerImage;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.AlterPartitionReassignmentsRequestData;
import io.fjord.protocol.message.AlterPartitionReassignmentsResponseData;
import io.fjord.protocol.message.ListPartitionReassignmentsRequestData;
import io.fjord.protocol.message.ListPartitionReassignmentsResponseData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PartitionReassignmentsTest {
    private static final UUID ORDERS_ID = UUID.randomUUID();
    private static final UUID MOVING_ID = UUID.randomUUID();

    /** Brokers 1-3; orders has partition 0 on broker 1 and partition 1 on broker 2; moving has one in progress. */
    private static MetadataImage image() {
        TreeMap<Integer, PartitionImage> orders = new TreeMap<>();
        orders.put(0, new PartitionImage(0, List.of(1), List.of(1), 1, 0, 0));
        orders.put(1, new PartitionImage(1, List.of(2), List.of(2), 2, 0, 0));
        TreeMap<Integer, PartitionImage> moving = new TreeMap<>();
        moving.put(0, new PartitionImage(0, List.of(1, 3), List.of(1), 1, 0, 0, List.of(1), List.of(3), (byte) 0,
                List.of(), List.of()));
        TopicImage ordersTopic = new TopicImage("orders", ORDERS_ID, orders);
        TopicImage movingTopic = new TopicImage("moving", MOVING_ID, moving);
        Map<Integer, BrokerImage> brokers = Map.of(1, broker(1), 2, broker(2), 3, broker(3));
        return new MetadataImage(10, brokers, Map.of("orders", ordersTopic, "moving", movingTopic),
                Map.of(ORDERS_ID, ordersTopic, MOVING_ID, movingTopic), Map.of(), Map.of(), 0);
    }

    private static BrokerImage broker(int id) {
        return new BrokerImage(id, new UUID(0, id), List.of(), null, false);
    }

    private static AlterPartitionReassignmentsRequestData.ReassignablePartition partition(int index,
            Integer... replicas) {
        return new AlterPartitionReassignmentsRequestData.ReassignablePartition().setPartitionIndex(index)
                .setReplicas(replicas == null ? null : new ArrayList<>(Arrays.asList(replicas)));
    }

    private static List<AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse> alter(
            boolean allowReplicationFactorChange, String topic,
            AlterPartitionReassignmentsRequestData.ReassignablePartition... partitions) {
        AlterPartitionReassignmentsRequestData request = new AlterPartitionReassignmentsRequestData()
                .setAllowReplicationFactorChange(allowReplicationFactorChange).setTopics(new ArrayList<>(List.of(
                        new AlterPartitionReassignmentsRequestData.ReassignableTopic().setName(topic)
                                .setPartitions(new ArrayList<>(List.of(partitions))))));
        AlterPartitionReassignmentsResponseData response = PartitionReassignments.alter(image(), request);
        assertThat(response.errorCode()).isZero();
        assertThat(response.responses()).hasSize(1);
        return response.responses().get(0).partitions();
    }

    private static Errors error(AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse response) {
        return Errors.forCode(response.errorCode());
    }

    @Test
    void aReassignmentToTheCurrentReplicasCompletesAtOnce() {
        var results = alter(true, "orders", partition(0, 1), partition(1, 2));
        assertThat(results).extracting(PartitionReassignmentsTest::error).containsExactly(Errors.NONE, Errors.NONE);
        assertThat(results.get(0).errorMessage()).isNull();
    }

    @Test
    void aReassignmentThatWouldMoveDataIsRefusedWithItsReason() {
        var results = alter(true, "orders", partition(0, 2), partition(1, 2, 3));
        assertThat(results).extracting(PartitionReassignmentsTest::error)
                .containsExactly(Errors.INVALID_REPLICA_ASSIGNMENT, Errors.INVALID_REPLICA_ASSIGNMENT);
        assertThat(results.get(0).errorMessage()).contains("issue #12").contains("[1], not [2]");
    }

    @Test
    void invalidTargetsGetKafkasErrors() {
        var results = alter(false, "orders", partition(0), partition(0, 1, 1), partition(0, 9), partition(1, 2, 3),
                partition(5, 1));
        assertThat(results).extracting(PartitionReassignmentsTest::error).containsExactly(
                Errors.INVALID_REPLICA_ASSIGNMENT, Errors.INVALID_REPLICA_ASSIGNMENT, Errors.INVALID_REPLICA_ASSIGNMENT,
                Errors.INVALID_REPLICATION_FACTOR, Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(results.get(2).errorMessage()).contains("broker 9");
        assertThat(alter(true, "missing", partition(0, 1))).extracting(PartitionReassignmentsTest::error)
                .containsExactly(Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }

    @Test
    void cancellingWithoutAReassignmentInProgressIsNoReassignmentInProgress() {
        assertThat(alter(true, "orders", partition(0, (Integer[]) null)))
                .extracting(PartitionReassignmentsTest::error).containsExactly(Errors.NO_REASSIGNMENT_IN_PROGRESS);
    }

    @Test
    void listingReportsOnlyPartitionsWithAddingOrRemovingReplicas() {
        ListPartitionReassignmentsResponseData all = PartitionReassignments.list(image(),
                new ListPartitionReassignmentsRequestData().setTopics(null));
        assertThat(all.topics()).hasSize(1);
        ListPartitionReassignmentsResponseData.OngoingPartitionReassignment ongoing = all.topics().get(0)
                .partitions().get(0);
        assertThat(all.topics().get(0).name()).isEqualTo("moving");
        assertThat(ongoing.replicas()).containsExactly(1, 3);
        assertThat(ongoing.addingReplicas()).containsExactly(3);
        assertThat(ongoing.removingReplicas()).containsExactly(1);

        ListPartitionReassignmentsResponseData named = PartitionReassignments.list(image(),
                new ListPartitionReassignmentsRequestData().setTopics(new ArrayList<>(List.of(
                        new ListPartitionReassignmentsRequestData.ListPartitionReassignmentsTopics().setName("orders")
                                .setPartitionIndexes(new ArrayList<>(List.of(0, 1, 7))),
                        new ListPartitionReassignmentsRequestData.ListPartitionReassignmentsTopics().setName("missing")
                                .setPartitionIndexes(new ArrayList<>(List.of(0)))))));
        assertThat(named.errorCode()).isZero();
        assertThat(named.topics()).isEmpty();
    }
}
