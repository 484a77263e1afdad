package io.fjord.broker.coordinator.transactiondriver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fjord.broker.coordinator.driver.LogPartitionWriter;
import io.fjord.broker.coordinator.markers.TransactionMarkerChannel;
import io.fjord.broker.coordinator.transaction.TransactionCoordinatorConfig;
import io.fjord.broker.coordinator.transaction.TransactionMarkers;
import io.fjord.broker.coordinator.transaction.TransactionPartition;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.AddPartitionsToTxnRequestData;
import io.fjord.protocol.message.AddPartitionsToTxnResponseData;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.DescribeTransactionsRequestData;
import io.fjord.protocol.message.DescribeTransactionsResponseData;
import io.fjord.protocol.message.EndTxnRequestData;
import io.fjord.protocol.message.EndTxnResponseData;
import io.fjord.protocol.message.InitProducerIdRequestData;
import io.fjord.protocol.message.InitProducerIdResponseData;
import io.fjord.protocol.message.ListTransactionsRequestData;
import io.fjord.protocol.message.ListTransactionsResponseData;
import io.fjord.storage.LogManager;
import io.fjord.storage.LogManagerConfig;
import io.fjord.storage.TopicPartition;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transaction coordinator on the shared runtime against a real {@code __transaction_state} log: replies leave
 * once their records commit; markers are handed to the channel only after the Prepare record commits, carrying the
 * partition's leader epoch; the channel's outcomes complete the transaction (a stale epoch's are ignored); a new
 * leader re-sends the markers of a transaction it loads preparing; partitions not led answer NOT_COORDINATOR.
 */
class TransactionCoordinatorDriverTest {
    private static final int PARTITION = 0;
    private static final String ID = "payments-tx";
    private static final short INIT_VERSION = 4;
    private static final short ADD_VERSION = 3;
    private static final short END_VERSION = 4;

    @TempDir
    Path directory;

    private LogManager logManager;
    private LogPartitionWriter writer;
    private TransactionCoordinatorDriver driver;
    private final List<TransactionMarkers> sent = new CopyOnWriteArrayList<>();
    private final List<List<Integer>> removedEpochs = new CopyOnWriteArrayList<>();
    private final AtomicLong nextProducerId = new AtomicLong(5_000);
    /** How many of the next sends the channel refuses as a full channel does. */
    private final AtomicInteger sendsToRefuse = new AtomicInteger();

    @BeforeEach
    void setUp() {
        logManager = new LogManager(LogManagerConfig.fromProperties(Map.of(LogManagerConfig.LOG_DIRS,
                directory.toString())), InstantSource.system());
        logManager.startup();
        logManager.getOrCreateLog(topicPartition(), logManager.config().defaultLogConfig());
        writer = new LogPartitionWriter(logManager::getLog);
        driver = new TransactionCoordinatorDriver(TransactionCoordinatorConfig.defaults(),
                new TransactionStateTopicConfig(1, (short) 1, 1, 1024 * 1024, 1024, 60_000),
                nextProducerId::getAndIncrement, () -> 1, () -> 3, () -> (short) 0, logManager::getLog, writer,
                InstantSource.system());
        driver.setMarkerChannel(new TransactionMarkerChannel() {
            @Override
            public void send(TransactionMarkers markers) {
                sent.add(markers);
                if (sendsToRefuse.getAndUpdate(count -> Math.max(0, count - 1)) > 0) {
                    driver.markersAbandoned(markers, Errors.COORDINATOR_NOT_AVAILABLE);
                }
            }

            @Override
            public void removeCoordinatorEpoch(int transactionStatePartition, int coordinatorEpoch) {
                removedEpochs.add(List.of(transactionStatePartition, coordinatorEpoch));
            }
        });
        driver.start();
    }

    @AfterEach
    void tearDown() {
        driver.close();
        logManager.shutdown();
    }

    private static TopicPartition topicPartition() {
        return new TopicPartition(TransactionStateTopicConfig.TOPIC, PARTITION);
    }

    private void electAndAwaitLoaded(int leaderEpoch) {
        driver.onElected(PARTITION, leaderEpoch);
        await().atMost(Duration.ofSeconds(30)).until(() -> "ACTIVE".equals(driver.partitionStatuses().get(PARTITION)));
    }

    private <T extends ApiMessage> T answer(CompletableFuture<ApiMessage> future) throws Exception {
        @SuppressWarnings("unchecked")
        T response = (T) future.get(30, TimeUnit.SECONDS);
        return response;
    }

    private InitProducerIdResponseData init() throws Exception {
        return init(ID);
    }

    private InitProducerIdResponseData init(String transactionalId) throws Exception {
        InitProducerIdRequestData request = new InitProducerIdRequestData().setTransactionalId(transactionalId)
                .setTransactionTimeoutMs(60_000).setProducerId(-1).setProducerEpoch((short) -1);
        return answer(driver.submit(driver.partitionFor(transactionalId),
                (shard, nowMs) -> shard.initProducerId(request, INIT_VERSION, nowMs),
                error -> new InitProducerIdResponseData().setErrorCode(error.code())));
    }

    private AddPartitionsToTxnResponseData add(InitProducerIdResponseData producer, String topic, int... partitions)
            throws Exception {
        return add(ID, producer, topic, partitions);
    }

    private AddPartitionsToTxnResponseData add(String transactionalId, InitProducerIdResponseData producer,
            String topic, int... partitions) throws Exception {
        AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic added = new AddPartitionsToTxnRequestData
                .AddPartitionsToTxnTopic().setName(topic);
        for (int partition : partitions) {
            added.partitions().add(partition);
        }
        AddPartitionsToTxnRequestData request = new AddPartitionsToTxnRequestData()
                .setV3AndBelowTransactionalId(transactionalId)
                .setV3AndBelowProducerId(producer.producerId()).setV3AndBelowProducerEpoch(producer.producerEpoch())
                .setV3AndBelowTopics(new ArrayList<>(List.of(added)));
        return answer(driver.submit(driver.partitionFor(transactionalId),
                (shard, nowMs) -> shard.addPartitionsToTxn(request, ADD_VERSION, nowMs),
                error -> new AddPartitionsToTxnResponseData().setErrorCode(error.code())));
    }

    private CompletableFuture<ApiMessage> end(InitProducerIdResponseData producer, boolean commit) {
        return end(ID, producer, commit);
    }

    private CompletableFuture<ApiMessage> end(String transactionalId, InitProducerIdResponseData producer,
            boolean commit) {
        EndTxnRequestData request = new EndTxnRequestData().setTransactionalId(transactionalId)
                .setProducerId(producer.producerId()).setProducerEpoch(producer.producerEpoch()).setCommitted(commit);
        return driver.submit(driver.partitionFor(transactionalId),
                (shard, nowMs) -> shard.endTxn(request, END_VERSION, nowMs),
                error -> new EndTxnResponseData().setErrorCode(error.code()));
    }

    /** DescribeTransactions as its handler asks: on the committed view. */
    private DescribeTransactionsResponseData.TransactionState describe() throws Exception {
        DescribeTransactionsRequestData request = new DescribeTransactionsRequestData()
                .setTransactionalIds(new ArrayList<>(List.of(ID)));
        DescribeTransactionsResponseData response = answer(driver.read(driver.partitionFor(ID),
                (view, live, nowMs) -> view.describeCommitted(request, live, nowMs),
                error -> new DescribeTransactionsResponseData()));
        return response.transactionStates().get(0);
    }

    private static List<Integer> partitionsOf(DescribeTransactionsResponseData.TransactionState described) {
        return described.topics().stream().flatMap(topic -> topic.partitions().stream()).toList();
    }

    /** ListTransactions as its handler asks: the committed view of every partition elected here. */
    private List<String> listedStates() throws Exception {
        List<ApiMessage> parts = driver.readFromAll((view, live, nowMs) -> view.listCommitted(
                new ListTransactionsRequestData(), nowMs), error -> new ListTransactionsResponseData()
                        .setErrorCode(error.code())).get(30, TimeUnit.SECONDS);
        List<String> states = new ArrayList<>();
        for (ApiMessage part : parts) {
            ((ListTransactionsResponseData) part).transactionStates().forEach(state -> states.add(
                    state.transactionalId() + ":" + state.transactionState()));
        }
        return states;
    }

    @Test
    void theMarkersOfALeadershipThatEndedAreAbandoned() {
        electAndAwaitLoaded(3);
        assertThat(removedEpochs).isEmpty();
        electAndAwaitLoaded(4); // led again at a later epoch: the new load sends its own markers
        assertThat(removedEpochs).containsExactly(List.of(PARTITION, 3));
        driver.onResigned(PARTITION);
        assertThat(removedEpochs).containsExactly(List.of(PARTITION, 3), List.of(PARTITION, 4));
    }

    @Test
    void markersLeaveOnlyAfterThePrepareRecordCommitsAndTheirOutcomesCompleteTheTransaction() throws Exception {
        electAndAwaitLoaded(7);
        InitProducerIdResponseData producer = init();
        assertThat(producer.errorCode()).isZero();
        assertThat(producer.producerId()).isEqualTo(5_000);
        assertThat(add(producer, "orders", 0, 1).resultsByTopicV3AndBelow().get(0).resultsByPartition())
                .allSatisfy(result -> assertThat(result.partitionErrorCode()).isZero());

        writer.holdHighWatermark(); // followers have not fetched the PrepareCommit yet
        CompletableFuture<ApiMessage> ended = end(producer, true);
        await().atMost(Duration.ofSeconds(30)).until(() -> logManager.getLog(topicPartition()).orElseThrow()
                .logEndOffset() > logManager.getLog(topicPartition()).orElseThrow().highWatermark());
        assertThat(ended).isNotDone();
        assertThat(sent).as("no marker before the PrepareCommit record commits").isEmpty();

        writer.replicateAll(topicPartition());
        driver.onPartitionChanged(topicPartition());
        assertThat(this.<EndTxnResponseData>answer(ended).errorCode()).isZero();
        await().atMost(Duration.ofSeconds(30)).until(() -> sent.size() == 1);
        TransactionMarkers markers = sent.get(0);
        assertThat(markers.commit()).isTrue();
        assertThat(markers.coordinatorEpoch()).as("the partition's leader epoch").isEqualTo(7);
        assertThat(markers.partitionList()).containsExactly(new TransactionPartition("orders", 0),
                new TransactionPartition("orders", 1));
        assertThat(describe().transactionState()).isEqualTo("PrepareCommit");

        // An outcome reported for an earlier coordinator epoch is not this leadership's: ignored.
        driver.markerWritten(new TransactionMarkers(ID, markers.producerId(), markers.producerEpoch(), true,
                markers.partitions(), 6, markers.transactionVersion()), new TransactionPartition("orders", 0));
        driver.markerWritten(markers, new TransactionPartition("orders", 0));
        await().atMost(Duration.ofSeconds(30)).until(() -> describe().topics().stream()
                .flatMap(topic -> topic.partitions().stream()).toList().equals(List.of(1)));
        assertThat(describe().transactionState()).isEqualTo("PrepareCommit");
        writer.replicateAll(topicPartition());
        driver.onPartitionChanged(topicPartition());
        driver.markerWritten(markers, new TransactionPartition("orders", 1));
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            writer.replicateAll(topicPartition());
            driver.onPartitionChanged(topicPartition());
            return describe().transactionState().equals("CompleteCommit");
        });
    }

    @Test
    void aNewLeaderSendsTheMarkersOfATransactionItLoadsPreparing() throws Exception {
        electAndAwaitLoaded(1);
        InitProducerIdResponseData producer = init();
        add(producer, "orders", 2);
        assertThat(this.<EndTxnResponseData>answer(end(producer, false)).errorCode()).isZero();
        await().atMost(Duration.ofSeconds(30)).until(() -> sent.size() == 1);
        assertThat(sent.get(0).commit()).isFalse();

        // The leadership moves before any marker is reported: the next leader (epoch 2) loads PrepareAbort.
        driver.onResigned(PARTITION);
        electAndAwaitLoaded(2);
        await().atMost(Duration.ofSeconds(30)).until(() -> sent.size() == 2);
        TransactionMarkers again = sent.get(1);
        assertThat(again.commit()).isFalse();
        assertThat(again.coordinatorEpoch()).isEqualTo(2);
        assertThat(again.partitionList()).containsExactly(new TransactionPartition("orders", 2));
        driver.markerWritten(again, new TransactionPartition("orders", 2));
        await().atMost(Duration.ofSeconds(30)).until(() -> describe().transactionState().equals("CompleteAbort"));
    }

    @Test
    void markersTheChannelRefusedAreSentAgainAndCompleteTheTransactionWithoutAReload() throws Exception {
        electAndAwaitLoaded(5);
        InitProducerIdResponseData producer = init();
        add(producer, "orders", 0, 1);
        sendsToRefuse.set(2); // the channel is full for the first attempt and the first retry
        assertThat(this.<EndTxnResponseData>answer(end(producer, true)).errorCode()).isZero();

        await().atMost(Duration.ofSeconds(30)).until(() -> sent.size() == 3);
        TransactionMarkers again = sent.get(2);
        assertThat(again).as("the same markers, in the same leadership").isEqualTo(sent.get(0));
        assertThat(describe().transactionState()).isEqualTo("PrepareCommit");
        driver.markerWritten(again, new TransactionPartition("orders", 0));
        driver.markerWritten(again, new TransactionPartition("orders", 1));
        await().atMost(Duration.ofSeconds(30)).until(() -> describe().transactionState().equals("CompleteCommit"));
        assertThat(driver.partitionStatuses()).containsEntry(PARTITION, "ACTIVE");
        assertThat(sent).as("nothing more once written").hasSize(3);
    }

    @Test
    void markersAbandonedForAStaleEpochAreNotSentAgain() throws Exception {
        electAndAwaitLoaded(5);
        InitProducerIdResponseData producer = init();
        add(producer, "orders", 0);
        assertThat(this.<EndTxnResponseData>answer(end(producer, false)).errorCode()).isZero();
        await().atMost(Duration.ofSeconds(30)).until(() -> sent.size() == 1);
        TransactionMarkers markers = sent.get(0);

        // Fenced by a leader, and refused for a full channel under an earlier leadership: neither comes back.
        driver.markersAbandoned(markers, Errors.TRANSACTION_COORDINATOR_FENCED);
        driver.markersAbandoned(new TransactionMarkers(ID, markers.producerId(), markers.producerEpoch(), false,
                markers.partitions(), 4, markers.transactionVersion()), Errors.COORDINATOR_NOT_AVAILABLE);
        // Another transaction refused afterwards is sent again; the ones above, had they counted, would have been
        // due no later.
        String otherId = "refunds-tx";
        InitProducerIdResponseData otherProducer = init(otherId);
        add(otherId, otherProducer, "orders", 3);
        sendsToRefuse.set(1);
        assertThat(this.<EndTxnResponseData>answer(end(otherId, otherProducer, true)).errorCode()).isZero();
        await().atMost(Duration.ofSeconds(30)).until(() -> sent.size() == 3);
        assertThat(sent.get(1).transactionalId()).isEqualTo(otherId);
        assertThat(sent.get(2)).isEqualTo(sent.get(1));
        assertThat(describe().transactionState()).isEqualTo("PrepareAbort");
    }

    @Test
    void describeAndListAnswerAtOnceFromTheCommittedStateAsKafkaDoes() throws Exception {
        electAndAwaitLoaded(2);
        InitProducerIdResponseData producer = init();
        add(producer, "orders", 0, 1);
        assertThat(describe().transactionState()).isEqualTo("Ongoing");

        writer.holdHighWatermark(); // followers have not fetched the PrepareCommit yet
        CompletableFuture<ApiMessage> ended = end(producer, true);
        await().atMost(Duration.ofSeconds(30)).until(() -> logManager.getLog(topicPartition()).orElseThrow()
                .logEndOffset() > logManager.getLog(topicPartition()).orElseThrow().highWatermark());
        DescribeTransactionsResponseData.TransactionState uncommitted = describe();
        assertThat(uncommitted.transactionState()).as("the PrepareCommit record is not committed")
                .isEqualTo("Ongoing");
        assertThat(partitionsOf(uncommitted)).containsExactly(0, 1);
        assertThat(listedStates()).containsExactly(ID + ":Ongoing");
        assertThat(ended).isNotDone();

        writer.replicateAll(topicPartition());
        driver.onPartitionChanged(topicPartition());
        assertThat(this.<EndTxnResponseData>answer(ended).errorCode()).isZero();
        await().atMost(Duration.ofSeconds(30)).until(() -> describe().transactionState().equals("PrepareCommit"));
        assertThat(listedStates()).containsExactly(ID + ":PrepareCommit");
        await().atMost(Duration.ofSeconds(30)).until(() -> sent.size() == 1);

        // Each written marker takes its partition out, as in Kafka; the last one's Complete record is held back:
        // still PrepareCommit, with no partition left to wait for.
        writer.holdHighWatermark();
        driver.markerWritten(sent.get(0), new TransactionPartition("orders", 1));
        await().atMost(Duration.ofSeconds(30)).until(() -> partitionsOf(describe()).equals(List.of(0)));
        driver.markerWritten(sent.get(0), new TransactionPartition("orders", 0));
        await().atMost(Duration.ofSeconds(30)).until(() -> partitionsOf(describe()).isEmpty());
        assertThat(describe().transactionState()).isEqualTo("PrepareCommit");
        writer.replicateAll(topicPartition());
        driver.onPartitionChanged(topicPartition());
        await().atMost(Duration.ofSeconds(30)).until(() -> describe().transactionState().equals("CompleteCommit"));
        assertThat(listedStates()).containsExactly(ID + ":CompleteCommit");
    }

    @Test
    void aPartitionNotLedHereAnswersNotCoordinator() throws Exception {
        InitProducerIdResponseData refused = init();
        assertThat(Errors.forCode(refused.errorCode())).isEqualTo(Errors.NOT_COORDINATOR);
        assertThat(sent).isEmpty();
    }
}
