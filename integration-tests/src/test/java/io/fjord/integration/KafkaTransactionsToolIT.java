package io.fjord.integration;

import static io.fjord.integration.TransactionalClients.BOUND;
import static io.fjord.integration.TransactionalClients.createTopic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Apache Kafka 4.4.0's {@code kafka-transactions} tool ({@code TransactionsCommand} of kafka-tools, in a child JVM)
 * against one Fjord node: {@code list} and {@code describe} show a real producer's open transaction,
 * {@code describe-producers} its start offset in the partition, {@code find-hanging} finds a transaction the
 * coordinator does not know (written with raw requests while KIP-890 verification is off, as brokers before it let
 * them in: an idempotent producer id, transactional batches an hour old, no coordinator) and not the real one, and {@code abort} ends it, after which the
 * partition's last stable offset moves on.
 */
class KafkaTransactionsToolIT {
    private static final String COMMAND = "org.apache.kafka.tools.TransactionsCommand";

    @TempDir
    Path data;

    private static KafkaDistribution.Result transactions(FjordTestNode node, String... arguments) throws Exception {
        KafkaDistribution.Result result = KafkaDistribution.runAgainst(node, COMMAND, arguments);
        assertThat(result.exitCode()).as("%s; printed %s%s", List.of(arguments), result.output(), result.errors())
                .isZero();
        return result;
    }

    /** The rows of a table the tool printed whose first column (after trimming) is not the header's. */
    private static List<String[]> rows(String output) {
        List<String[]> lines = output.lines().map(String::strip).filter(line -> !line.isEmpty())
                .map(line -> line.split("\\s+")).toList();
        return lines.isEmpty() ? List.of() : lines.subList(1, lines.size());
    }

