package io.fjord.broker.coordinator.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fjord.broker.coordinator.group.GroupCoordinatorConfig;
import io.fjord.broker.coordinator.group.OffsetsPartitions;
import io.fjord.broker.coordinator.group.TopicIdResolver;
import io.fjord.broker.coordinator.runtime.CoordinatorPartitionWriter;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.OffsetCommitRequestData;
import io.fjord.protocol.message.OffsetCommitResponseData;
import io.fjord.protocol.message.OffsetFetchRequestData;
import io.fjord.protocol.message.OffsetFetchResponseData;
import io.fjord.protocol.message.TxnOffsetCommitRequestData;
import io.fjord.protocol.message.TxnOffsetCommitResponseData;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatches;
import io.fjord.storage.LogManager;
import io.fjord.storage.LogManagerConfig;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.TopicPartition;
import io.fjord.storage.VerificationGuard;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactional offset commits through the runtime against a real offsets-partition log: transactional batches with
 * the producer's id and epoch, markers written in order with the group's writes, the committed view that shows an
 * offset only once its COMMIT marker is committed, the partition's fencing of stale producer and coordinator epochs,
 * a new leader's load of interleaved transactional batches and markers (a transaction without a marker stays
 * pending), and KIP-890: a failed verification's errors, and a marker written meanwhile voiding a verified write.
 */
class TransactionalOffsetsDriverTest {
    private static final int PARTITION = 0;
    private static final long PRODUCER_A = 1_000L;
    private static final long PRODUCER_B = 1_001L;
    private static final long PRODUCER_C = 1_002L;

    @TempDir
    Path directory;

    private LogManager logManager;
    private GroupCoordinatorDriver driver;
    private LogPartitionWriter writer;

    @BeforeEach
    void setUp() {
        logManager = new LogManager(LogManagerConfig.fromProperties(Map.of(LogManagerConfig.LOG_DIRS,
                directory.toString())), InstantSource.system());
        logManager.startup();
        logManager.getOrCreateLog(offsets(), logManager.config().defaultLogConfig());
        writer = new LogPartitionWriter(logManager::getLog);
        driver = new GroupCoordinatorDriver(new GroupCoordinatorConfig(100, 60_000, 0, 100, 4_096, 86_400_000L,
                600_000L, 300_000), new OffsetsTopicConfig(1, (short) 1, 100 * 1024 * 1024, CompressionType.NONE,
                1024, OffsetsTopicConfig.COMMIT_TIMEOUT_MS_DEFAULT), TopicIdResolver.NONE, logManager::getLog,
                writer, InstantSource.system());
        driver.start();
        electAndAwaitLoaded(0);
    }

    @AfterEach
    void tearDown() {
        driver.close();
        logManager.shutdown();
    }

    private static TopicPartition offsets() {
        return new TopicPartition(OffsetsPartitions.TOPIC, PARTITION);
    }

    private PartitionLog log() {
        return logManager.getLog(offsets()).orElseThrow();
    }

    private void electAndAwaitLoaded(int leaderEpoch) {
        driver.onElected(PARTITION, leaderEpoch);
        await().atMost(Duration.ofSeconds(10)).until(() -> "ACTIVE".equals(driver.partitionStatuses().get(PARTITION)));
    }

    private short txnCommit(long producerId, short producerEpoch, int partition, long offset) throws Exception {
        return txnCommit(producerId, producerEpoch, (short) 4, partition, offset).get(10, TimeUnit.SECONDS);
    }

    /** A TxnOffsetCommit of {@code version} for orders-{partition}; its error code once answered. */
    private CompletableFuture<Short> txnCommit(long producerId, short producerEpoch, short version, int partition,
            long offset) {
        TxnOffsetCommitRequestData request = new TxnOffsetCommitRequestData().setTransactionalId("txn-" + producerId)
                .setGroupId("group").setProducerId(producerId).setProducerEpoch(producerEpoch)
                .setGenerationIdOrMemberEpoch(-1).setMemberId("");
        request.topics().add(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic().setName("orders")
                .setPartitions(new ArrayList<>(List.of(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition()
                        .setPartitionIndex(partition).setCommittedOffset(offset)))));
        return driver.submitTransactional(PARTITION, "txn-" + producerId, producerId, producerEpoch, version,
                "client", "/127.0.0.1", (shard, context, nowMs) -> shard.txnOffsetCommit(context, request, nowMs),
                error -> new TxnOffsetCommitResponseData().setTopics(new ArrayList<>(List.of(
                        new TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic().setName("orders")
                                .setPartitions(new ArrayList<>(List.of(
                                        new TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition()
                                                .setErrorCode(error.code()))))))))
                .thenApply(response -> ((TxnOffsetCommitResponseData) response).topics().get(0).partitions().get(0)
                        .errorCode());
    }

