package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Apache Kafka's own kafka-consumer-groups tool ({@code ConsumerGroupCommand} of kafka-tools 4.4.0, in a child JVM)
 * lists a group, describes its lag and resets its offsets to the earliest.
 */
class ConsumerGroupsToolIT {
    private static final String COMMAND = "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand";

    @TempDir
    Path data;

    private static KafkaDistribution.Result groups(FjordTestNode node, String... arguments) throws Exception {
        return KafkaDistribution.runAgainst(node, COMMAND, arguments);
    }

    /** The describe lines of the group's partitions: GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG ... */
    private static List<String[]> partitionRows(String output, String topic) {
        return output.lines().map(String::strip).map(line -> line.split("\\s+"))
                .filter(columns -> columns.length >= 4 && columns[1].equals(topic)).toList();
    }

    @Test
    void kafkaConsumerGroupsDescribesLagAndResetsOffsets() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, ConsumerGroupIT.groupNodeConfig())) {
            ConsumerGroupIT.createTopic(node, "metrics", 2);
            ConsumerGroupIT.produce(node, "metrics", "m", 20); // ten per partition
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(GroupMember.properties(
                    node.bootstrapServers(), "dashboards", Map.of()))) {
                consumer.subscribe(List.of("metrics"));
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    consumer.poll(Duration.ofMillis(100));
                    return consumer.assignment().size() == 2;
                });
                // Commit partway, so there is lag to show.
                consumer.commitSync(Map.of(new TopicPartition("metrics", 0), new OffsetAndMetadata(4),
                        new TopicPartition("metrics", 1), new OffsetAndMetadata(1)));
            }

            KafkaDistribution.Result listed = groups(node, "--list");
            assertThat(listed.exitCode()).as("list; errors: %s", listed.errors()).isZero();
            assertThat(listed.output().lines()).contains("dashboards");

            KafkaDistribution.Result described = groups(node, "--describe", "--group", "dashboards");
            assertThat(described.exitCode()).as("describe; errors: %s", described.errors()).isZero();
            List<String[]> rows = partitionRows(described.output(), "metrics");
            assertThat(rows).hasSize(2);
            long[][] expected = {{4, 10, 6}, {1, 10, 9}};
            for (String[] row : rows) {
                int partition = Integer.parseInt(row[2]);
                assertThat(row[0]).isEqualTo("dashboards");
                assertThat(Long.parseLong(row[3])).as("current offset of %d", partition)
                        .isEqualTo(expected[partition][0]);
                assertThat(Long.parseLong(row[4])).as("log end of %d", partition).isEqualTo(expected[partition][1]);
                assertThat(Long.parseLong(row[5])).as("lag of %d", partition).isEqualTo(expected[partition][2]);
            }

            KafkaDistribution.Result reset = groups(node, "--reset-offsets", "--group", "dashboards", "--topic",
                    "metrics", "--to-earliest", "--execute");
            assertThat(reset.exitCode()).as("reset; errors: %s", reset.errors()).isZero();
            assertThat(partitionRows(reset.output(), "metrics")).hasSize(2)
                    .allSatisfy(columns -> assertThat(columns[3]).isEqualTo("0"));
            try (Admin admin = node.admin()) {
                assertThat(admin.listConsumerGroupOffsets("dashboards").partitionsToOffsetAndMetadata()
                        .get(20, TimeUnit.SECONDS)).containsOnly(
                                Map.entry(new TopicPartition("metrics", 0), new OffsetAndMetadata(0)),
                                Map.entry(new TopicPartition("metrics", 1), new OffsetAndMetadata(0)));
            }
        }
    }
}
