package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The unmodified kafka-clients 4.4.0 Admin client against a single Fjord node. */
class AdminClientIT {
    @TempDir
    Path data;

    @Test
    void describesTheClusterAndManagesTopicsAcrossARestart() throws Exception {
        String clusterId;
        try (FjordTestNode node = FjordTestNode.start(data, Map.of("num.partitions", "2"));
             Admin admin = node.admin()) {
            DescribeClusterResult cluster = admin.describeCluster();
            clusterId = cluster.clusterId().get(20, TimeUnit.SECONDS);
            assertThat(clusterId).hasSize(22);
            assertThat(cluster.nodes().get()).singleElement().satisfies(broker -> {
                assertThat(broker.id()).isEqualTo(1);
                assertThat(broker.port()).isEqualTo(Integer.parseInt(node.bootstrapServers().split(":")[1]));
            });
            assertThat(cluster.controller().get().id()).isEqualTo(1);

            admin.createTopics(List.of(new NewTopic("orders", 3, (short) 1), new NewTopic("defaults",
                    java.util.Optional.empty(), java.util.Optional.empty()),
                    new NewTopic("compacted", 1, (short) 1).configs(Map.of("cleanup.policy", "compact"))))
                    .all().get(20, TimeUnit.SECONDS);
            assertThat(admin.listTopics().names().get()).containsExactlyInAnyOrder("orders", "defaults", "compacted");
            Map<String, TopicDescription> described = admin.describeTopics(List.of("orders", "defaults"))
                    .allTopicNames().get();
            assertThat(described.get("orders").partitions()).hasSize(3).allSatisfy(partition -> {
                assertThat(partition.leader().id()).isEqualTo(1);
                assertThat(partition.isr()).extracting(org.apache.kafka.common.Node::id).containsExactly(1);
            });
            assertThat(described.get("defaults").partitions()).hasSize(2);
            assertThat(described.get("orders").topicId()).isNotNull();

            assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("orders", 1, (short) 1))).all().get())
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TopicExistsException.class);
            assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("bad/name", 1, (short) 1))).all().get())
                    .hasCauseInstanceOf(InvalidTopicException.class);
            assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("wide", 1, (short) 3))).all().get())
                    .hasCauseInstanceOf(InvalidReplicationFactorException.class);

            var compactedResource = new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, "compacted");
            var brokerResource = new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.BROKER, "1");
            var configs = admin.describeConfigs(List.of(compactedResource, brokerResource)).all()
                    .get(20, TimeUnit.SECONDS);
            assertThat(configs.get(compactedResource).get("cleanup.policy").value()).isEqualTo("compact");
            assertThat(configs.get(compactedResource).get("cleanup.policy").source())
                    .isEqualTo(org.apache.kafka.clients.admin.ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
            assertThat(configs.get(compactedResource).get("retention.ms").value()).isEqualTo("604800000");
            assertThat(configs.get(compactedResource).get("retention.ms").source())
                    .isEqualTo(org.apache.kafka.clients.admin.ConfigEntry.ConfigSource.DEFAULT_CONFIG);
            assertThat(configs.get(brokerResource).get("num.partitions").value()).isEqualTo("2");

            admin.createPartitions(Map.of("orders", NewPartitions.increaseTo(5))).all().get(20, TimeUnit.SECONDS);
            assertThatThrownBy(() -> admin.createPartitions(Map.of("orders", NewPartitions.increaseTo(2))).all().get())
                    .hasCauseInstanceOf(InvalidPartitionsException.class);
            admin.deleteTopics(List.of("defaults")).all().get(20, TimeUnit.SECONDS);
            assertThatThrownBy(() -> admin.deleteTopics(List.of("never")).all().get())
                    .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
            assertThat(data.resolve("orders-4")).isDirectory();
            assertThat(data.resolve("defaults-0")).doesNotExist();
        }
        try (FjordTestNode node = FjordTestNode.start(data, Map.of()); Admin admin = node.admin()) {
            assertThat(admin.describeCluster().clusterId().get(20, TimeUnit.SECONDS)).isEqualTo(clusterId);
            assertThat(admin.listTopics().names().get()).containsExactlyInAnyOrder("orders", "compacted");
            assertThat(admin.describeTopics(List.of("orders")).allTopicNames().get().get("orders").partitions())
                    .hasSize(5);
        }
    }
}
