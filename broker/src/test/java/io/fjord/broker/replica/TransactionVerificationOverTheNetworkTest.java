package io.fjord.broker.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fjord.broker.BrokerDispatcher;
import io.fjord.broker.ImageConfigResolver;
import io.fjord.broker.MetadataCache;
import io.fjord.broker.MetadataPublication;
import io.fjord.broker.RequestHandlerPool;
import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.config.ConfigResolver;
import io.fjord.broker.handlers.ApiHandler;
import io.fjord.broker.handlers.ApiVersionsHandler;
import io.fjord.broker.handlers.BrokerFeatures;
import io.fjord.broker.handlers.ProduceHandler;
import io.fjord.broker.network.Endpoint;
import io.fjord.broker.network.NetworkConfig;
import io.fjord.broker.network.SocketServer;
import io.fjord.broker.network.client.NodeConnectionSettings;
import io.fjord.broker.verification.AddPartitionRetries;
import io.fjord.broker.verification.AddPartitionsToTxnManager;
import io.fjord.broker.verification.NetworkCoordinatorRequests;
import io.fjord.broker.verification.ProduceVerification;
import io.fjord.broker.verification.TransactionCoordinatorLookup;
import io.fjord.metadata.image.BrokerImage;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.metadata.records.RegisterBrokerRecord.BrokerEndpoint;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.message.AddPartitionsToTxnRequestData;
import io.fjord.protocol.message.AddPartitionsToTxnResponseData;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.BufferRecords;
import io.fjord.protocol.message.ProduceRequestData;
import io.fjord.protocol.message.ProduceResponseData;
import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.TimestampType;
import io.fjord.storage.TopicPartition;
import io.fjord.storage.TransactionMarker;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KIP-890 verification over loopback: broker 1 leads {@code orders-0} with the real replica manager and Produce
 * handler; "broker 2", the leader of the only {@code __transaction_state} partition, is a test-only coordinator
 * behind a socket server that answers ApiVersions and AddPartitionsToTxn as each test scripts it.
 */
class TransactionVerificationOverTheNetworkTest {
    private static final String LISTENER = "REPLICATION";
    private static final TopicPartition PARTITION = new TopicPartition("orders", 0);
    private static final UUID TOPIC_ID = new UUID(7, 7);
    /** Liveness bound on a busy machine, not a performance claim. */
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path directory;

    private final InstantSource clock = InstantSource.system();
    /** The coordinator's requests as it received them, each with the answer the test gives. */
    private final List<AddPartitionsToTxnRequestData> received = new CopyOnWriteArrayList<>();
    private final List<CompletableFuture<ApiMessage>> answers = new CopyOnWriteArrayList<>();
    private ReplicaLogs logs;
    private ReplicaManager leader;
    private RequestHandlerPool requestHandlers;
    private SocketServer coordinator;
    private NetworkCoordinatorRequests requests;
    private ProduceHandler produce;

    @BeforeEach
    void start() throws Exception {
        requestHandlers = new RequestHandlerPool(2, 100);
        InetSocketAddress coordinatorAddress = startCoordinator();
        logs = new ReplicaLogs(directory);
        MetadataCache cache = new MetadataCache("cluster", 1, MetadataImage.EMPTY);
        ImageConfigResolver configs = new ImageConfigResolver(ConfigResolver.ofStatic(BrokerConfig.fromMap(Map.of(
                "node.id", "1", "process.roles", "broker"))), 1);
        leader = new ReplicaManager(new ReplicaManager.Settings(30_000, 100), 1, logs.logManager, configs,
                new NoReplicaFetchers(), (api, request) -> new CompletableFuture<>(), () -> 11L, clock,
                partition -> { });
        leader.start();
        new MetadataPublication(cache, List.of(leader)).publish(MetadataImage.EMPTY, image(coordinatorAddress));
        requests = new NetworkCoordinatorRequests(new NetworkLeaderEndpoints("test-verification-network",
                "test-verification-1", new InterBrokerAddresses(cache, LISTENER),
                new NodeConnectionSettings(10_000, 1, 1 << 20), 30_000));
        // Adds answered CONCURRENT_TRANSACTIONS are asked again on the replica manager's scheduler, as in a node; the
        // retries' time limit is a generous liveness bound here, not Kafka's 100 ms.
        ProduceVerification verification = new ProduceVerification(new AddPartitionsToTxnManager(cache::image,
                requests), leader::startTransactionVerification, () -> true,
                new AddPartitionRetries(leader::schedule, clock, 20, WAIT.toMillis()));
        produce = new ProduceHandler(cache, leader, overrides -> configs.resolve(cache.image())
                .effectiveTopicConfigs(overrides), clock, verification, requestHandlers);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (requests != null) {
            requests.close();
        }
        if (coordinator != null) {
            coordinator.shutdown(1_000);
        }
        if (requestHandlers != null) {
            requestHandlers.shutdownNow();
        }
        if (leader != null) {
            leader.close();
        }
        if (logs != null) {
            logs.close();
        }
    }

