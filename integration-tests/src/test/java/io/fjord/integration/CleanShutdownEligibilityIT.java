package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.records.PartitionRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KIP-966 and KIP-704 end to end on three in-process nodes (ELR on, as for every new cluster): a partition whose one
 * replica is on node 3. After a clean stop node 3 is in the ELR; its next start names its previous broker epoch (from
 * {@code .kafka_cleanshutdown}), so it stays eligible and leads again RECOVERED in one change. After a stop that left
 * no clean-shutdown marker (what {@code kill -9} leaves) its registration takes it out of the ELR; it leads only as
 * the last known leader, RECOVERING, and then marks the partition RECOVERED itself (three changes). Time bounds are
 * liveness bounds for a busy machine.
 */
class CleanShutdownEligibilityIT {
    private static final Duration BOUND = Duration.ofSeconds(120);

    @TempDir
    Path data;

    private static PartitionImage partition(FjordTestCluster cluster) {
        return cluster.node(1).metadataCache().image().topic("elr").orElseThrow().partitions().get(0);
    }

    @Test
    void aCleanRestartStaysEligibleAndAnUncleanOneRecoversAsTheLastKnownLeader() throws Exception {
        try (FjordTestCluster cluster = FjordTestCluster.start(data, 3, Map.of())) {
            try (Admin admin = cluster.admin(1)) {
                admin.createTopics(List.of(new NewTopic("elr", Map.of(0, List.of(3))))).all()
                        .get(60, TimeUnit.SECONDS);
            }
            await().atMost(BOUND).until(() -> cluster.node(1).metadataCache().image().topic("elr").isPresent()
                    && partition(cluster).leader() == 3);

            cluster.stop(3);
            await().atMost(BOUND).until(() -> partition(cluster).leader() == PartitionImage.NO_LEADER);
            assertThat(partition(cluster).eligibleLeaderReplicas()).as("left the ISR below min ISR").containsExactly(3);
            assertThat(Files.readString(data.resolve("node-3").resolve(".kafka_cleanshutdown")))
                    .matches("\\{\"version\":0,\"brokerEpoch\":\\d+}");
            int downEpoch = partition(cluster).partitionEpoch();

            cluster.startNodes(List.of(3));
            await().atMost(BOUND).until(() -> partition(cluster).leader() == 3);
            PartitionImage clean = partition(cluster);
            assertThat(clean.leaderRecoveryState()).isEqualTo(PartitionRecord.RECOVERED);
            assertThat(clean.partitionEpoch()).as("elected from the ELR, nothing else").isEqualTo(downEpoch + 1);

            cluster.stop(3);
            await().atMost(BOUND).until(() -> partition(cluster).leader() == PartitionImage.NO_LEADER);
            // A crash leaves no marker: the next start cannot claim a clean shutdown.
            Files.delete(data.resolve("node-3").resolve(".kafka_cleanshutdown"));
            downEpoch = partition(cluster).partitionEpoch();

            cluster.startNodes(List.of(3));
            await().atMost(BOUND).until(() -> partition(cluster).leader() == 3
                    && partition(cluster).leaderRecoveryState() == PartitionRecord.RECOVERED);
            assertThat(partition(cluster).eligibleLeaderReplicas()).isEmpty();
            assertThat(partition(cluster).partitionEpoch())
                    .as("out of the ELR at registration, elected RECOVERING as the last known leader, then RECOVERED")
                    .isEqualTo(downEpoch + 3);
        }
    }
}
