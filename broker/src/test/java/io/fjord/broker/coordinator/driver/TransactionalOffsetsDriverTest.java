package io.fjord.broker.coordinator.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fjord.broker.coordinator.group.GroupCoordinatorConfig;
import io.fjord.broker.coordinator.group.OffsetsPartitions;
import io.fjord.broker.coordinator.group.TopicIdResolver;
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
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactional offset commits through the runtime against a real offsets-partition log: transactional batches with
 * the producer's id and epoch, markers written in order with the group's writes, the committed view that shows an
 * offset only once its COMMIT marker is committed, the partition's fencing of stale producer and coordinator epochs,
 * and a new leader's load of interleaved transactional batches and markers (a transaction without a marker stays
 * pending).
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
        TxnOffsetCommitRequestData request = new TxnOffsetCommitRequestData().setTransactionalId("txn-" + producerId)
                .setGroupId("group").setProducerId(producerId).setProducerEpoch(producerEpoch)
                .setGenerationIdOrMemberEpoch(-1).setMemberId("");
        request.topics().add(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic().setName("orders")
                .setPartitions(new ArrayList<>(List.of(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition()
                        .setPartitionIndex(partition).setCommittedOffset(offset)))));
        ApiMessage response = driver.submitTransactional(PARTITION, producerId, producerEpoch, (short) 4, "client",
                "/127.0.0.1", (shard, context, nowMs) -> shard.txnOffsetCommit(context, request, nowMs),
                error -> new TxnOffsetCommitResponseData().setTopics(new ArrayList<>(List.of(
                        new TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic().setName("orders")
                                .setPartitions(new ArrayList<>(List.of(
                                        new TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition()
                                                .setErrorCode(error.code())))))))).get(10, TimeUnit.SECONDS);
        return ((TxnOffsetCommitResponseData) response).topics().get(0).partitions().get(0).errorCode();
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
}
