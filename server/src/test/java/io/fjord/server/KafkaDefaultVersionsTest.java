package io.fjord.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.message.ApiVersionsResponseData;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node advertises no API version above what Apache Kafka 4.4.0 advertises by default, and every range it advertises
 * below Kafka's is a deliberate cap listed here with its reason. Unstable versions (InitProducerId v6, KIP-939 two-phase
 * commit) are among the versions Kafka leaves out by default.
 */
class KafkaDefaultVersionsTest {
    /**
     * Facts: ApiVersions v5 of Apache Kafka 4.4.0 with its default configuration (one node with the broker and
     * controller roles, formatted by {@code kafka-storage format}), asked with kafka-clients 4.4.0: name, key, min, max.
     */
    private static final String KAFKA_4_4_DEFAULTS = """
            Produce                                  0   0  13
            Fetch                                    1   4  18
            ListOffsets                              2   1  11
            Metadata                                 3   0  13
            OffsetCommit                             8   2  10
            OffsetFetch                              9   1  10
            FindCoordinator                         10   0   6
            JoinGroup                               11   0   9
            Heartbeat                               12   0   4
            LeaveGroup                              13   0   5
            SyncGroup                               14   0   5
            DescribeGroups                          15   0   6
            ListGroups                              16   0   5
            SaslHandshake                           17   0   1
            ApiVersions                             18   0   5
            CreateTopics                            19   2   7
            DeleteTopics                            20   1   6
            DeleteRecords                           21   0   2
            InitProducerId                          22   0   5
            OffsetForLeaderEpoch                    23   2   4
            AddPartitionsToTxn                      24   0   5
            AddOffsetsToTxn                         25   0   4
            EndTxn                                  26   0   5
            WriteTxnMarkers                         27   1   2
            TxnOffsetCommit                         28   0   6
            DescribeAcls                            29   1   3
            CreateAcls                              30   1   3
            DeleteAcls                              31   1   3
            DescribeConfigs                         32   1   4
            AlterConfigs                            33   0   2
            AlterReplicaLogDirs                     34   1   2
            DescribeLogDirs                         35   1   5
            SaslAuthenticate                        36   0   2
            CreatePartitions                        37   0   3
            CreateDelegationToken                   38   1   3
            RenewDelegationToken                    39   1   2
            ExpireDelegationToken                   40   1   2
            DescribeDelegationToken                 41   1   3
            DeleteGroups                            42   0   3
            ElectLeaders                            43   0   2
            IncrementalAlterConfigs                 44   0   1
            AlterPartitionReassignments             45   0   1
            ListPartitionReassignments              46   0   0
            OffsetDelete                            47   0   0
            DescribeClientQuotas                    48   0   1
            AlterClientQuotas                       49   0   1
            DescribeUserScramCredentials            50   0   0
            AlterUserScramCredentials               51   0   0
            DescribeQuorum                          55   0   2
            UpdateFeatures                          57   0   2
            DescribeCluster                         60   0   2
            DescribeProducers                       61   0   0
            UnregisterBroker                        64   0   0
            DescribeTransactions                    65   0   0
            ListTransactions                        66   0   2
            ConsumerGroupHeartbeat                  68   0   1
            ConsumerGroupDescribe                   69   0   1
            ListConfigResources                     74   0   1
            DescribeTopicPartitions                 75   0   0
            ShareGroupHeartbeat                     76   1   1
            ShareGroupDescribe                      77   1   1
            ShareFetch                              78   1   2
            ShareAcknowledge                        79   1   2
            AddRaftVoter                            80   0   1
            RemoveRaftVoter                         81   0   0
            InitializeShareGroupState               83   0   0
            ReadShareGroupState                     84   0   0
            WriteShareGroupState                    85   0   1
            DeleteShareGroupState                   86   0   0
            ReadShareGroupStateSummary              87   0   1
            StreamsGroupHeartbeat                   88   0   1
            StreamsGroupDescribe                    89   0   1
            DescribeShareGroupOffsets               90   0   1
            AlterShareGroupOffsets                  91   0   0
            DeleteShareGroupOffsets                 92   0   0
            StreamsGroupTopologyDescriptionUpdate   93   0   0
            UnregisterController                    94   0   0
            """;

    /**
     * Where a node's advertised range is narrower than Kafka 4.4's, on purpose: key to "min-max: why". None today;
     * Produce is listed from v0 as Kafka lists it (KAFKA-18659), though both serve it from v3.
     */
    private static final Map<Short, String> DELIBERATE_CAPS = Map.of();

    @TempDir
    Path data;

    private record Range(String name, short min, short max) {
    }

    private static Map<Short, Range> kafkaDefaults() {
        Map<Short, Range> ranges = new TreeMap<>();
        for (String line : KAFKA_4_4_DEFAULTS.strip().split("\n")) {
            String[] fields = line.strip().split(" +");
            ranges.put(Short.parseShort(fields[1]), new Range(fields[0], Short.parseShort(fields[2]),
                    Short.parseShort(fields[3])));
        }
        return ranges;
    }

    @Test
    void noAdvertisedVersionExceedsKafkasDefaultAndEveryNarrowerRangeIsADeliberateCap() throws Exception {
        FjordNode node = new FjordNode(NodeConfig.fromProperties(Map.of("listeners", "PLAINTEXT://127.0.0.1:0",
                "log.dirs", data.toString())), InstantSource.system());
        node.start();
        try {
            Map<Short, Range> kafka = kafkaDefaults();
            assertThat(kafka).hasSize(77);
            List<String> differences = new ArrayList<>();
            List<ApiVersionsResponseData.ApiVersion> advertised = node.dispatcher().advertisedVersions();
            for (ApiVersionsResponseData.ApiVersion version : advertised) {
                Range kafkaRange = kafka.get(version.apiKey());
                assertThat(kafkaRange).as("API %d is one Kafka 4.4 advertises", version.apiKey()).isNotNull();
                assertThat(version.maxVersion()).as(kafkaRange.name()).isLessThanOrEqualTo(kafkaRange.max());
                assertThat(version.minVersion()).as(kafkaRange.name()).isLessThanOrEqualTo(version.maxVersion());
                if (version.minVersion() != kafkaRange.min() || version.maxVersion() != kafkaRange.max()) {
                    String range = version.minVersion() + "-" + version.maxVersion();
                    String reason = DELIBERATE_CAPS.get(version.apiKey());
                    if (reason == null || !reason.startsWith(range + ":")) {
                        differences.add(kafkaRange.name() + " advertised " + range + ", Kafka 4.4 "
                                + kafkaRange.min() + "-" + kafkaRange.max());
                    }
                }
            }
            assertThat(differences).as("ranges that differ from Kafka 4.4's without a deliberate cap").isEmpty();
            assertThat(advertised).extracting(ApiVersionsResponseData.ApiVersion::apiKey)
                    .containsAll(DELIBERATE_CAPS.keySet());
        } finally {
            node.stop();
        }
    }
}
