package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Apache Kafka's own kafka-consumer-groups tool ({@code ConsumerGroupCommand} of kafka-tools 4.4.0, in a child JVM)
 * lists a group, describes its lag and resets its offsets to the earliest; and for a KIP-848 group with a live member,
 * describes its partitions with their lag, its members and its state, and lists groups by type.
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
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(ClassicMembers.properties(
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

    /** A node for KIP-848 groups: the classic group settings and short consumer-group timers. */
    private static Map<String, String> consumerProtocolNodeConfig() {
        Map<String, String> config = new HashMap<>(ConsumerGroupIT.groupNodeConfig());
        config.putAll(ConsumerGroupProtocolIT.GROUP_SETTINGS);
        return config;
    }

    @Test
    void kafkaConsumerGroupsListsByTypeAndDescribesAConsumerProtocolGroup() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, consumerProtocolNodeConfig())) {
            ConsumerGroupIT.createTopic(node, "clicks", 2);
            ConsumerGroupIT.produce(node, "clicks", "c", 20); // ten per partition
            // A classic group with offsets only, so the type filter has something to leave out.
            try (Admin admin = node.admin()) {
                admin.alterConsumerGroupOffsets("archivists", Map.of(new TopicPartition("clicks", 0),
                        new OffsetAndMetadata(3))).all().get(20, TimeUnit.SECONDS);
            }
            Properties properties = new Properties();
            properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
            properties.put(ConsumerConfig.GROUP_ID_CONFIG, "readers");
            properties.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
            properties.put(ConsumerConfig.CLIENT_ID_CONFIG, "reader-client");
            properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            Set<String> values = GroupMemberThread.newValueSet();
            OwnershipLedger ledger = new OwnershipLedger();
            try (GroupMemberThread member = GroupMemberThread.subscribing("reader", properties, "clicks", ledger,
                    values).start()) {
                // The member commits after every poll: once it has read everything its lag is 0.
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    KafkaDistribution.Result described = groups(node, "--describe", "--group", "readers");
                    assertThat(described.exitCode()).as("describe; errors: %s", described.errors()).isZero();
                    List<String[]> rows = partitionRows(described.output(), "clicks");
                    assertThat(rows).hasSize(2).allSatisfy(row -> {
                        assertThat(row[0]).isEqualTo("readers");
                        assertThat(row[3]).as("current offset").isEqualTo("10");
                        assertThat(row[4]).as("log end offset").isEqualTo("10");
                        assertThat(row[5]).as("lag").isEqualTo("0");
                        assertThat(row[row.length - 1]).as("client id").isEqualTo("reader-client");
                    });
                });

                KafkaDistribution.Result members = groups(node, "--describe", "--group", "readers", "--members");
                assertThat(members.exitCode()).as("members; errors: %s", members.errors()).isZero();
                List<String[]> memberRows = members.output().lines().map(String::strip)
                        .map(line -> line.split("\\s+")).filter(columns -> columns[0].equals("readers")).toList();
                assertThat(memberRows).hasSize(1);
                assertThat(memberRows.get(0)).contains("reader-client", "2");

                KafkaDistribution.Result state = groups(node, "--describe", "--group", "readers", "--state");
                assertThat(state.exitCode()).as("state; errors: %s", state.errors()).isZero();
                assertThat(state.output().lines().map(String::strip).filter(line -> line.startsWith("readers")))
                        .singleElement().satisfies(line -> assertThat(line).contains("uniform", "Stable"));

                KafkaDistribution.Result consumerGroups = groups(node, "--list", "--type", "consumer");
                assertThat(consumerGroups.exitCode()).as("list; errors: %s", consumerGroups.errors()).isZero();
                List<String> listed = consumerGroups.output().lines().map(String::strip)
                        .map(line -> line.split("\\s+")[0]).toList();
                assertThat(listed).contains("readers").doesNotContain("archivists");
                assertThat(member.failure()).as("the member itself").isNull();
                KafkaDistribution.Result classicGroups = groups(node, "--list", "--type", "classic");
                assertThat(classicGroups.exitCode()).as("list; errors: %s", classicGroups.errors()).isZero();
                assertThat(classicGroups.output().lines().map(String::strip).map(line -> line.split("\\s+")[0]))
                        .contains("archivists").doesNotContain("readers");
            }
            assertThat(ledger.violations()).isEmpty();
        }
    }
}
