package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fjord.storage.PartitionLog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The group coordinator writes through replication, on three in-process nodes with a three-replica
 * {@code __consumer_offsets} of one partition: an offset commit is acknowledged only once every in-sync replica has
 * its record (the coordinator waits for the high watermark), so stopping the coordinator right after the
 * acknowledgement loses nothing. Time bounds are liveness bounds for a busy machine.
 */
class CoordinatorReplicationIT {
    private static final Duration BOUND = Duration.ofSeconds(120);
    private static final String GROUP = "replicated-commits";
    private static final int COMMITS = 20;

    @TempDir
    Path data;

    @Test
    void anAcknowledgedCommitIsOnEveryInSyncReplicaAndSurvivesTheStopOfItsCoordinator() throws Exception {
        Map<String, String> settings = Map.of("offsets.topic.replication.factor", "3",
                "offsets.topic.num.partitions", "1");
        try (FjordTestCluster cluster = FjordTestCluster.start(data, 3, settings)) {
            try (Admin admin = cluster.admin(1)) {
                admin.createTopics(List.of(new NewTopic("source", 1, (short) 3))).all().get(60, TimeUnit.SECONDS);
            }
            TopicPartition source = new TopicPartition("source", 0);
            io.fjord.storage.TopicPartition offsets = new io.fjord.storage.TopicPartition("__consumer_offsets", 0);
            int coordinator;
            try (KafkaConsumer<String, String> consumer = consumer(cluster.bootstrapServers(1))) {
                consumer.assign(List.of(source));
                // The first commit creates the offsets topic; then every replica joins its ISR.
                consumer.commitSync(Map.of(source, new OffsetAndMetadata(0)), Duration.ofSeconds(60));
                try (Admin admin = cluster.admin(1)) {
                    awaitFullIsr(admin, "__consumer_offsets", Set.of(1, 2, 3));
                    coordinator = describe(admin, "__consumer_offsets").partitions().get(0).leader().id();
                }
                for (int offset = 1; offset <= COMMITS; offset++) {
                    consumer.commitSync(Map.of(source, new OffsetAndMetadata(offset, "commit-" + offset)),
                            Duration.ofSeconds(60));
                    // Acknowledged: the high watermark passed the record, so each ISR member has it already.
                    long leaderEnd = log(cluster, coordinator, offsets).logEndOffset();
                    for (int node : List.of(1, 2, 3)) {
                        assertThat(log(cluster, node, offsets).logEndOffset())
                                .as("log end of node %d after commit %d (leader %d)", node, offset, coordinator)
                                .isGreaterThanOrEqualTo(leaderEnd);
                    }
                }
            }
            cluster.stop(coordinator);
            int survivor = cluster.running().get(0);
            try (Admin admin = cluster.admin(survivor)) {
                await().atMost(BOUND).untilAsserted(() -> assertThat(admin.listConsumerGroupOffsets(GROUP)
                        .partitionsToOffsetAndMetadata().get(60, TimeUnit.SECONDS))
                        .containsEntry(source, new OffsetAndMetadata(COMMITS, "commit-" + COMMITS)));
            }
        }
    }

    private static PartitionLog log(FjordTestCluster cluster, int node, io.fjord.storage.TopicPartition partition) {
        return cluster.node(node).logManager().getLog(partition).orElseThrow();
    }

    private static TopicDescription describe(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(60, TimeUnit.SECONDS).get(topic);
    }

    private static void awaitFullIsr(Admin admin, String topic, Set<Integer> brokers) {
        await().atMost(BOUND).untilAsserted(() -> {
            for (TopicPartitionInfo partition : describe(admin, topic).partitions()) {
                assertThat(ids(partition.isr())).isEqualTo(brokers);
            }
        });
    }

    private static Set<Integer> ids(List<Node> nodes) {
        Set<Integer> ids = new HashSet<>();
        nodes.forEach(node -> ids.add(node.id()));
        return ids;
    }

    private static KafkaConsumer<String, String> consumer(String bootstrap) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return new KafkaConsumer<>(config);
    }
}
