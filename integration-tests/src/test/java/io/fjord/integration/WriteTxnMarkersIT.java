package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.TransactionResult;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.apache.kafka.common.requests.WriteTxnMarkersResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * WriteTxnMarkers on a 3-node cluster, the way the transaction coordinator will use it: transactional batches go in
 * through the real Produce path (acks=all, RF 3), WriteTxnMarkers sent to the partition leader commits one producer's
 * transaction and aborts another's, and unmodified kafka-clients 4.4.0 consumers with {@code read_committed} see the
 * committed records only, on the leader and, after the leader is stopped, on its successor (which learnt the markers
 * by replication). The Admin client's {@code abortTransaction}, which sends WriteTxnMarkers itself, works too.
 */
class WriteTxnMarkersIT {
    private static final Duration BOUND = Duration.ofSeconds(120);
    private static final String TOPIC = "payments";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);
    private static final int COORDINATOR_EPOCH = 3;

    @TempDir
    Path data;

    @Test
    void readCommittedConsumersSeeCommittedAndSkipAbortedTransactionsAlsoAfterTheLeaderStops() throws Exception {
        // The test plays the transaction coordinator itself (raw WriteTxnMarkers), so no coordinator can verify its
        // transactional produces (KIP-890): verification is off, as Kafka allows.
        try (FjordTestCluster cluster = FjordTestCluster.start(data, 3,
                Map.of("transaction.partition.verification.enable", "false"))) {
            try (Admin admin = cluster.admin(1)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 3)
                        .configs(Map.of("min.insync.replicas", "2")))).all().get(60, TimeUnit.SECONDS);
                awaitFullIsr(admin);
            }
            int leader = leaderOf(cluster, 1);
            int follower = cluster.running().stream().filter(id -> id != leader).findFirst().orElseThrow();
            RawClient toLeader = new RawClient(address(cluster, leader));
            long committing = initProducerId(toLeader);
            long aborting = initProducerId(toLeader);

            Map<Long, Integer> sequences = new HashMap<>();
            produce(toLeader, committing, sequences, "committed-1", "committed-2");
            produce(toLeader, aborting, sequences, "aborted-1");
            produce(toLeader, committing, sequences, "committed-3");
            produce(toLeader, aborting, sequences, "aborted-2");

            // A follower refuses, and appends nothing.
            WriteTxnMarkersResponse refused = new RawClient(address(cluster, follower)).send(
                    markers(marker(committing, TransactionResult.COMMIT)), ApiKeys.WRITE_TXN_MARKERS);
            assertThat(errors(refused.data())).containsExactly(
                    Map.entry(committing, List.of(Errors.NOT_LEADER_OR_FOLLOWER)));

            WriteTxnMarkersResponse ended = toLeader.send(markers(marker(committing, TransactionResult.COMMIT),
                    marker(aborting, TransactionResult.ABORT)), ApiKeys.WRITE_TXN_MARKERS);
            assertThat(errors(ended.data())).containsExactly(Map.entry(committing, List.of(Errors.NONE)),
                    Map.entry(aborting, List.of(Errors.NONE)));
            // A stale coordinator is fenced, as Kafka's partition leader fences it.
            WriteTxnMarkersResponse stale = toLeader.send(markers(new WriteTxnMarkersRequest.TxnMarkerEntry(
                    committing, (short) 0, COORDINATOR_EPOCH - 1, TransactionResult.ABORT, List.of(PARTITION),
                    (short) 0)), ApiKeys.WRITE_TXN_MARKERS);
            assertThat(errors(stale.data())).containsExactly(
                    Map.entry(committing, List.of(Errors.TRANSACTION_COORDINATOR_FENCED)));

            produce(toLeader, -1, sequences, "plain-1");
            List<String> committed = List.of("committed-1", "committed-2", "committed-3", "plain-1");
            assertThat(readAll(cluster.bootstrapServers(leader), "read_committed", committed.size()))
                    .containsExactlyElementsOf(committed);
            assertThat(readAll(cluster.bootstrapServers(leader), "read_uncommitted", 6)).containsExactly(
                    "committed-1", "committed-2", "aborted-1", "committed-3", "aborted-2", "plain-1");

            cluster.stop(leader);
            int survivor = cluster.running().get(0);
            await().atMost(BOUND).until(() -> {
                int current = leaderOf(cluster, survivor);
                return current != leader && current > 0;
            });
            int newLeader = leaderOf(cluster, survivor);
            assertThat(readAll(cluster.bootstrapServers(survivor), "read_committed", committed.size()))
                    .as("the new leader learnt the markers and the aborted transactions by replication")
                    .containsExactlyElementsOf(committed);

            // The new leader ends a transaction too: the Admin client's abort sends WriteTxnMarkers to it.
            RawClient toNewLeader = new RawClient(address(cluster, newLeader));
            long hanging = initProducerId(toNewLeader);
            produce(toNewLeader, hanging, sequences, "hanging-1");
            produce(toNewLeader, -1, sequences, "plain-2");
            try (Admin admin = cluster.admin(survivor)) {
                admin.abortTransaction(new AbortTransactionSpec(PARTITION, hanging, (short) 0, COORDINATOR_EPOCH))
                        .all().get(60, TimeUnit.SECONDS);
            }
            List<String> all = new ArrayList<>(committed);
            all.add("plain-2");
            assertThat(readAll(cluster.bootstrapServers(survivor), "read_committed", all.size()))
                    .as("the abort released the last stable offset and hid the hanging transaction")
                    .containsExactlyElementsOf(all);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static InetSocketAddress address(FjordTestCluster cluster, int id) {
        return new InetSocketAddress("127.0.0.1", cluster.node(id).boundAddress("PLAINTEXT").getPort());
    }

    private static void awaitFullIsr(Admin admin) {
        await().atMost(BOUND).untilAsserted(() -> {
            TopicPartitionInfo partition = admin.describeTopics(List.of(TOPIC)).allTopicNames()
                    .get(60, TimeUnit.SECONDS).get(TOPIC).partitions().get(0);
            Set<Integer> isr = new HashSet<>();
            partition.isr().forEach(node -> isr.add(node.id()));
            assertThat(isr).containsExactlyInAnyOrder(1, 2, 3);
        });
    }

    /** The partition's leader as node {@code askedNode} knows it, -1 when it has none. */
    private static int leaderOf(FjordTestCluster cluster, int askedNode) throws Exception {
        try (Admin admin = cluster.admin(askedNode)) {
            Node leader = admin.describeTopics(List.of(TOPIC)).allTopicNames().get(60, TimeUnit.SECONDS).get(TOPIC)
                    .partitions().get(0).leader();
            return leader == null ? -1 : leader.id();
        }
    }

    /** A new producer id; retried, as a producer retries, while the node has no id block yet (retriable errors). */
    private static long initProducerId(RawClient client) {
        return await().atMost(BOUND).until(() -> {
            InitProducerIdResponse response = client.send(new InitProducerIdRequest.Builder(
                    new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60_000)
                            .setProducerId(-1).setProducerEpoch((short) -1)).build((short) 4),
                    ApiKeys.INIT_PRODUCER_ID);
            assertThat(response.error()).isIn(Errors.NONE, Errors.COORDINATOR_LOAD_IN_PROGRESS);
            return response.error() == Errors.NONE ? response.data().producerId() : -1L;
        }, producerId -> producerId >= 0);
    }

    /**
     * Produces one batch with acks=all: transactional of {@code producerId} at epoch 0, or plain for -1, built with
     * kafka-clients' own record builder.
     */
    private static void produce(RawClient client, long producerId, Map<Long, Integer> sequences, String... values)
            throws Exception {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int index = 0; index < values.length; index++) {
            records[index] = new SimpleRecord(values[index].getBytes(StandardCharsets.UTF_8));
        }
        MemoryRecords batch;
        if (producerId < 0) {
            batch = MemoryRecords.withRecords(Compression.NONE, records);
        } else {
            int sequence = sequences.getOrDefault(producerId, 0);
            sequences.put(producerId, sequence + values.length);
            batch = MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, (short) 0, sequence,
                    records);
        }
        ProduceRequestData request = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30_000)
                .setTransactionalId(producerId < 0 ? null : "it-" + producerId);
        ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(new ProduceRequestData.TopicProduceData().setName(TOPIC).setPartitionData(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(batch))));
        request.setTopicData(topics);
        short version = 11;
        ProduceResponse response = client.send(new ProduceRequest.Builder(version, version, request).build(version),
                ApiKeys.PRODUCE);
        ProduceResponseData.PartitionProduceResponse partition = response.data().responses().iterator().next()
                .partitionResponses().get(0);
        assertThat(Errors.forCode(partition.errorCode())).as("produce of %s", List.of(values)).isEqualTo(Errors.NONE);
    }

    private static WriteTxnMarkersRequest.TxnMarkerEntry marker(long producerId, TransactionResult result) {
        return new WriteTxnMarkersRequest.TxnMarkerEntry(producerId, (short) 0, COORDINATOR_EPOCH, result,
                List.of(PARTITION), (short) 0);
    }

    private static WriteTxnMarkersRequest markers(WriteTxnMarkersRequest.TxnMarkerEntry... entries) {
        return new WriteTxnMarkersRequest.Builder(List.of(entries)).build((short) 1);
    }

    /** producer id -> the errors of its partitions. */
    private static Map<Long, List<Errors>> errors(WriteTxnMarkersResponseData response) {
        Map<Long, List<Errors>> errors = new java.util.LinkedHashMap<>();
        for (WriteTxnMarkersResponseData.WritableTxnMarkerResult marker : response.markers()) {
            List<Errors> partitions = errors.computeIfAbsent(marker.producerId(), unused -> new ArrayList<>());
            marker.topics().forEach(topic -> topic.partitions().forEach(partition ->
                    partitions.add(Errors.forCode(partition.errorCode()))));
        }
        return errors;
    }

    /** Reads the partition from the start with the isolation level until {@code count} values arrived (bounded). */
    private static List<String> readAll(String bootstrap, String isolationLevel, int count) {
        Properties config = ClientConfigs.earliestConsumer(bootstrap);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel);
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 500);
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            consumer.assign(List.of(PARTITION));
            consumer.seekToBeginning(List.of(PARTITION));
            long deadline = System.nanoTime() + BOUND.toNanos();
            while (values.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
            }
            // Nothing beyond: one more poll would show a record that should not be there (aborted data, a marker).
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofSeconds(1))) {
                values.add(record.value());
            }
        }
        return values;
    }
}