    @Test
    void listDescribeDescribeProducersFindHangingAndAbortWork() throws Exception {
        // Without KIP-890 verification, as a broker before it (or a client bypassing it) let hanging transactions in.
        Map<String, String> config = new HashMap<>(TransactionalClients.singleNodeConfig());
        config.put("transaction.partition.verification.enable", "false");
        try (FjordTestNode node = FjordTestNode.start(data, config);
             Admin admin = node.admin();
             KafkaProducer<String, String> producer = TransactionalClients.producer(node.bootstrapServers(),
                     "tool-writer")) {
            createTopic(admin, "tool-topic", 1, 1);
            createTopic(admin, "hanging-topic", 1, 1);
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("tool-topic", 0, "k", "open-1")).get(60, TimeUnit.SECONDS);

            // list: TransactionalId Coordinator ProducerId TransactionState
            String listed = transactions(node, "list").output();
            assertThat(rows(listed)).anySatisfy(row -> assertThat(row).startsWith("tool-writer", "1")
                    .endsWith("Ongoing"));
            long producerId = rows(listed).stream().filter(row -> row[0].equals("tool-writer"))
                    .mapToLong(row -> Long.parseLong(row[2])).findFirst().orElseThrow();

            // describe: CoordinatorId TransactionalId ProducerId ProducerEpoch TransactionState ... TopicPartitions
            String described = transactions(node, "describe", "--transactional-id", "tool-writer").output();
            assertThat(rows(described)).singleElement().satisfies(row -> {
                assertThat(row[0]).isEqualTo("1");
                assertThat(row[1]).isEqualTo("tool-writer");
                assertThat(Long.parseLong(row[2])).isEqualTo(producerId);
                assertThat(row[4]).isEqualTo("Ongoing");
                assertThat(row[row.length - 1]).isEqualTo("tool-topic-0");
            });

            // describe-producers: ProducerId ProducerEpoch LatestCoordinatorEpoch LastSequence LastTimestamp
            // CurrentTransactionStartOffset
            String producers = transactions(node, "describe-producers", "--topic", "tool-topic", "--partition", "0")
                    .output();
            assertThat(rows(producers)).anySatisfy(row -> {
                assertThat(Long.parseLong(row[0])).isEqualTo(producerId);
                assertThat(row[row.length - 1]).isEqualTo("0");
            });

            long hangingProducerId = writeHangingTransaction(node);
            assertThat(TransactionalClients.endOffset(admin, new org.apache.kafka.common.TopicPartition(
                    "hanging-topic", 0), IsolationLevel.READ_COMMITTED)).isZero();

            // find-hanging: Topic Partition ProducerId ProducerEpoch CoordinatorEpoch StartOffset LastTimestamp
            // Duration(min)
            String hanging = transactions(node, "find-hanging", "--broker-id", "1").output();
            assertThat(rows(hanging)).singleElement().satisfies(row -> {
                assertThat(row[0]).isEqualTo("hanging-topic");
                assertThat(row[1]).isEqualTo("0");
                assertThat(Long.parseLong(row[2])).isEqualTo(hangingProducerId);
                assertThat(row[5]).isEqualTo("0");
            });

            transactions(node, "abort", "--topic", "hanging-topic", "--partition", "0", "--start-offset", "0");
            await().atMost(BOUND).until(() -> TransactionalClients.endOffset(admin,
                    new org.apache.kafka.common.TopicPartition("hanging-topic", 0), IsolationLevel.READ_COMMITTED)
                    == 3);
            assertThat(TransactionalClients.valuesToEnd(node.bootstrapServers(), "hanging-topic",
                    IsolationLevel.READ_COMMITTED)).isEmpty();
            assertThat(rows(transactions(node, "find-hanging", "--broker-id", "1").output())).isEmpty();

            producer.commitTransaction();
            await().atMost(BOUND).untilAsserted(() -> assertThat(rows(transactions(node, "list").output()))
                    .anySatisfy(row -> assertThat(row).startsWith("tool-writer").endsWith("CompleteCommit")));
        }
    }

    /**
     * Two transactional records an hour old in {@code hanging-topic}, by a producer id of an idempotent
     * InitProducerId under a transactional id no coordinator knows (accepted since verification is off): no coordinator
     * will ever end them. Returns the producer id. (Kafka refuses transactional records without a transactional id
     * with TRANSACTIONAL_ID_AUTHORIZATION_FAILED.)
     */
    private static long writeHangingTransaction(FjordTestNode node) throws Exception {
        RawClient client = new RawClient(new InetSocketAddress("127.0.0.1",
                node.node().boundAddress("PLAINTEXT").getPort()));
        InitProducerIdResponse initialized = await().atMost(BOUND).until(() -> client.<InitProducerIdResponse>send(
                new InitProducerIdRequest.Builder(new InitProducerIdRequestData().setTransactionalId(null)
                        .setTransactionTimeoutMs(60_000).setProducerId(-1).setProducerEpoch((short) -1))
                        .build((short) 4), ApiKeys.INIT_PRODUCER_ID), response -> response.error() == Errors.NONE);
        long producerId = initialized.data().producerId();
        long anHourAgo = System.currentTimeMillis() - TimeUnit.HOURS.toMillis(1);
        MemoryRecords batch = MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, (short) 0, 0,
                new SimpleRecord(anHourAgo, "hanging-1".getBytes(StandardCharsets.UTF_8)),
                new SimpleRecord(anHourAgo, "hanging-2".getBytes(StandardCharsets.UTF_8)));
        ProduceRequestData request = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30_000)
                .setTransactionalId("legacy-hanging");
        ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(new ProduceRequestData.TopicProduceData().setName("hanging-topic").setPartitionData(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(batch))));
        request.setTopicData(topics);
        short version = 11;
        ProduceResponse response = client.send(new ProduceRequest.Builder(version, version, request).build(version),
                ApiKeys.PRODUCE);
        ProduceResponseData.PartitionProduceResponse partition = response.data().responses().iterator().next()
                .partitionResponses().get(0);
        assertThat(Errors.forCode(partition.errorCode())).isEqualTo(Errors.NONE);
        return producerId;
    }
}
