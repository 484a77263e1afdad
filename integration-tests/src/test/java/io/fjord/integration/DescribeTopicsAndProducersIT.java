package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Admin.describeTopics and Admin.describeProducers of the unmodified kafka-clients 4.4.0 against one Fjord node.
 * The 4.4 Admin describes topics by name with DescribeTopicPartitions (after a DescribeCluster for the nodes) and
 * falls back to Metadata only when a broker does not offer it.
 */
class DescribeTopicsAndProducersIT {
    @TempDir
    Path data;

    @Test
    void describeTopicsAnswersPartitionsLeadersAndIdsAcrossPages() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, Map.of()); Admin admin = node.admin()) {
            CreateTopicsResult created = admin.createTopics(List.of(new NewTopic("orders", 5, (short) 1),
                    new NewTopic("single", 1, (short) 1)));
            created.all().get(20, TimeUnit.SECONDS);

            Map<String, TopicDescription> described = admin.describeTopics(List.of("orders", "single"))
                    .allTopicNames().get(20, TimeUnit.SECONDS);

            TopicDescription orders = described.get("orders");
            assertThat(orders.topicId()).isEqualTo(created.topicId("orders").get());
            assertThat(orders.isInternal()).isFalse();
            assertThat(orders.partitions()).extracting(TopicPartitionInfo::partition).containsExactly(0, 1, 2, 3, 4);
            assertThat(orders.partitions()).allSatisfy(partition -> {
                assertThat(partition.leader().id()).isEqualTo(1);
                assertThat(partition.leader().port()).isEqualTo(
                        Integer.parseInt(node.bootstrapServers().split(":")[1]));
                assertThat(partition.replicas()).extracting(Node::id).containsExactly(1);
                assertThat(partition.isr()).extracting(Node::id).containsExactly(1);
                assertThat(partition.elr()).isEmpty();
                assertThat(partition.lastKnownElr()).isEmpty();
            });
            assertThat(described.get("single").partitions()).hasSize(1);

            // Two partitions a response: the client follows the cursor and joins the pages of "orders".
            Map<String, TopicDescription> paged = admin.describeTopics(List.of("single", "orders"),
                    new DescribeTopicsOptions().partitionSizeLimitPerResponse(2)).allTopicNames()
                    .get(20, TimeUnit.SECONDS);
            assertThat(paged.get("orders").partitions()).extracting(TopicPartitionInfo::partition)
                    .containsExactly(0, 1, 2, 3, 4);
            assertThat(paged.get("single").partitions()).hasSize(1);

            // Without an authorizer every operation of a topic is authorized, as Kafka answers (DescribeTopicPartitions
            // and Metadata v8+ alike).
            TopicDescription withOperations = admin.describeTopics(List.of("single"),
                    new DescribeTopicsOptions().includeAuthorizedOperations(true)).allTopicNames()
                    .get(20, TimeUnit.SECONDS).get("single");
            assertThat(withOperations.authorizedOperations()).isEqualTo(Set.of(AclOperation.READ, AclOperation.WRITE,
                    AclOperation.CREATE, AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE,
                    AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS));

            assertThatThrownBy(() -> admin.describeTopics(List.of("missing")).allTopicNames().get(20,
                    TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
        }
    }

    @Test
    void describeProducersShowsAnIdempotentProducersIdEpochAndLastSequence() throws Exception {
        try (FjordTestNode node = FjordTestNode.start(data, Map.of()); Admin admin = node.admin()) {
            admin.createTopics(List.of(new NewTopic("payments", 2, (short) 1))).all().get(20, TimeUnit.SECONDS);
            Properties properties = new Properties();
            properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
            properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            properties.put(ProducerConfig.ACKS_CONFIG, "all");
            properties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
            properties.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
            long sentAtMs = System.currentTimeMillis();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(properties, new StringSerializer(),
                    new StringSerializer())) {
                for (int index = 0; index < 7; index++) {
                    producer.send(new ProducerRecord<>("payments", 0, "key-" + index, "value-" + index))
                            .get(30, TimeUnit.SECONDS); // one batch each: sequences 0..6
                }
            }

            TopicPartition written = new TopicPartition("payments", 0);
            TopicPartition untouched = new TopicPartition("payments", 1);
            var result = admin.describeProducers(List.of(written, untouched));

            List<ProducerState> producers = result.partitionResult(written).get(20, TimeUnit.SECONDS)
                    .activeProducers();
            assertThat(producers).singleElement().satisfies(producer -> {
                assertThat(producer.producerId()).isNotNegative();
                assertThat(producer.producerEpoch()).isZero();
                assertThat(producer.lastSequence()).isEqualTo(6);
                assertThat(producer.lastTimestamp()).isGreaterThanOrEqualTo(sentAtMs);
                assertThat(producer.coordinatorEpoch()).isEmpty();
                assertThat(producer.currentTransactionStartOffset()).isEmpty();
            });
            assertThat(result.partitionResult(untouched).get(20, TimeUnit.SECONDS).activeProducers()).isEmpty();
            // (An unknown topic is not asked here: the Admin retries its leader lookup until the API timeout.)
        }
    }
}
