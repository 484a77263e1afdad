package io.fjord.broker.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.protocol.message.FetchRequestData;
import io.fjord.storage.TopicPartition;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Replica fetch requests at the versions that differ. */
class ReplicaRequestsTest {
    private static final UUID TOPIC_ID = UUID.randomUUID();
    private final ReplicaFetcherConfig config = ReplicaFetcherConfig.withDefaults();
    private final List<PlannedFetch> planned = List.of(new PlannedFetch(new TopicPartition("orders", 3),
            new PartitionFetchState(TOPIC_ID, 9), null, 42, 8, 5));
    /** A full round that opens a session. */
    private final ReplicaFetchSession.Request full = new ReplicaFetchSession.Request(0, 0, true, planned, List.of());

    @Test
    void fromVersion15TheReplicaIsNamedByItsReplicaState() {
        FetchRequestData request = ReplicaRequests.fetch((short) 17, 2, 77, config, full);
        assertThat(request.replicaId()).isEqualTo(-1);
        assertThat(request.replicaState().replicaId()).isEqualTo(2);
        assertThat(request.replicaState().replicaEpoch()).isEqualTo(77);
        assertThat(request.topics().get(0).topicId()).isEqualTo(TOPIC_ID);
        FetchRequestData.FetchPartition partition = request.topics().get(0).partitions().get(0);
        assertThat(partition.partition()).isEqualTo(3);
        assertThat(partition.currentLeaderEpoch()).isEqualTo(9);
        assertThat(partition.fetchOffset()).isEqualTo(42);
        assertThat(partition.lastFetchedEpoch()).isEqualTo(8);
        assertThat(partition.logStartOffset()).isEqualTo(5);
        assertThat(partition.partitionMaxBytes()).isEqualTo(1024 * 1024);
        assertThat(request.maxBytes()).isEqualTo(10 * 1024 * 1024);
        assertThat(request.maxWaitMs()).isEqualTo(500);
        assertThat(request.minBytes()).isEqualTo(1);
        assertThat(request.sessionId()).isZero();
        assertThat(request.sessionEpoch()).isZero(); // a full fetch that asks the leader for a session
        assertThat(request.forgottenTopicsData()).isEmpty();
    }

    @Test
    void anIncrementalRoundCarriesItsSessionAndForgetsPartitionsByTopicIdFromVersion13() {
        UUID other = UUID.randomUUID();
        ReplicaFetchSession.Request round = new ReplicaFetchSession.Request(31, 4, false, List.of(),
                List.of(new ReplicaFetchSession.Forgotten(new TopicPartition("orders", 1), TOPIC_ID),
                        new ReplicaFetchSession.Forgotten(new TopicPartition("orders", 2), TOPIC_ID),
                        new ReplicaFetchSession.Forgotten(new TopicPartition("audit", 0), other)));
        FetchRequestData v17 = ReplicaRequests.fetch((short) 17, 2, 77, config, round);
        assertThat(v17.sessionId()).isEqualTo(31);
        assertThat(v17.sessionEpoch()).isEqualTo(4);
        assertThat(v17.topics()).isEmpty();
        assertThat(v17.forgottenTopicsData()).hasSize(2);
        assertThat(v17.forgottenTopicsData().get(0).topicId()).isEqualTo(TOPIC_ID);
        assertThat(v17.forgottenTopicsData().get(0).partitions()).containsExactly(1, 2);
        assertThat(v17.forgottenTopicsData().get(1).topicId()).isEqualTo(other);
        assertThat(v17.forgottenTopicsData().get(1).partitions()).containsExactly(0);
        FetchRequestData v12 = ReplicaRequests.fetch((short) 12, 2, 77, config, round);
        assertThat(v12.forgottenTopicsData().get(0).topic()).isEqualTo("orders");
        assertThat(v12.forgottenTopicsData().get(1).topic()).isEqualTo("audit");
    }

    @Test
    void beforeVersion15ByItsReplicaIdAndBefore13TopicsByName() {
        FetchRequestData v14 = ReplicaRequests.fetch((short) 14, 2, 77, config, full);
        assertThat(v14.replicaId()).isEqualTo(2);
        assertThat(v14.replicaState().replicaId()).isEqualTo(-1);
        FetchRequestData v12 = ReplicaRequests.fetch((short) 12, 2, 77, config, full);
        assertThat(v12.topics().get(0).topic()).isEqualTo("orders");
        assertThat(v12.topics().get(0).topicId()).isEqualTo(new UUID(0, 0));
        assertThatThrownBy(() -> ReplicaRequests.fetch((short) 11, 2, 77, config, full))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