    private short plainCommit(int partition, long offset) throws Exception {
        OffsetCommitRequestData request = new OffsetCommitRequestData().setGroupId("group")
                .setGenerationIdOrMemberEpoch(-1).setMemberId("");
        request.topics().add(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("orders")
                .setPartitions(new ArrayList<>(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                        .setPartitionIndex(partition).setCommittedOffset(offset)))));
        ApiMessage response = driver.submit(PARTITION, (short) 8, "client", "/127.0.0.1",
                (shard, context, nowMs) -> shard.offsetCommit(context, request, nowMs),
                error -> new OffsetCommitResponseData()).get(10, TimeUnit.SECONDS);
        return ((OffsetCommitResponseData) response).topics().get(0).partitions().get(0).errorCode();
    }

    private Errors complete(long producerId, short producerEpoch, int coordinatorEpoch, boolean commit)
            throws Exception {
        return driver.completeTransaction(PARTITION, producerId, producerEpoch, coordinatorEpoch, commit)
                .get(10, TimeUnit.SECONDS);
    }

    /** orders-{partition} as OffsetFetch answers it: from the committed view, or as a stable (write) fetch. */
    private OffsetFetchResponseData.OffsetFetchResponsePartitions fetch(int partition, boolean requireStable)
            throws Exception {
        OffsetFetchRequestData request = new OffsetFetchRequestData().setRequireStable(requireStable);
        request.groups().add(new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("group")
                .setTopics(new ArrayList<>(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopics()
                        .setName("orders").setPartitionIndexes(new ArrayList<>(List.of(partition)))))));
        CompletableFuture<ApiMessage> answer = requireStable
                ? driver.submit(PARTITION, (short) 9, "client", "/127.0.0.1",
                        (shard, context, nowMs) -> shard.offsetFetch(context, request, nowMs),
                        error -> new OffsetFetchResponseData().setErrorCode(error.code()))
                : driver.read(PARTITION, (short) 9, "client", "/127.0.0.1",
                        (shard, context, nowMs) -> shard.offsetFetch(context, request, nowMs),
                        error -> new OffsetFetchResponseData().setErrorCode(error.code()));
        OffsetFetchResponseData response = (OffsetFetchResponseData) answer.get(10, TimeUnit.SECONDS);
        return response.groups().get(0).topics().get(0).partitions().get(0);
    }

    private long committed(int partition) throws Exception {
        return fetch(partition, false).committedOffset();
    }

    private List<RecordBatch> batches() {
        List<RecordBatch> batches = new ArrayList<>();
        RecordBatches.of(log().readAllFrom(0)).forEach(batches::add);
        return batches;
    }

    @Test
    void transactionalBatchesAndMarkersGoToThePartitionInOrder() throws Exception {
        assertThat(txnCommit(PRODUCER_A, (short) 0, 0, 10)).isZero();
        assertThat(txnCommit(PRODUCER_A, (short) 0, 1, 11)).isZero(); // a second batch of the same transaction
        assertThat(committed(0)).isEqualTo(-1);
        assertThat(complete(PRODUCER_A, (short) 0, 3, true)).isEqualTo(Errors.NONE);
        assertThat(committed(0)).isEqualTo(10);
        assertThat(committed(1)).isEqualTo(11);

        List<RecordBatch> batches = batches();
        assertThat(batches).hasSize(3);
        assertThat(batches.get(0).isTransactional()).isTrue();
        assertThat(batches.get(0).producerId()).isEqualTo(PRODUCER_A);
        assertThat(batches.get(1).isTransactional()).isTrue();
        assertThat(batches.get(2).isControlBatch()).isTrue();
        assertThat(log().lastStableOffset()).isEqualTo(log().logEndOffset());
    }

    @Test
    void theCommittedViewShowsTheOffsetOnlyOnceTheCommitMarkerIsCommitted() throws Exception {
        assertThat(txnCommit(PRODUCER_A, (short) 0, 0, 10)).isZero();
        writer.holdHighWatermark();
        CompletableFuture<Errors> completion = driver.completeTransaction(PARTITION, PRODUCER_A, (short) 0, 3, true);
        // The live shard applied the marker (a stable fetch waits for it), the view has not.
        assertThat(committed(0)).isEqualTo(-1);
        assertThat(completion).isNotDone();

        writer.replicateAll(offsets());
        driver.onPartitionChanged(offsets());
        assertThat(completion.get(10, TimeUnit.SECONDS)).isEqualTo(Errors.NONE);
        assertThat(committed(0)).isEqualTo(10);
    }

    @Test
    void thePartitionFencesStaleProducerAndCoordinatorEpochs() throws Exception {
        assertThat(txnCommit(PRODUCER_A, (short) 1, 0, 10)).isZero();
        assertThat(complete(PRODUCER_A, (short) 1, 5, false)).isEqualTo(Errors.NONE);

        assertThat(complete(PRODUCER_A, (short) 1, 4, true)).isEqualTo(Errors.TRANSACTION_COORDINATOR_FENCED);
        assertThat(complete(PRODUCER_A, (short) 0, 5, true)).isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
        assertThat(txnCommit(PRODUCER_A, (short) 0, 0, 12)).isEqualTo(Errors.INVALID_PRODUCER_EPOCH.code());
        // The refused commit left nothing behind: the shard reloaded from the log.
        electAndAwaitLoaded(0);
        await().atMost(Duration.ofSeconds(10)).until(() -> fetch(0, true).errorCode() == Errors.NONE.code());
        assertThat(committed(0)).isEqualTo(-1);
    }

    @Test
    void aNewLeaderReplaysInterleavedTransactionsAndKeepsAnUnendedOnePending() throws Exception {
        assertThat(plainCommit(0, 1)).isZero();
        assertThat(txnCommit(PRODUCER_A, (short) 0, 0, 10)).isZero();
        assertThat(txnCommit(PRODUCER_B, (short) 0, 1, 20)).isZero();
        assertThat(plainCommit(2, 30)).isZero();
        assertThat(txnCommit(PRODUCER_A, (short) 0, 2, 12)).isZero(); // after the plain commit of orders-2
        assertThat(complete(PRODUCER_B, (short) 0, 0, false)).isEqualTo(Errors.NONE);
        assertThat(txnCommit(PRODUCER_C, (short) 0, 1, 40)).isZero();
        assertThat(complete(PRODUCER_A, (short) 0, 0, true)).isEqualTo(Errors.NONE);
        assertThat(plainCommit(0, 2)).isZero(); // after A's commit: the plain commit wins

        // Another leadership: the shard and the view are rebuilt from the log.
        electAndAwaitLoaded(1);
        assertThat(committed(0)).isEqualTo(2);
        assertThat(committed(1)).isEqualTo(-1); // B aborted, C still open
        assertThat(committed(2)).isEqualTo(12);
        assertThat(fetch(1, true).errorCode()).isEqualTo(Errors.UNSTABLE_OFFSET_COMMIT.code());
        assertThat(fetch(0, true).errorCode()).isZero();

        assertThat(complete(PRODUCER_C, (short) 0, 0, true)).isEqualTo(Errors.NONE);
        assertThat(committed(1)).isEqualTo(40);
        electAndAwaitLoaded(2);
        assertThat(committed(1)).isEqualTo(40);
        assertThat(fetch(1, true).committedOffset()).isEqualTo(40);
    }

    @Test
    void aMarkerForAPartitionNotLedHereIsRefused() throws Exception {
        assertThat(driver.completeTransaction(7, PRODUCER_A, (short) 0, 0, true).get(10, TimeUnit.SECONDS))
                .isEqualTo(Errors.NOT_COORDINATOR);
    }

    @Test
    void aFailedVerificationIsAnsweredAsKafkasCoordinatorAnswersItAndWritesNothing() throws Exception {
        List<String> asked = new ArrayList<>();
        AtomicReference<Errors> coordinatorError = new AtomicReference<>();
        writer.verifyWith((partition, transactionalId, producerId, producerEpoch, version) -> {
            asked.add(partition + " " + transactionalId + " " + producerId + " " + producerEpoch + " v" + version);
            return CompletableFuture.completedFuture(new CoordinatorPartitionWriter.TransactionVerification(
                    coordinatorError.get(), null));
        });
        Map<Errors, Errors> answered = new LinkedHashMap<>();
        for (Errors error : List.of(Errors.NETWORK_EXCEPTION, Errors.NOT_ENOUGH_REPLICAS,
                Errors.COORDINATOR_NOT_AVAILABLE, Errors.NOT_COORDINATOR, Errors.CONCURRENT_TRANSACTIONS,
                Errors.INVALID_PRODUCER_EPOCH, Errors.INVALID_TXN_STATE, Errors.TRANSACTION_ABORTABLE)) {
            coordinatorError.set(error);
            answered.put(error, Errors.forCode(txnCommit(PRODUCER_A, (short) 3, (short) 5, 0, 10)
                    .get(10, TimeUnit.SECONDS)));
        }
        // Kafka's CoordinatorOperationExceptionHelper: NETWORK_EXCEPTION is retried without a coordinator lookup.
        assertThat(answered).containsExactly(Map.entry(Errors.NETWORK_EXCEPTION, Errors.COORDINATOR_LOAD_IN_PROGRESS),
                Map.entry(Errors.NOT_ENOUGH_REPLICAS, Errors.COORDINATOR_NOT_AVAILABLE),
                Map.entry(Errors.COORDINATOR_NOT_AVAILABLE, Errors.COORDINATOR_NOT_AVAILABLE),
                Map.entry(Errors.NOT_COORDINATOR, Errors.NOT_COORDINATOR),
                Map.entry(Errors.CONCURRENT_TRANSACTIONS, Errors.CONCURRENT_TRANSACTIONS),
                Map.entry(Errors.INVALID_PRODUCER_EPOCH, Errors.INVALID_PRODUCER_EPOCH),
                Map.entry(Errors.INVALID_TXN_STATE, Errors.INVALID_TXN_STATE),
                Map.entry(Errors.TRANSACTION_ABORTABLE, Errors.TRANSACTION_ABORTABLE));
        assertThat(asked).first().isEqualTo(offsets() + " txn-" + PRODUCER_A + " " + PRODUCER_A + " 3 v5");
        assertThat(log().logEndOffset()).as("nothing written").isZero();
        assertThat(fetch(0, true).errorCode()).as("no open transaction").isZero();
    }

    @Test
    void aMarkerWrittenWhileTheCoordinatorVerifiesThePartitionVoidsTheWrite() throws Exception {
        CompletableFuture<Void> coordinatorAnswer = new CompletableFuture<>();
        writer.verifyWith((partition, transactionalId, producerId, producerEpoch, version) -> {
            VerificationGuard guard = log().startTransactionVerification(producerId, producerEpoch, version >= 5);
            return coordinatorAnswer.thenApply(answered -> new CoordinatorPartitionWriter.TransactionVerification(
                    Errors.NONE, guard));
        });
        CompletableFuture<Short> commit = txnCommit(PRODUCER_A, (short) 0, (short) 4, 0, 10);
        // The coordinator aborts the producer's transaction in the offsets partition meanwhile (transaction protocol
        // v1: the marker keeps the epoch).
        assertThat(complete(PRODUCER_A, (short) 0, 0, false)).isEqualTo(Errors.NONE);
        long endBefore = log().logEndOffset();
        coordinatorAnswer.complete(null);
        assertThat(Errors.forCode(commit.get(10, TimeUnit.SECONDS))).isEqualTo(Errors.INVALID_TXN_STATE);
        assertThat(log().logEndOffset()).as("the offsets did not join a transaction that ended").isEqualTo(endBefore);

        // The producer retries: verified again, its offsets join the transaction and commit with it.
        writer.verifyWith(immediateVerifier());
        await().atMost(Duration.ofSeconds(10)).until(() -> txnCommit(PRODUCER_A, (short) 0, (short) 4, 0, 10)
                .get(10, TimeUnit.SECONDS) == Errors.NONE.code());
        assertThat(batches().get(batches().size() - 1).isTransactional()).isTrue();
        assertThat(complete(PRODUCER_A, (short) 0, 0, true)).isEqualTo(Errors.NONE);
        assertThat(committed(0)).isEqualTo(10);
    }

    @Test
    void onTransactionProtocol2ThePreviousTransactionsMarkerLeavesTheNextOnesVerificationLive() throws Exception {
        writer.verifyWith(immediateVerifier());
        assertThat(txnCommit(PRODUCER_A, (short) 0, (short) 5, 0, 10).get(10, TimeUnit.SECONDS)).isZero();
        // The client committed (EndTxn v5 bumped its epoch to 1) and already sends the next transaction's offsets,
        // whose verification starts before the previous transaction's marker, at epoch 1, is written.
        CompletableFuture<Void> coordinatorAnswer = new CompletableFuture<>();
        writer.verifyWith((partition, transactionalId, producerId, producerEpoch, version) -> {
            VerificationGuard guard = log().startTransactionVerification(producerId, producerEpoch, version >= 5);
            return coordinatorAnswer.thenApply(answered -> new CoordinatorPartitionWriter.TransactionVerification(
                    Errors.NONE, guard));
        });
        CompletableFuture<Short> next = txnCommit(PRODUCER_A, (short) 1, (short) 5, 0, 20);
        assertThat(complete(PRODUCER_A, (short) 1, 0, true)).isEqualTo(Errors.NONE);
        assertThat(committed(0)).isEqualTo(10);
        coordinatorAnswer.complete(null); // the coordinator added the partition once the marker was written
        assertThat(Errors.forCode(next.get(10, TimeUnit.SECONDS))).isEqualTo(Errors.NONE);
        assertThat(complete(PRODUCER_A, (short) 2, 0, true)).isEqualTo(Errors.NONE);
        assertThat(committed(0)).isEqualTo(20);
    }

    /** A coordinator that adds (or verifies) the partition at once: the partition's live guard. */
    private LogPartitionWriter.TransactionVerifier immediateVerifier() {
        return (partition, transactionalId, producerId, producerEpoch, version) -> CompletableFuture.completedFuture(
                new CoordinatorPartitionWriter.TransactionVerification(Errors.NONE,
                        log().startTransactionVerification(producerId, producerEpoch, version >= 5)));
    }
}
