package io.fjord.raft.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.codec.ResponseEncoder;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.DescribeQuorumResponseData;
import io.fjord.raft.driver.QuorumDescription;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * DescribeQuorum's answer at each version: replica directory ids (KIP-853) exist from version 2 only, so an older
 * request (Fjord's and Kafka's tools send version 1 or 2) about a quorum whose observers have directory ids (every
 * broker-only node) is still answered.
 */
class DescribeQuorumMapperTest {
    private static final QuorumDescription QUORUM = new QuorumDescription(1, 3, 42,
            List.of(new QuorumDescription.Replica(1, 42, new UUID(0, 0), 1_780_000_000_500L, 1_780_000_000_500L)),
            List.of(new QuorumDescription.Replica(4, 40, UUID.randomUUID(), 1_780_000_000_400L,
                    1_780_000_000_100L)));

    @Test
    void anObserversDirectoryIdIsLeftOutBelowVersionTwo() {
        for (short version = 0; version <= 2; version++) {
            DescribeQuorumResponseData response = DescribeQuorumMapper.describeQuorum(QUORUM, null, version,
                    Map.of(), "CONTROLLER");
            // Encoding refuses a field its version does not have; the listener's answer would never leave.
            assertThat(ResponseEncoder.encode(ApiKey.DESCRIBE_QUORUM, version, 7, response).parts()).isNotEmpty();
            DescribeQuorumResponseData.PartitionData partition = response.topics().get(0).partitions().get(0);
            assertThat(partition.observers()).extracting(DescribeQuorumResponseData.ReplicaState::replicaId)
                    .containsExactly(4);
            assertThat(partition.observers().get(0).replicaDirectoryId())
                    .isEqualTo(version >= 2 ? QUORUM.observers().get(0).directoryId() : new UUID(0, 0));
        }
    }

    @Test
    void eachReplicasLastFetchAndLastCaughtUpTimesAreReported() {
        DescribeQuorumResponseData.PartitionData partition = DescribeQuorumMapper.describeQuorum(QUORUM, null,
                (short) 1, Map.of(), "CONTROLLER").topics().get(0).partitions().get(0);
        assertThat(partition.currentVoters().get(0).lastFetchTimestamp()).isEqualTo(1_780_000_000_500L);
        assertThat(partition.currentVoters().get(0).lastCaughtUpTimestamp()).isEqualTo(1_780_000_000_500L);
        assertThat(partition.observers().get(0).lastFetchTimestamp()).isEqualTo(1_780_000_000_400L);
        assertThat(partition.observers().get(0).lastCaughtUpTimestamp()).isEqualTo(1_780_000_000_100L);
    }
}
