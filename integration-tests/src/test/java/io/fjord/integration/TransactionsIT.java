package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddOffsetsToTxnRequest;
import org.apache.kafka.common.requests.AddOffsetsToTxnResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unmodified kafka-clients 4.4.0 transactional producers against the wired transaction coordinator (transaction
 * protocol version 2, what clients use at a new cluster's {@code transaction.version} 2): a committed transaction is
 * visible to a read_committed consumer and an aborted one is not; a second producer with the same transactional id
 * fences the first; the coordinator aborts a transaction that outlives its timeout; the Admin client lists and
 * describes transactions; AddOffsetsToTxn adds the group's offsets partition. Bounds are liveness bounds.
 */
class TransactionsIT {
    private static final Duration BOUND = Duration.ofSeconds(120);
    private static final String TOPIC = "payments";

    @TempDir
    Path data;

    private static Map<String, String> singleNode() {
        return Map.of("offsets.topic.replication.factor", "1", "offsets.topic.num.partitions", "3",
                "transaction.state.log.replication.factor", "1", "transaction.state.log.min.isr", "1",
                "transaction.state.log.num.partitions", "5",
                "transaction.abort.timed.out.transaction.cleanup.interval.ms", "500");
    }

    @Test
    void committedTransactionsAreVisibleToReadCommittedAndAbortedOnesAreNot() throws Exception {
        try (FjordTestCluster cluster = FjordTestCluster.start(data, 1, singleNode())) {
            createTopic(cluster, 2);
            try (KafkaProducer<String, String> producer = producer(cluster, "payments-tx", 60_000)) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(TOPIC, 0, "k", "committed-1"));
                producer.send(new ProducerRecord<>(TOPIC, 1, "k", "committed-2"));
                producer.commitTransaction();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(TOPIC, 0, "k", "aborted-1"));
                producer.send(new ProducerRecord<>(TOPIC, 1, "k", "aborted-2"));
                producer.flush();
                producer.abortTransaction();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(TOPIC, 0, "k", "committed-3"));
                producer.commitTransaction();
            }
            assertThat(readAll(cluster, "read_committed", 3))
                    .containsExactlyInAnyOrder("committed-1", "committed-2", "committed-3");
            assertThat(readAll(cluster, "read_uncommitted", 5)).containsExactlyInAnyOrder("committed-1",
                    "committed-2", "aborted-1", "aborted-2", "committed-3");
            try (Admin admin = cluster.admin(1)) {
                Collection<TransactionListing> listed = admin.listTransactions().all().get(60, TimeUnit.SECONDS);
                assertThat(listed).extracting(TransactionListing::transactionalId).containsExactly("payments-tx");
                assertThat(listed.iterator().next().state()).isEqualTo(TransactionState.COMPLETE_COMMIT);
            }
        }
    }

    @Test
    void aSecondProducerWithTheSameTransactionalIdFencesTheFirst() throws Exception {
        try (FjordTestCluster cluster = FjordTestCluster.start(data, 1, singleNode())) {
            createTopic(cluster, 1);
            try (KafkaProducer<String, String> zombie = producer(cluster, "fenced-tx", 60_000);
                    KafkaProducer<String, String> successor = producer(cluster, "fenced-tx", 60_000)) {
                zombie.initTransactions();
                zombie.beginTransaction();
                zombie.send(new ProducerRecord<>(TOPIC, 0, "k", "zombie"));
                zombie.flush();
                successor.initTransactions(); // aborts the zombie's open transaction
                Throwable thrown = catchThrowable(zombie::commitTransaction);
                assertThat(thrown).isInstanceOf(ProducerFencedException.class);
                successor.beginTransaction();
                successor.send(new ProducerRecord<>(TOPIC, 0, "k", "successor"));
                successor.commitTransaction();
            }
            assertThat(readAll(cluster, "read_committed", 1)).containsExactly("successor");
        }
    }

    @Test
    void theCoordinatorAbortsATransactionThatOutlivesItsTimeoutAndAdminDescribesIt() throws Exception {
        try (FjordTestCluster cluster = FjordTestCluster.start(data, 1, singleNode());
                Admin admin = cluster.admin(1)) {
            createTopic(cluster, 1);
            try (KafkaProducer<String, String> producer = producer(cluster, "stalled-tx", 3_000)) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(TOPIC, 0, "k", "stalled"));
                producer.flush();
                TransactionDescription open = admin.describeTransactions(List.of("stalled-tx")).all()
                        .get(60, TimeUnit.SECONDS).get("stalled-tx");
                assertThat(open.state()).isEqualTo(TransactionState.ONGOING);
                assertThat(open.topicPartitions()).containsExactly(new TopicPartition(TOPIC, 0));
                assertThat(open.transactionTimeoutMs()).isEqualTo(3_000);
                await().atMost(BOUND).until(() -> admin.describeTransactions(List.of("stalled-tx")).all()
                        .get(60, TimeUnit.SECONDS).get("stalled-tx").state() == TransactionState.COMPLETE_ABORT);
                assertThat(catchThrowable(producer::commitTransaction)).isNotNull();
            }
            // The abort marker released the last stable offset: read_committed sees the log's end (record, marker).
            assertThat(endOffset(cluster, "read_committed")).isEqualTo(2L);
            assertThat(readAll(cluster, "read_committed", 0)).isEmpty();
        }
    }

    @Test
    void addOffsetsToTxnAddsTheGroupsOffsetsPartitionToTheTransaction() throws Exception {
        try (FjordTestCluster cluster = FjordTestCluster.start(data, 1, singleNode());
                Admin admin = cluster.admin(1)) {
            createTopic(cluster, 1);
            try (KafkaProducer<String, String> producer = producer(cluster, "offsets-tx", 60_000)) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(TOPIC, 0, "k", "v"));
                producer.flush();
                TransactionDescription open = admin.describeTransactions(List.of("offsets-tx")).all()
                        .get(60, TimeUnit.SECONDS).get("offsets-tx");
                RawClient raw = new RawClient(coordinatorAddress(cluster, "offsets-tx"));
                AddOffsetsToTxnResponse added = raw.send(new AddOffsetsToTxnRequest.Builder(
                        new AddOffsetsToTxnRequestData().setTransactionalId("offsets-tx")
                                .setProducerId(open.producerId()).setProducerEpoch((short) open.producerEpoch())
                                .setGroupId("payments-group")).build(), ApiKeys.ADD_OFFSETS_TO_TXN);
                assertThat(Errors.forCode(added.data().errorCode())).isEqualTo(Errors.NONE);
                int hash = "payments-group".hashCode();
                int offsetsPartition = (hash == Integer.MIN_VALUE ? 0 : Math.abs(hash)) % 3; // Kafka's Utils.abs
                assertThat(admin.describeTransactions(List.of("offsets-tx")).all().get(60, TimeUnit.SECONDS)
                        .get("offsets-tx").topicPartitions()).containsExactlyInAnyOrder(new TopicPartition(TOPIC, 0),
                                new TopicPartition("__consumer_offsets", offsetsPartition));
                producer.abortTransaction();
            }
        }
    }

    private static InetSocketAddress coordinatorAddress(FjordTestCluster cluster, String transactionalId)
            throws Exception {
        RawClient any = new RawClient(new InetSocketAddress("127.0.0.1",
                cluster.node(cluster.running().get(0)).boundAddress("PLAINTEXT").getPort()));
        FindCoordinatorResponse found = any.send(new FindCoordinatorRequest.Builder(new FindCoordinatorRequestData()
                .setKeyType((byte) 1).setCoordinatorKeys(List.of(transactionalId))).build(),
                ApiKeys.FIND_COORDINATOR);
        FindCoordinatorResponseData.Coordinator coordinator = found.data().coordinators().get(0);
        return new InetSocketAddress(coordinator.host(), coordinator.port());
    }

    private static void createTopic(FjordTestCluster cluster, int partitions) throws Exception {
        try (Admin admin = cluster.admin(1)) {
            admin.createTopics(List.of(new NewTopic(TOPIC, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
    }

    private static KafkaProducer<String, String> producer(FjordTestCluster cluster, String transactionalId,
            int transactionTimeoutMs) {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(1));
        properties.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        properties.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, transactionTimeoutMs);
        properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000);
        return new KafkaProducer<>(properties, new StringSerializer(), new StringSerializer());
    }

    private static long endOffset(FjordTestCluster cluster, String isolationLevel) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(1));
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(properties, new StringDeserializer(),
                new StringDeserializer())) {
            TopicPartition partition = new TopicPartition(TOPIC, 0);
            return consumer.endOffsets(List.of(partition)).get(partition);
        }
    }

    /** Every value of the topic a consumer with this isolation level reads up to the end it sees. */
    private static List<String> readAll(FjordTestCluster cluster, String isolationLevel, int expected) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(1));
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel);
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(properties, new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(TOPIC).stream()
                    .map(info -> new TopicPartition(TOPIC, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(BOUND).until(() -> {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
                // The end a consumer of this isolation level sees: the last stable offset for read_committed.
                Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
                return values.size() >= expected && partitions.stream()
                        .allMatch(partition -> consumer.position(partition) >= ends.get(partition));
            });
        }
        return values;
    }
}
