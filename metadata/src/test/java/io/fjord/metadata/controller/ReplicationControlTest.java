package io.fjord.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.metadata.records.PartitionChangeRecord;
import io.fjord.metadata.records.PartitionRecord;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ElectLeadersRequestData;
import io.fjord.protocol.message.ElectLeadersResponseData;
import io.fjord.protocol.message.ElectLeadersResponseData.PartitionResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplicationControlTest {
    private final ControllerFixture fixture = new ControllerFixture();
    private final RegisteredBrokers brokers = new RegisteredBrokers(fixture);

    private static ElectLeadersRequestData request(byte type, String topic, Integer... partitions) {
        ElectLeadersRequestData request = new ElectLeadersRequestData().setElectionType(type);
        request.topicPartitions().add(new ElectLeadersRequestData.TopicPartitions().setTopic(topic)
                .setPartitions(List.of(partitions)));
        return request;
    }

    private static List<Short> codes(ElectLeadersResponseData response) {
        List<Short> codes = new ArrayList<>();
        response.replicaElectionResults().forEach(topic -> topic.partitionResult().stream()
                .map(PartitionResult::errorCode).forEach(codes::add));
        return codes;
    }

    @Test
    void fencingTheLeaderElectsTheFirstLiveIsrMemberInReplicaOrder() {
        brokers.start(3);
        fixture.createTopic("t", List.of(List.of(1, 3, 2)));
        brokers.fence(1);
        assertThat(fixture.partition("t", 0).leader()).isEqualTo(3);
        assertThat(fixture.partition("t", 0).isr()).containsExactly(3, 2);
        brokers.fence(3);
        assertThat(fixture.partition("t", 0).leader()).isEqualTo(2);
        assertThat(fixture.partition("t", 0).leaderEpoch()).isEqualTo(2);
        brokers.fence(2);
        // The last ISR member stays in the ISR (no ELR) and the partition has no leader.
        assertThat(fixture.partition("t", 0).leader()).isEqualTo(-1);
        assertThat(fixture.partition("t", 0).isr()).containsExactly(2);
        assertThat(fixture.partition("t", 0).leaderEpoch()).isEqualTo(3);
        assertThat(fixture.partition("t", 0).partitionEpoch()).isEqualTo(3);
    }

    @Test
    void uncleanElectionFollowsTheTopicConfig() {
        brokers.start(2);
        fixture.createTopic("t", List.of(List.of(1, 2)));
        brokers.fence(2);
        brokers.fence(1);
        assertThat(fixture.partition("t", 0).isr()).containsExactly(1);
        brokers.unfence(2);
        assertThat(fixture.partition("t", 0).leader()).isEqualTo(-1);

        ElectLeadersResponseData unclean = fixture.apply(fixture.replication.electLeaders(fixture.image,
                request(ReplicationControl.UNCLEAN, "t", 0)));
        assertThat(codes(unclean)).containsExactly(Errors.NONE.code());
        // An explicit unclean election is allowed whatever the topic config: broker 2 leads, alone in the ISR.
        assertThat(fixture.partition("t", 0).leader()).isEqualTo(2);
        assertThat(fixture.partition("t", 0).isr()).containsExactly(2);
        assertThat(fixture.partition("t", 0).leaderRecoveryState()).isEqualTo(PartitionRecord.RECOVERING);
    }

    @Test
    void theTopicConfigLetsFencingElectOutsideTheIsr() {
        brokers.start(2);
        fixture.createTopic("t", List.of(List.of(1, 2)));
        fixture.setTopicConfig("t", ReplicationControl.UNCLEAN_LEADER_ELECTION_ENABLE, "true");
        brokers.fence(2);
        brokers.fence(1);
        assertThat(fixture.partition("t", 0).leader()).isEqualTo(-1);
        brokers.unfence(2);
        assertThat(fixture.partition("t", 0).leader()).isEqualTo(2);
        assertThat(fixture.partition("t", 0).isr()).containsExactly(2);
        assertThat(fixture.partition("t", 0).leaderRecoveryState()).isEqualTo(PartitionRecord.RECOVERING);
    }

    @Test
    void electLeadersAnswersKafkasErrorCodesPerPartition() {
        brokers.start(3);
        fixture.createTopic("t", List.of(List.of(1, 2), List.of(2, 1), List.of(3, 2)));
        brokers.fence(1);
        brokers.fence(3);
        brokers.unfence(3);
        // Partition 0: preferred 1 is fenced. Partition 1: preferred leads. Partition 2: 3 is back but not in the ISR.
        ElectLeadersResponseData preferred = fixture.apply(fixture.replication.electLeaders(fixture.image,
                request(ReplicationControl.PREFERRED, "t", 0, 1, 2, 7)));
        assertThat(codes(preferred)).containsExactly(Errors.PREFERRED_LEADER_NOT_AVAILABLE.code(),
                Errors.ELECTION_NOT_NEEDED.code(), Errors.PREFERRED_LEADER_NOT_AVAILABLE.code(),
                Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(codes(fixture.replication.electLeaders(fixture.image,
                request(ReplicationControl.PREFERRED, "missing", 0)).response()))
                .containsExactly(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());

        brokers.unfence(1);
        // Broker 1 is back but not in the ISR of partition 0 (its leader has not re-added it).
        assertThat(codes(fixture.replication.electLeaders(fixture.image,
                request(ReplicationControl.PREFERRED, "t", 0)).response()))
                .containsExactly(Errors.PREFERRED_LEADER_NOT_AVAILABLE.code());
        fixture.changePartition("t", 0, List.of(2, 1), PartitionChangeRecord.NO_LEADER_CHANGE);
        ElectLeadersResponseData elected = fixture.apply(fixture.replication.electLeaders(fixture.image,
                request(ReplicationControl.PREFERRED, "t", 0)));
        assertThat(codes(elected)).containsExactly(Errors.NONE.code());
        assertThat(fixture.partition("t", 0).leader()).isEqualTo(1);

        assertThat(codes(fixture.replication.electLeaders(fixture.image,
                request(ReplicationControl.UNCLEAN, "t", 0)).response()))
                .containsExactly(Errors.ELECTION_NOT_NEEDED.code());
        brokers.fence(1);
        brokers.fence(2);
        assertThat(fixture.partition("t", 2).leader()).isEqualTo(-1);
        assertThat(codes(fixture.apply(fixture.replication.electLeaders(fixture.image,
                request(ReplicationControl.UNCLEAN, "t", 2))))).containsExactly(Errors.NONE.code());
        assertThat(fixture.partition("t", 2).leader()).isEqualTo(3);
        brokers.fence(3);
        assertThat(codes(fixture.replication.electLeaders(fixture.image,
                request(ReplicationControl.UNCLEAN, "t", 2)).response()))
                .containsExactly(Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE.code());
    }

    @Test
    void electingAllPartitionsListsOnlyThoseWhereAnElectionRan() {
        brokers.start(2);
        fixture.createTopic("t", List.of(List.of(1, 2), List.of(2, 1)));
        brokers.fence(1);
        brokers.unfence(1);
        fixture.changePartition("t", 0, List.of(2, 1), PartitionChangeRecord.NO_LEADER_CHANGE);
        ElectLeadersRequestData all = new ElectLeadersRequestData().setElectionType(ReplicationControl.PREFERRED)
                .setTopicPartitions(null);
        ElectLeadersResponseData response = fixture.apply(fixture.replication.electLeaders(fixture.image, all));
        assertThat(response.replicaElectionResults()).hasSize(1);
        assertThat(response.replicaElectionResults().get(0).partitionResult()).extracting(PartitionResult::partitionId)
                .containsExactly(0);
        assertThat(fixture.partition("t", 0).leader()).isEqualTo(1);
    }

    @Test
    void autoRebalanceElectsPreferredLeadersOnlyForBrokersOverTheThreshold() {
        brokers.start(2);
        List<List<Integer>> assignments = new ArrayList<>();
        for (int partition = 0; partition < 10; partition++) {
            assignments.add(List.of(1, 2));
        }
        assignments.add(List.of(2, 1));
        fixture.createTopic("t", assignments);
        // Broker 1 prefers 10 partitions; moving one away is exactly 10%: not over the threshold.
        fixture.changePartition("t", 0, null, 2);
        assertThat(fixture.replication.rebalanceLeaders(fixture.image).records()).isEmpty();
        fixture.changePartition("t", 1, null, 2);
        fixture.changePartition("t", 10, null, 1);
        // Broker 1: 2 of 10 (20%) over; broker 2: 1 of 1 (100%) over.
        ElectLeadersResponseData rebalanced = fixture.apply(fixture.replication.rebalanceLeaders(fixture.image));
        assertThat(rebalanced.replicaElectionResults().get(0).partitionResult())
                .extracting(PartitionResult::partitionId).containsExactly(0, 1, 10);
        assertThat(fixture.partition("t", 0).leader()).isEqualTo(1);
        assertThat(fixture.partition("t", 10).leader()).isEqualTo(2);
        assertThat(fixture.replication.rebalanceLeaders(fixture.image).records()).isEmpty();
    }
}