    private InetSocketAddress startCoordinator() throws InterruptedException {
        MetadataCache coordinatorCache = new MetadataCache("cluster", 2, MetadataImage.EMPTY);
        Map<ApiKey, ApiHandler> handlers = new EnumMap<>(ApiKey.class);
        AtomicReference<BrokerDispatcher> dispatcher = new AtomicReference<>();
        handlers.put(ApiKey.API_VERSIONS, new ApiVersionsHandler(() -> dispatcher.get().advertisedVersions(),
                coordinatorCache, BrokerFeatures.of(false)));
        handlers.put(ApiKey.ADD_PARTITIONS_TO_TXN, (context, request) -> {
            received.add((AddPartitionsToTxnRequestData) request.body());
            CompletableFuture<ApiMessage> answer = new CompletableFuture<>();
            answers.add(answer);
            return answer;
        });
        dispatcher.set(new BrokerDispatcher(handlers, requestHandlers));
        coordinator = new SocketServer(NetworkConfig.defaults(List.of(new Endpoint(LISTENER, "127.0.0.1", 0))),
                dispatcher.get());
        coordinator.start();
        return coordinator.boundAddress(LISTENER);
    }

    private static MetadataImage image(InetSocketAddress coordinatorAddress) {
        BrokerImage broker1 = new BrokerImage(1, new UUID(0, 1), 11L, List.of(), List.of(), null, false, false, 0, -1);
        BrokerImage broker2 = new BrokerImage(2, new UUID(0, 2), 12L, List.of(new BrokerEndpoint(LISTENER,
                coordinatorAddress.getHostString(), coordinatorAddress.getPort(), (short) 0)), List.of(), null, false,
                false, 0, -1);
        TreeMap<Integer, PartitionImage> orders = new TreeMap<>();
        orders.put(0, new PartitionImage(0, List.of(1), List.of(1), 1, 3, 0));
        TreeMap<Integer, PartitionImage> transactionState = new TreeMap<>();
        transactionState.put(0, new PartitionImage(0, List.of(2), List.of(2), 2, 1, 0));
        TopicImage topic = new TopicImage("orders", TOPIC_ID, orders);
        TopicImage state = new TopicImage(TransactionCoordinatorLookup.TRANSACTION_STATE_TOPIC, new UUID(8, 8),
                transactionState);
        return new MetadataImage(1, Map.of(1, broker1, 2, broker2), Map.of("orders", topic, state.name(), state),
                Map.of(TOPIC_ID, topic, state.topicId(), state), Map.of(), Map.of(), 0);
    }

    private final Map<Long, Integer> sequences = new HashMap<>();

