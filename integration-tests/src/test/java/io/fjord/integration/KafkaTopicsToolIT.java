package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Apache Kafka's own kafka-topics tool ({@code org.apache.kafka.tools.TopicCommand} of kafka-tools 4.4.0, run in a
 * child JVM) creates, lists, describes, grows and deletes a topic on a Fjord node.
 */
class KafkaTopicsToolIT {
    private static final String TOPIC_COMMAND = "org.apache.kafka.tools.TopicCommand";

    @TempDir
    Path data;

    private static KafkaDistribution.Result topics(FjordTestNode node, String... arguments) throws Exception {
        return KafkaDistribution.runAgainst(node, TOPIC_COMMAND, arguments);
    }

    /** The describe lines of the partitions, one per partition, in the tool's order. */
    private static List<String> partitionLines(String describeOutput) {
        return describeOutput.lines().filter(line -> line.contains("Partition: ")).map(String::strip).toList();
    }

    @Test
    void kafkaTopicsCreatesListsDescribesAltersAndDeletesATopic() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, Map.of("node.id", "7"))) {
            KafkaDistribution.Result created = topics(node, "--create", "--topic", "orders", "--partitions", "3",
                    "--replication-factor", "1", "--config", "retention.ms=3600000");
            assertThat(created.exitCode()).as("create; errors: %s", created.errors()).isZero();
            assertThat(created.output()).contains("Created topic orders.");

            KafkaDistribution.Result listed = topics(node, "--list");
            assertThat(listed.exitCode()).as("list; errors: %s", listed.errors()).isZero();
            assertThat(listed.output().lines()).contains("orders");

            KafkaDistribution.Result described = topics(node, "--describe", "--topic", "orders");
            assertThat(described.exitCode()).as("describe; errors: %s", described.errors()).isZero();
            assertThat(described.output()).contains("Topic: orders").contains("PartitionCount: 3")
                    .contains("ReplicationFactor: 1").contains("retention.ms=3600000");
            List<String> partitions = partitionLines(described.output());
            assertThat(partitions).hasSize(3);
            for (int partition = 0; partition < 3; partition++) {
                assertThat(partitions.get(partition)).contains("Partition: " + partition).contains("Leader: 7")
                        .contains("Replicas: 7").contains("Isr: 7");
            }

            KafkaDistribution.Result altered = topics(node, "--alter", "--topic", "orders", "--partitions", "5");
            assertThat(altered.exitCode()).as("alter; errors: %s", altered.errors()).isZero();
            KafkaDistribution.Result grown = topics(node, "--describe", "--topic", "orders");
            assertThat(grown.output()).contains("PartitionCount: 5");
            assertThat(partitionLines(grown.output())).hasSize(5).allSatisfy(line -> assertThat(line)
                    .contains("Leader: 7"));

            // Shrinking is refused, as Kafka refuses it.
            KafkaDistribution.Result shrunk = topics(node, "--alter", "--topic", "orders", "--partitions", "2");
            assertThat(shrunk.exitCode()).isNotZero();
            assertThat(shrunk.output() + shrunk.errors())
                    .contains("currently has 5 partition(s); 2 would not be an increase");

            KafkaDistribution.Result deleted = topics(node, "--delete", "--topic", "orders");
            assertThat(deleted.exitCode()).as("delete; errors: %s", deleted.errors()).isZero();
            KafkaDistribution.Result afterDelete = topics(node, "--list");
            assertThat(afterDelete.exitCode()).isZero();
            assertThat(afterDelete.output().lines()).doesNotContain("orders");
            KafkaDistribution.Result describeDeleted = topics(node, "--describe", "--topic", "orders");
            assertThat(describeDeleted.exitCode()).isNotZero();
            assertThat(describeDeleted.output() + describeDeleted.errors())
                    .contains("Topic 'orders' does not exist as expected");
        }
    }

    @Test
    void kafkaTopicsReportsAnExistingTopicAndABadConfig() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, Map.of())) {
            assertThat(topics(node, "--create", "--topic", "once", "--partitions", "1").exitCode()).isZero();
            KafkaDistribution.Result again = topics(node, "--create", "--topic", "once", "--partitions", "1");
            assertThat(again.exitCode()).isNotZero();
            assertThat(again.output() + again.errors()).contains("already exists");
            assertThat(topics(node, "--create", "--topic", "once", "--partitions", "1", "--if-not-exists")
                    .exitCode()).isZero();

            KafkaDistribution.Result badConfig = topics(node, "--create", "--topic", "bad", "--partitions", "1",
                    "--config", "retention.ms=soon");
            assertThat(badConfig.exitCode()).isNotZero();
            assertThat(topics(node, "--list").output().lines()).contains("once").doesNotContain("bad");
        }
    }
}
