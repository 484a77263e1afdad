package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.FeatureUpdate;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.UpdateFeaturesOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.kafka.common.requests.OffsetFetchResponse;
import org.apache.kafka.common.requests.TransactionResult;
import org.apache.kafka.common.requests.TxnOffsetCommitRequest;
import org.apache.kafka.common.requests.TxnOffsetCommitResponse;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.apache.kafka.common.requests.WriteTxnMarkersResponse;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactional offset commits on a node, driven the way the transaction coordinator and a transactional producer
 * will (raw requests from kafka-clients 4.4.0's own builders): TxnOffsetCommit stores a group's offsets as pending,
 * OffsetFetch hides them (UNSTABLE_OFFSET_COMMIT with require_stable), WriteTxnMarkers to the group's
 * {@code __consumer_offsets} partition commits or aborts them, a stale coordinator epoch is fenced, and a restarted
 * node loads committed and still-pending transactional offsets from the log.
 */
class TxnOffsetCommitIT {
    private static final Duration BOUND = Duration.ofSeconds(120);
    private static final String TOPIC = "orders";
    private static final String GROUP = "txn-offsets-group";
    private static final int OFFSETS_PARTITIONS = 5;
    /** This test plays the transaction coordinator, so no verification with one (KIP-890), as Kafka allows. */
    private static final Map<String, String> CONFIG = Map.of("offsets.topic.num.partitions",
            Integer.toString(OFFSETS_PARTITIONS), "transaction.partition.verification.enable", "false");
    private static final int COORDINATOR_EPOCH = 2;

    @TempDir
    Path data;

    @Test
    void pendingOffsetsAreCommittedOrAbortedByTheirMarkersAndSurviveARestart() throws Exception {
        FjordTestNode node = FjordTestNode.start(data, CONFIG);
        try {
            try (Admin admin = node.admin()) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get(60, TimeUnit.SECONDS);
            }
            RawClient client = new RawClient(address(node));
            awaitCoordinator(client);
            long producer = initProducerId(client);
            long other = initProducerId(client);

            assertThat(txnOffsetCommit(client, producer, 0, 42)).containsExactly(Errors.NONE);
            assertThat(fetch(client, 0, false)).isEqualTo(new Fetched(Errors.NONE, -1));
            assertThat(fetch(client, 0, true)).isEqualTo(new Fetched(Errors.UNSTABLE_OFFSET_COMMIT, -1));

            assertThat(marker(client, producer, COORDINATOR_EPOCH, TransactionResult.COMMIT)).isEqualTo(Errors.NONE);
            assertThat(fetch(client, 0, false)).isEqualTo(new Fetched(Errors.NONE, 42));
            assertThat(fetch(client, 0, true)).isEqualTo(new Fetched(Errors.NONE, 42));

            // The next transaction aborts: the committed offset stays.
            assertThat(txnOffsetCommit(client, producer, 0, 50)).containsExactly(Errors.NONE);
            assertThat(fetch(client, 0, true)).isEqualTo(new Fetched(Errors.UNSTABLE_OFFSET_COMMIT, -1));
            assertThat(marker(client, producer, COORDINATOR_EPOCH, TransactionResult.ABORT)).isEqualTo(Errors.NONE);
            assertThat(fetch(client, 0, true)).isEqualTo(new Fetched(Errors.NONE, 42));
            // A coordinator of an older epoch is fenced by the partition.
            assertThat(marker(client, producer, COORDINATOR_EPOCH - 1, TransactionResult.COMMIT))
                    .isEqualTo(Errors.TRANSACTION_COORDINATOR_FENCED);

            // Another producer's transaction stays open across a restart; its offset is still pending after the load.
            assertThat(txnOffsetCommit(client, other, 1, 7)).containsExactly(Errors.NONE);
            node.close();
            node = FjordTestNode.start(data, CONFIG);
            RawClient restarted = new RawClient(address(node));
            awaitCoordinator(restarted);
            await().atMost(BOUND).until(() -> fetch(restarted, 0, false).error() == Errors.NONE);
            assertThat(fetch(restarted, 0, false)).isEqualTo(new Fetched(Errors.NONE, 42));
            assertThat(fetch(restarted, 1, false)).isEqualTo(new Fetched(Errors.NONE, -1));
            assertThat(fetch(restarted, 1, true)).isEqualTo(new Fetched(Errors.UNSTABLE_OFFSET_COMMIT, -1));
            await().atMost(BOUND).until(() ->
                    marker(restarted, other, COORDINATOR_EPOCH, TransactionResult.COMMIT) == Errors.NONE);
            assertThat(fetch(restarted, 1, true)).isEqualTo(new Fetched(Errors.NONE, 7));
        } finally {
            node.close();
        }
    }

    /**
     * The whole client path with kafka-clients 4.4.0 on a new cluster, at {@code transaction.version} 2 (KIP-890 part
     * 2): {@code sendOffsetsToTransaction} sends TxnOffsetCommit v5 and no AddOffsetsToTxn, so the group coordinator
     * adds the offsets partition to the transaction itself; the coordinator's marker channel then ends the
     * transaction there. The group's committed offset moves only when the transaction commits. A read_committed
     * consumer's {@code committed()} asks with require_stable and retries while the marker is on its way.
     */
    @Test
    void sendOffsetsToTransactionMovesTheCommittedOffsetOnlyWithACommittedTransaction() throws Exception {
        sendOffsetsThroughTransactions(2);
    }

    /**
     * The same at {@code transaction.version} 1 (a cluster kept at, or downgraded to, transaction protocol v1): the
     * client adds the offsets partition with AddOffsetsToTxn and sends TxnOffsetCommit v4, which the group coordinator
     * only verifies (KIP-890 part 1).
     */
    @Test
    void sendOffsetsToTransactionWorksAtTransactionVersion1() throws Exception {
        sendOffsetsThroughTransactions(1);
    }

    private void sendOffsetsThroughTransactions(int transactionVersion) throws Exception {
        Map<String, String> config = Map.of("offsets.topic.replication.factor", "1",
                "offsets.topic.num.partitions", "3", "transaction.state.log.replication.factor", "1",
                "transaction.state.log.min.isr", "1", "transaction.state.log.num.partitions", "3");
        TopicPartition orders = new TopicPartition(TOPIC, 0);
        try (FjordTestCluster cluster = FjordTestCluster.start(data, 1, config)) {
            try (Admin admin = cluster.admin(1)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
                if (transactionVersion < 2) {
                    admin.updateFeatures(Map.of("transaction.version", new FeatureUpdate((short) transactionVersion,
                            FeatureUpdate.UpgradeType.SAFE_DOWNGRADE)), new UpdateFeaturesOptions()).all()
                            .get(60, TimeUnit.SECONDS);
                }
                // Clients read the level in ApiVersions when they connect: the node must serve it first.
                await().atMost(BOUND).untilAsserted(() -> assertThat(admin.describeFeatures().featureMetadata()
                        .get(60, TimeUnit.SECONDS).finalizedFeatures().get("transaction.version").maxVersionLevel())
                        .isEqualTo((short) transactionVersion));
            }
            Properties producerConfig = new Properties();
            producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(1));
            producerConfig.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "offsets-txn");
            producerConfig.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000);
            Properties consumerConfig = ClientConfigs.earliestConsumer(cluster.bootstrapServers(1));
            consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
            consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig, new StringSerializer(),
                    new StringSerializer());
                    KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig)) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(TOPIC, 0, "k", "v"));
                producer.sendOffsetsToTransaction(Map.of(orders, new OffsetAndMetadata(5)),
                        consumer.groupMetadata());
                producer.commitTransaction();
                assertThat(consumer.committed(Set.of(orders), BOUND).get(orders).offset()).isEqualTo(5);

                producer.beginTransaction();
                producer.sendOffsetsToTransaction(Map.of(orders, new OffsetAndMetadata(9)),
                        consumer.groupMetadata());
                producer.abortTransaction();
                assertThat(consumer.committed(Set.of(orders), BOUND).get(orders).offset()).isEqualTo(5);

                // Offsets alone, then with a record: each transaction's offsets commit with it.
                producer.beginTransaction();
                producer.sendOffsetsToTransaction(Map.of(orders, new OffsetAndMetadata(11)),
                        consumer.groupMetadata());
                producer.commitTransaction();
                assertThat(consumer.committed(Set.of(orders), BOUND).get(orders).offset()).isEqualTo(11);
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(TOPIC, 0, "k", "w"));
                producer.sendOffsetsToTransaction(Map.of(orders, new OffsetAndMetadata(12)),
                        consumer.groupMetadata());
                producer.commitTransaction();
                assertThat(consumer.committed(Set.of(orders), BOUND).get(orders).offset()).isEqualTo(12);
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private record Fetched(Errors error, long offset) {
    }

    private static InetSocketAddress address(FjordTestNode node) {
        return new InetSocketAddress("127.0.0.1", node.node().boundAddress("PLAINTEXT").getPort());
    }

    /** FindCoordinator creates {@code __consumer_offsets}; waits until the group's shard answers. */
    private static void awaitCoordinator(RawClient client) {
        await().atMost(BOUND).untilAsserted(() -> {
            FindCoordinatorResponse response = client.send(new FindCoordinatorRequest.Builder(
                    new FindCoordinatorRequestData().setKeyType((byte) 0).setCoordinatorKeys(List.of(GROUP)))
                    .build((short) 4), ApiKeys.FIND_COORDINATOR);
            assertThat(Errors.forCode(response.data().coordinators().get(0).errorCode())).isEqualTo(Errors.NONE);
            assertThat(fetch(client, 0, false).error()).isEqualTo(Errors.NONE);
        });
    }

    private static long initProducerId(RawClient client) throws Exception {
        InitProducerIdResponse[] answer = new InitProducerIdResponse[1];
        // The first request after a start may find no producer-id block yet (COORDINATOR_LOAD_IN_PROGRESS).
        await().atMost(BOUND).until(() -> {
            answer[0] = client.send(new InitProducerIdRequest.Builder(new InitProducerIdRequestData()
                    .setTransactionalId(null).setTransactionTimeoutMs(60_000).setProducerId(-1)
                    .setProducerEpoch((short) -1)).build((short) 4), ApiKeys.INIT_PRODUCER_ID);
            return answer[0].error() == Errors.NONE;
        });
        return answer[0].data().producerId();
    }

    private static List<Errors> txnOffsetCommit(RawClient client, long producerId, int partition, long offset)
            throws Exception {
        TxnOffsetCommitRequestData data = new TxnOffsetCommitRequestData().setTransactionalId("txn-" + producerId)
                .setGroupId(GROUP).setProducerId(producerId).setProducerEpoch((short) 0).setTopics(List.of(
                        new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic().setName(TOPIC).setPartitions(
                                List.of(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition()
                                        .setPartitionIndex(partition).setCommittedOffset(offset)
                                        .setCommittedMetadata("meta")))));
        TxnOffsetCommitRequest request = TxnOffsetCommitRequest.Builder.forTopicNames(data, false).build((short) 3);
        TxnOffsetCommitResponse response = client.send(request, ApiKeys.TXN_OFFSET_COMMIT);
        return response.data().topics().stream().flatMap(topic -> topic.partitions().stream())
                .map(result -> Errors.forCode(result.errorCode())).toList();
    }

    private static Fetched fetch(RawClient client, int partition, boolean requireStable) throws Exception {
        OffsetFetchRequestData data = new OffsetFetchRequestData().setRequireStable(requireStable).setGroups(List.of(
                new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId(GROUP).setTopics(List.of(
                        new OffsetFetchRequestData.OffsetFetchRequestTopics().setName(TOPIC)
                                .setPartitionIndexes(List.of(partition))))));
        OffsetFetchResponse response = client.send(OffsetFetchRequest.Builder.forTopicNames(data, false)
                .build((short) 9), ApiKeys.OFFSET_FETCH);
        OffsetFetchResponseData.OffsetFetchResponseGroup group = response.data().groups().get(0);
        if (group.errorCode() != Errors.NONE.code()) {
            return new Fetched(Errors.forCode(group.errorCode()), -1);
        }
        OffsetFetchResponseData.OffsetFetchResponsePartitions fetched = group.topics().get(0).partitions().get(0);
        return new Fetched(Errors.forCode(fetched.errorCode()), fetched.committedOffset());
    }

    /** WriteTxnMarkers for the group's offsets partition, as the transaction coordinator sends it. */
    private static Errors marker(RawClient client, long producerId, int coordinatorEpoch, TransactionResult result)
            throws Exception {
        TopicPartition offsetsPartition = new TopicPartition("__consumer_offsets",
                Utils.abs(GROUP.hashCode()) % OFFSETS_PARTITIONS);
        WriteTxnMarkersResponse response = client.send(new WriteTxnMarkersRequest.Builder(List.of(
                new WriteTxnMarkersRequest.TxnMarkerEntry(producerId, (short) 0, coordinatorEpoch, result,
                        List.of(offsetsPartition), (short) 0))).build((short) 1), ApiKeys.WRITE_TXN_MARKERS);
        WriteTxnMarkersResponseData.WritableTxnMarkerResult marker = response.data().markers().get(0);
        return Errors.forCode(marker.topics().get(0).partitions().get(0).errorCode());
    }
}