    private CompletableFuture<ApiMessage> send(short version, String transactionalId, long producerId) {
        int sequence = sequences.merge(producerId, 1, Integer::sum) - 1;
        ByteBuffer batch = RecordCodec.encode(new BatchSpec(0, CompressionType.NONE, TimestampType.CREATE_TIME,
                RecordBatch.NO_TIMESTAMP, producerId, (short) 0, sequence, true, false,
                RecordBatch.NO_PARTITION_LEADER_EPOCH, RecordBatch.NO_TIMESTAMP), List.of(new Record(0,
                clock.millis(), null, ByteBuffer.wrap(("v" + sequence).getBytes(StandardCharsets.UTF_8)),
                List.of())));
        ProduceRequestData request = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30_000)
                .setTransactionalId(transactionalId);
        ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setName("orders");
        topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0)
                .setRecords(new BufferRecords(batch)));
        request.topicData().add(topic);
        return produce.handle(null, new DecodedRequest(ApiKey.PRODUCE, version, 1, "producer", (short) 2, request, 0))
                .toCompletableFuture();
    }

    private static ProduceResponseData.PartitionProduceResponse partitionOf(CompletableFuture<ApiMessage> answer)
            throws Exception {
        return ((ProduceResponseData) answer.get(WAIT.toSeconds(), TimeUnit.SECONDS)).responses().iterator().next()
                .partitionResponses().get(0);
    }

    /** Answers the coordinator's request {@code index} with {@code error} for every partition it named. */
    private void answer(int index, Errors error) {
        AddPartitionsToTxnResponseData response = new AddPartitionsToTxnResponseData();
        for (AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction transaction
                : received.get(index).transactions()) {
            AddPartitionsToTxnResponseData.AddPartitionsToTxnResult result =
                    new AddPartitionsToTxnResponseData.AddPartitionsToTxnResult()
                            .setTransactionalId(transaction.transactionalId());
            for (AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic topic : transaction.topics()) {
                AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResult topicResult =
                        new AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResult().setName(topic.name());
                for (int partition : topic.partitions()) {
                    topicResult.resultsByPartition().add(
                            new AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResult()
                                    .setPartitionIndex(partition).setPartitionErrorCode(error.code()));
                }
                result.topicResults().add(topicResult);
            }
            response.resultsByTransaction().add(result);
        }
        answers.get(index).complete(response);
    }

    private void awaitReceived(int count) {
        await().atMost(WAIT).until(() -> received.size() >= count);
    }

    @Test
    void aVerifiedBatchIsAppendedAndTheNextOfTheOngoingTransactionNeedsNoVerification() throws Exception {
        CompletableFuture<ApiMessage> first = send((short) 11, "payments", 5);
        awaitReceived(1);
        AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction asked = received.get(0).transactions().get(0);
        assertThat(asked.transactionalId()).isEqualTo("payments");
        assertThat(asked.producerId()).isEqualTo(5);
        assertThat(asked.verifyOnly()).isTrue();
        assertThat(asked.topics()).extracting(topic -> topic.name() + topic.partitions())
                .containsExactly("orders[0]");
        assertThat(first).as("the append waits for the coordinator").isNotDone();
        answer(0, Errors.NONE);
        assertThat(partitionOf(first).errorCode()).isZero();
        assertThat(partitionOf(first).baseOffset()).isZero();

        assertThat(partitionOf(send((short) 11, "payments", 5)).baseOffset()).isEqualTo(1);
        assertThat(received).as("the transaction is ongoing here: nothing to verify").hasSize(1);
    }

    @Test
    void aPartitionNotInTheTransactionIsRefusedAndNothingIsAppended() throws Exception {
        CompletableFuture<ApiMessage> refused = send((short) 11, "payments", 5);
        awaitReceived(1);
        answer(0, Errors.INVALID_TXN_STATE);
        assertThat(Errors.forCode(partitionOf(refused).errorCode())).isEqualTo(Errors.INVALID_TXN_STATE);
        assertThat(partitionOf(refused).errorMessage()).isEqualTo("Partition was not added to the transaction");
        assertThat(leader.log(PARTITION).orElseThrow().logEndOffset()).isZero();

        CompletableFuture<ApiMessage> retried = send((short) 11, "payments", 6);
        awaitReceived(2);
        answer(1, Errors.COORDINATOR_LOAD_IN_PROGRESS);
        assertThat(Errors.forCode(partitionOf(retried).errorCode())).isEqualTo(Errors.NOT_ENOUGH_REPLICAS);
    }

    @Test
    void aTransactionVersion2ProducerHasThePartitionAdded() throws Exception {
        CompletableFuture<ApiMessage> added = send((short) 12, "payments", 5);
        awaitReceived(1);
        assertThat(received.get(0).transactions().get(0).verifyOnly()).isFalse();
        answer(0, Errors.NONE);
        assertThat(partitionOf(added).errorCode()).isZero();
    }

    @Test
    void aTransactionVersion2AddAnsweredConcurrentTransactionsIsAskedAgainAndAppended() throws Exception {
        // Right after the producer's EndTxn its previous transaction's markers are still being written: Kafka's leader
        // asks again rather than refusing the batch, which would send the producer's pipelined batches out of order.
        CompletableFuture<ApiMessage> added = send((short) 12, "payments", 5);
        awaitReceived(1);
        answer(0, Errors.CONCURRENT_TRANSACTIONS);
        awaitReceived(2);
        assertThat(added).as("the producer is not answered between the attempts").isNotDone();
        assertThat(received.get(1).transactions()).singleElement().satisfies(transaction -> {
            assertThat(transaction.verifyOnly()).isFalse();
            assertThat(transaction.topics()).extracting(topic -> topic.name() + topic.partitions())
                    .containsExactly("orders[0]");
        });
        answer(1, Errors.NONE);
        assertThat(partitionOf(added).errorCode()).isZero();
        assertThat(partitionOf(added).baseOffset()).isZero();
    }

    @Test
    void aMarkerWrittenWhileTheCoordinatorAnswersVoidsTheVerification() throws Exception {
        CompletableFuture<ApiMessage> late = send((short) 11, "payments", 5);
        awaitReceived(1);
        // The coordinator aborts the transaction (this partition was in it) before its verification answer arrives.
        List<ReplicaManager.AppendOutcome> marker = leader.appendTransactionMarkers(30_000, new ArrayList<>(List.of(
                new ReplicaManager.MarkerAppend(PARTITION, 5, (short) 0, new TransactionMarker(false, 1)))))
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(marker).singleElement().satisfies(outcome -> assertThat(outcome.error()).isEqualTo(Errors.NONE));
        answer(0, Errors.NONE);
        assertThat(Errors.forCode(partitionOf(late).errorCode())).isEqualTo(Errors.INVALID_TXN_STATE);
        assertThat(leader.log(PARTITION).orElseThrow().logEndOffset()).as("the marker only").isEqualTo(1);
    }
}
