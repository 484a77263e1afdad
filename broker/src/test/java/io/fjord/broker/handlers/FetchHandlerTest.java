package io.fjord.broker.handlers;

import static io.fjord.broker.handlers.HandlerFixture.baseOffsets;
import static io.fjord.broker.handlers.HandlerFixture.release;
import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.delayed.DelayedOperationPurgatory;
import io.fjord.broker.delayed.ManualClock;
import io.fjord.broker.fetch.FetchManager;
import io.fjord.broker.fetch.FetchSessionCache;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.BufferRecords;
import io.fjord.protocol.message.FetchRequestData;
import io.fjord.protocol.message.FetchResponseData;
import io.fjord.protocol.message.FileRegionRecords;
import io.fjord.storage.TopicPartition;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FetchHandlerTest {
    private static final short VERSION_BY_NAME = 12;
    private static final short LATEST_VERSION = 18;

    @TempDir
    Path directory;

    private final ManualClock clock = new ManualClock(1_000_000L);
    private HandlerFixture fixture;
    private DelayedOperationPurgatory<DelayedFetch> purgatory;
    private FetchHandler handler;

    private FetchHandler handler(int fetchMaxBytes) {
        purgatory = new DelayedOperationPurgatory<>("Fetch", clock);
        // A direct executor: reads run on the calling thread, so the tests decide when everything happens.
        handler = new FetchHandler(fixture.cache(), new PartitionReader(fixture.cache(), fixture::findLog,
                fixture.countingReader()), new FetchManager(new FetchSessionCache(10, clock)), purgatory,
                Runnable::run, fetchMaxBytes);
        return handler;
    }

    private FetchHandler handler() {
        return handler(55 * 1024 * 1024);
    }

    @AfterEach
    void close() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static FetchRequestData request(int maxWaitMs, int minBytes, int maxBytes) {
        return new FetchRequestData().setReplicaId(-1).setMaxWaitMs(maxWaitMs).setMinBytes(minBytes)
                .setMaxBytes(maxBytes).setSessionEpoch(-1);
    }

    private static FetchRequestData.FetchPartition partition(int index, long fetchOffset, int maxBytes) {
        return new FetchRequestData.FetchPartition().setPartition(index).setFetchOffset(fetchOffset)
                .setPartitionMaxBytes(maxBytes).setCurrentLeaderEpoch(-1).setLogStartOffset(-1);
    }

    private static FetchRequestData withTopic(FetchRequestData request, String topic, UUID topicId,
            FetchRequestData.FetchPartition... partitions) {
        request.topics().add(new FetchRequestData.FetchTopic().setTopic(topic).setTopicId(topicId)
                .setPartitions(new ArrayList<>(List.of(partitions))));
        return request;
    }

    private CompletableFuture<ApiMessage> send(FetchRequestData request, short version) {
        return handler.handle(null, new DecodedRequest(ApiKey.FETCH, version, 1, "test", (short) 2, request, 0))
                .toCompletableFuture();
    }

    private static FetchResponseData response(CompletableFuture<ApiMessage> future) throws Exception {
        return (FetchResponseData) future.get(10, TimeUnit.SECONDS);
    }

    private static FetchResponseData.PartitionData only(FetchResponseData response) {
        assertThat(response.responses()).hasSize(1);
        assertThat(response.responses().get(0).partitions()).hasSize(1);
        return response.responses().get(0).partitions().get(0);
    }

    private static void releaseAll(FetchResponseData response) {
        response.responses().forEach(topic -> topic.partitions().forEach(data -> release(data.records())));
    }

    @Test
    void readsBatchesFromTheFetchOffsetAsZeroCopyRegions() throws Exception {
        fixture = new HandlerFixture(directory);
        UUID topicId = fixture.topic("orders", 1);
        fixture.append("orders", 0, 1_000, "a", "b", "c");
        fixture.append("orders", 0, 2_000, "d", "e");
        fixture.append("orders", 0, 3_000, "f");
        handler();

        FetchResponseData response = response(send(withTopic(request(0, 1, 1 << 20), "orders", topicId,
                partition(0, 4, 1 << 20)), LATEST_VERSION));

        FetchResponseData.PartitionData data = only(response);
        assertThat(response.responses().get(0).topicId()).isEqualTo(topicId);
        assertThat(data.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(data.highWatermark()).isEqualTo(6);
        assertThat(data.lastStableOffset()).isEqualTo(6);
        assertThat(data.logStartOffset()).isZero();
        assertThat(data.abortedTransactions()).isNull();
        assertThat(data.preferredReadReplica()).isEqualTo(-1);
        assertThat(data.records()).isInstanceOf(FileRegionRecords.class);
        // The batch holding offset 4 starts at 3; the client skips the records before its offset.
        assertThat(baseOffsets(data.records())).containsExactly(3L, 5L);
        assertThat(fixture.slicesNotReleased()).isEqualTo(1);
        release(data.records());
        release(data.records());
        assertThat(fixture.slicesNotReleased()).isZero();
        assertThat(fixture.slicesReleased.get()).isEqualTo(fixture.slicesOpen.get());
    }

    @Test
    void readsAtTheLogEndComeFromTheLogsMemoryAndHoldNoFileOpen() throws Exception {
        fixture = new HandlerFixture(directory);
        fixture.passesCachedBytes = true;
        UUID topicId = fixture.topic("orders", 1);
        fixture.append("orders", 0, 1_000, "a", "b", "c");
        fixture.append("orders", 0, 2_000, "d", "e");
        handler();

        FetchResponseData response = response(send(withTopic(request(0, 1, 1 << 20), "orders", topicId,
                partition(0, 3, 1 << 20)), LATEST_VERSION));

        FetchResponseData.PartitionData data = only(response);
        assertThat(data.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(data.records()).isInstanceOf(BufferRecords.class);
        assertThat(baseOffsets(data.records())).containsExactly(3L);
        assertThat(fixture.slicesOpen.get()).isEqualTo(1);
        assertThat(fixture.slicesNotReleased()).as("released as soon as read: the bytes are not the file's").isZero();
    }

    @Test
    void readCommittedAnswersAnEmptyAbortedTransactionListAndNothingAboveTheHighWatermark() throws Exception {
        fixture = new HandlerFixture(directory);
        fixture.topic("orders", 1);
        fixture.append("orders", 0, 1_000, "a", "b");
        fixture.log("orders", 0).appendAsLeader(HandlerFixture.batch(2_000, "unreplicated"), 5);
        handler();

        FetchRequestData request = withTopic(request(0, 1, 1 << 20).setIsolationLevel((byte) 1), "orders", null,
                partition(0, 0, 1 << 20));
        FetchResponseData.PartitionData data = only(response(send(request, VERSION_BY_NAME)));

        assertThat(data.abortedTransactions()).isEmpty();
        assertThat(data.highWatermark()).isEqualTo(2);
        assertThat(baseOffsets(data.records())).containsExactly(0L);
        release(data.records());
    }

    private static FetchRequestData asReplica(FetchRequestData request, int replicaId, short version) {
        if (version >= FetchManager.FIRST_REPLICA_STATE_VERSION) {
            return request.setReplicaState(new FetchRequestData.ReplicaState().setReplicaId(replicaId)
                    .setReplicaEpoch(-1));
        }
        return request.setReplicaId(replicaId);
    }

    @Test
    void aClientPosingAsAReplicaIsRefusedAndNegativeIdsReadAsConsumers() throws Exception {
        fixture = new HandlerFixture(directory);
        UUID topicId = fixture.topic("orders", 1);
        fixture.append("orders", 0, 1_000, "a", "b");
        // Above the high watermark: what a follower fetch would have leaked.
        fixture.log("orders", 0).appendAsLeader(HandlerFixture.batch(2_000, "unreplicated"), 5);
        handler();

        for (short version : new short[] {4, VERSION_BY_NAME, 14, 15, LATEST_VERSION}) {
            for (int replicaId : new int[] {HandlerFixture.NODE_ID, 2, 1000, Integer.MAX_VALUE}) {
                FetchRequestData request = asReplica(withTopic(request(0, 1, 1 << 20), "orders", topicId,
                        partition(0, 0, 1 << 20)), replicaId, version);
                FetchResponseData.PartitionData data = only(response(send(request, version)));
                assertThat(data.errorCode()).as("replica %d at v%d", replicaId, version)
                        .isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER.code());
                assertThat(data.highWatermark()).isEqualTo(-1);
                assertThat(data.records().sizeInBytes()).isZero();
            }
            for (int replicaId : new int[] {-1, -2, -3}) {
                FetchRequestData request = asReplica(withTopic(request(0, 1, 1 << 20), "orders", topicId,
                        partition(0, 0, 1 << 20)), replicaId, version);
                FetchResponseData.PartitionData data = only(response(send(request, version)));
                assertThat(data.errorCode()).isEqualTo(Errors.NONE.code());
                assertThat(data.highWatermark()).isEqualTo(2);
                assertThat(baseOffsets(data.records())).as("replica %d at v%d", replicaId, version)
                        .containsExactly(0L);
                release(data.records());
            }
        }
        assertThat(fixture.slicesNotReleased()).isZero();
    }

    @Test
    void aFollowerInTheReplicaSetReadsToTheLogEndAsInKafka() throws Exception {
        fixture = new HandlerFixture(directory);
        UUID topicId = fixture.topic("orders", 1);
        fixture.append("orders", 0, 1_000, "a", "b");
        fixture.log("orders", 0).appendAsLeader(HandlerFixture.batch(2_000, "unreplicated"), 5);
        // Not reachable on a single node (no other broker can be in a replica set); the rule replication will use.
        TreeMap<Integer, PartitionImage> partitions = new TreeMap<>();
        partitions.put(0, new PartitionImage(0, List.of(HandlerFixture.NODE_ID, 2),
                List.of(HandlerFixture.NODE_ID, 2), HandlerFixture.NODE_ID, HandlerFixture.LEADER_EPOCH, 0));
        fixture.topicImage(new TopicImage("orders", topicId, partitions));
        handler();

        FetchResponseData.PartitionData follower = only(response(send(asReplica(withTopic(request(0, 1, 1 << 20),
                "orders", topicId, partition(0, 0, 1 << 20)), 2, LATEST_VERSION), LATEST_VERSION)));
        assertThat(follower.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(baseOffsets(follower.records())).containsExactly(0L, 2L);
        release(follower.records());
        FetchResponseData.PartitionData stranger = only(response(send(asReplica(withTopic(request(0, 1, 1 << 20),
                "orders", topicId, partition(0, 0, 1 << 20)), 3, LATEST_VERSION), LATEST_VERSION)));
        assertThat(stranger.errorCode()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER.code());
        assertThat(fixture.slicesNotReleased()).isZero();
    }

    @Test
    void theFirstBatchMayExceedTheLimitsAndLaterPartitionsShareWhatIsLeft() throws Exception {
        fixture = new HandlerFixture(directory);
        fixture.topic("big", 3);
        int batchBytes = fixture.appendSized("big", 0, 10, 2_000);
        fixture.appendSized("big", 0, 10, 2_000);
        fixture.appendSized("big", 1, 10, 2_000);
        fixture.appendSized("big", 2, 10, 2_000);
        handler();

        // Partition 0 has a budget of 100 bytes but returns its first batch whole; nothing is left for the others.
        FetchResponseData tight = response(send(withTopic(request(0, 1, 100), "big", null, partition(0, 0, 100),
                partition(1, 0, 100), partition(2, 0, 100)), VERSION_BY_NAME));
        List<FetchResponseData.PartitionData> partitions = tight.responses().get(0).partitions();
        assertThat(partitions.get(0).records().sizeInBytes()).isEqualTo(batchBytes);
        assertThat(partitions.get(1).records().sizeInBytes()).isZero();
        assertThat(partitions.get(2).records().sizeInBytes()).isZero();
        releaseAll(tight);

        // With room, each partition obeys its own limit, and the last one gets what the response budget leaves.
        int responseBudget = batchBytes + 1_500 + 700;
        FetchResponseData shared = response(send(withTopic(request(0, 1, responseBudget), "big", null,
                partition(0, 0, batchBytes), partition(1, 0, 1_500), partition(2, 0, 1_500)), VERSION_BY_NAME));
        partitions = shared.responses().get(0).partitions();
        assertThat(partitions.get(0).records().sizeInBytes()).isEqualTo(batchBytes);
        assertThat(partitions.get(1).records().sizeInBytes()).isEqualTo(1_500);
        assertThat(partitions.get(2).records().sizeInBytes()).isEqualTo(700);
        releaseAll(shared);
        assertThat(fixture.slicesNotReleased()).isZero();
    }

    @Test
    void theBrokerFetchMaxBytesCapsTheRequest() throws Exception {
        fixture = new HandlerFixture(directory);
        fixture.topic("big", 2);
        int batchBytes = fixture.appendSized("big", 0, 10, 2_000);
        fixture.appendSized("big", 1, 10, 2_000);
        handler(batchBytes + 300);

        FetchResponseData response = response(send(withTopic(request(0, 1, Integer.MAX_VALUE), "big", null,
                partition(0, 0, 1 << 20), partition(1, 0, 1 << 20)), VERSION_BY_NAME));
        List<FetchResponseData.PartitionData> partitions = response.responses().get(0).partitions();
        assertThat(partitions.get(0).records().sizeInBytes()).isEqualTo(batchBytes);
        assertThat(partitions.get(1).records().sizeInBytes()).isEqualTo(300);
        releaseAll(response);
    }

    @Test
    void aLongPollCompletesAsSoonAsAnAppendBringsEnoughBytes() throws Exception {
        fixture = new HandlerFixture(directory);
        fixture.topic("orders", 2);
        fixture.append("orders", 0, 1_000, "a");
        handler();

        CompletableFuture<ApiMessage> pending = send(withTopic(request(30_000, 500, 1 << 20), "orders", null,
                partition(0, 1, 1 << 20), partition(1, 0, 1 << 20)), VERSION_BY_NAME);
        assertThat(pending).isNotDone();
        assertThat(purgatory.delayedCount()).isEqualTo(1);
        assertThat(fixture.slicesNotReleased()).isZero();

        fixture.append("orders", 1, 2_000, "small");
        handler.onPartitionChanged(new TopicPartition("orders", 1));
        assertThat(pending).as("a few bytes are not minBytes").isNotDone();
        assertThat(fixture.slicesNotReleased()).as("the check released what it read").isZero();

        fixture.appendSized("orders", 0, 5, 1_000);
        handler.onPartitionChanged(new TopicPartition("orders", 0));
        FetchResponseData response = response(pending);
        List<FetchResponseData.PartitionData> partitions = response.responses().get(0).partitions();
        assertThat(baseOffsets(partitions.get(0).records())).containsExactly(1L);
        assertThat(baseOffsets(partitions.get(1).records())).containsExactly(0L);
        assertThat(purgatory.delayedCount()).isZero();
        assertThat(fixture.slicesNotReleased()).isEqualTo(2);
        releaseAll(response);
        assertThat(fixture.slicesNotReleased()).isZero();
    }

    @Test
    void aLongPollCompletedByAnAppendIsAnsweredOnTheAppendersThreadWithTheReadThatSatisfiedIt() throws Exception {
        fixture = new HandlerFixture(directory);
        fixture.topic("orders", 1);
        fixture.append("orders", 0, 1_000, "a");
        List<Runnable> handedOff = new ArrayList<>();
        purgatory = new DelayedOperationPurgatory<>("Fetch", clock);
        // An executor that only collects: an answer that needed it would stay pending.
        handler = new FetchHandler(fixture.cache(), new PartitionReader(fixture.cache(), fixture::findLog,
                fixture.countingReader()), new FetchManager(new FetchSessionCache(10, clock)), purgatory,
                handedOff::add, 55 * 1024 * 1024);

        CompletableFuture<ApiMessage> pending = send(withTopic(request(30_000, 1, 1 << 20), "orders", null,
                partition(0, 1, 1 << 20)), VERSION_BY_NAME);
        assertThat(pending).isNotDone();

        fixture.append("orders", 0, 2_000, "b");
        handler.onPartitionChanged(new TopicPartition("orders", 0));

        // Kafka answers a waiting (follower) fetch as soon as the leader appends: no second read on another thread.
        assertThat(pending).as("answered by the appender's call").isDone();
        assertThat(handedOff).isEmpty();
        FetchResponseData.PartitionData data = only(response(pending));
        assertThat(baseOffsets(data.records())).containsExactly(1L);
        assertThat(fixture.slicesNotReleased()).as("only the answered read is held").isEqualTo(1);
        release(data.records());
        assertThat(fixture.slicesNotReleased()).isZero();
        assertThat(purgatory.delayedCount()).isZero();
    }

    @Test
    void aLongPollAnswersWhatIsThereAtItsTimeout() throws Exception {
        fixture = new HandlerFixture(directory);
        fixture.topic("orders", 1);
        fixture.append("orders", 0, 1_000, "a");
        handler();

        CompletableFuture<ApiMessage> pending = send(withTopic(request(500, 1 << 20, 1 << 20), "orders", null,
                partition(0, 0, 1 << 20)), VERSION_BY_NAME);
        purgatory.advanceClock(clock.advance(499));
        assertThat(pending).isNotDone();
        assertThat(fixture.slicesNotReleased()).isZero();

        purgatory.advanceClock(clock.advance(1));
        FetchResponseData.PartitionData data = only(response(pending));
        assertThat(data.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(baseOffsets(data.records())).containsExactly(0L);
        release(data.records());
        assertThat(fixture.slicesNotReleased()).isZero();
    }

    @Test
    void anOffsetOutOfRangeCarriesTheLogOffsetsSoTheClientCanReset() throws Exception {
        fixture = new HandlerFixture(directory);
        fixture.topic("orders", 1);
        fixture.append("orders", 0, 1_000, "a", "b", "c");
        handler();

        FetchResponseData.PartitionData data = only(response(send(withTopic(request(500, 1, 1 << 20), "orders",
                null, partition(0, 100, 1 << 20)), VERSION_BY_NAME)));

        assertThat(data.errorCode()).isEqualTo(Errors.OFFSET_OUT_OF_RANGE.code());
        assertThat(data.highWatermark()).isEqualTo(3);
        assertThat(data.logStartOffset()).isZero();
        assertThat(data.records().sizeInBytes()).isZero();
        assertThat(purgatory.delayedCount()).as("an error answers at once").isZero();
    }

    @Test
    void unknownTopicsPartitionsAndIdsAreAnsweredWithTheirErrors() throws Exception {
        fixture = new HandlerFixture(directory);
        UUID topicId = fixture.topic("orders", 1);
        handler();

        FetchRequestData byName = withTopic(request(0, 1, 1 << 20), "missing", null, partition(0, 0, 1 << 20));
        withTopic(byName, "orders", null, partition(7, 0, 1 << 20));
        FetchResponseData named = response(send(byName, VERSION_BY_NAME));
        assertThat(named.responses()).extracting(topic -> topic.partitions().get(0).errorCode())
                .containsExactly(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), Errors.UNKNOWN_TOPIC_OR_PARTITION.code());

        FetchRequestData byId = withTopic(request(0, 1, 1 << 20), "", UUID.randomUUID(), partition(0, 0, 1 << 20));
        withTopic(byId, "", topicId, partition(0, 0, 1 << 20));
        FetchResponseData identified = response(send(byId, LATEST_VERSION));
        assertThat(identified.responses()).extracting(topic -> topic.partitions().get(0).errorCode())
                .containsExactly(Errors.UNKNOWN_TOPIC_ID.code(), Errors.NONE.code());
    }

    @Test
    void leadershipAndLeaderEpochsAreChecked() throws Exception {
        fixture = new HandlerFixture(directory);
        fixture.topic("elsewhere", 1, 2);
        fixture.topic("orders", 1);
        fixture.append("orders", 0, 1_000, "a");
        handler();

        assertThat(only(response(send(withTopic(request(0, 1, 1 << 20), "elsewhere", null,
                partition(0, 0, 1 << 20)), VERSION_BY_NAME))).errorCode())
                .isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER.code());
        assertThat(only(response(send(withTopic(request(0, 1, 1 << 20), "orders", null,
                partition(0, 0, 1 << 20).setCurrentLeaderEpoch(HandlerFixture.LEADER_EPOCH - 1)),
                VERSION_BY_NAME))).errorCode()).isEqualTo(Errors.FENCED_LEADER_EPOCH.code());
        assertThat(only(response(send(withTopic(request(0, 1, 1 << 20), "orders", null,
                partition(0, 0, 1 << 20).setCurrentLeaderEpoch(HandlerFixture.LEADER_EPOCH + 1)),
                VERSION_BY_NAME))).errorCode()).isEqualTo(Errors.UNKNOWN_LEADER_EPOCH.code());
        FetchResponseData.PartitionData current = only(response(send(withTopic(request(0, 1, 1 << 20), "orders",
                null, partition(0, 0, 1 << 20).setCurrentLeaderEpoch(HandlerFixture.LEADER_EPOCH)),
                VERSION_BY_NAME)));
        assertThat(current.errorCode()).isEqualTo(Errors.NONE.code());
        release(current.records());
        assertThat(fixture.slicesNotReleased()).isZero();
    }

    @Test
    void anIncrementalFetchAnswersOnlyThePartitionsThatChanged() throws Exception {
        fixture = new HandlerFixture(directory);
        fixture.topic("orders", 2);
        fixture.append("orders", 0, 1_000, "a");
        fixture.append("orders", 1, 1_000, "b");
        handler();

        FetchRequestData full = withTopic(request(0, 1, 1 << 20).setSessionEpoch(0), "orders", null,
                partition(0, 0, 1 << 20), partition(1, 0, 1 << 20));
        FetchResponseData first = response(send(full, VERSION_BY_NAME));
        assertThat(first.sessionId()).isNotZero();
        assertThat(first.responses().get(0).partitions()).hasSize(2);
        releaseAll(first);

        fixture.append("orders", 1, 2_000, "c");
        FetchRequestData incremental = withTopic(request(0, 1, 1 << 20).setSessionId(first.sessionId())
                .setSessionEpoch(1), "orders", null, partition(0, 1, 1 << 20), partition(1, 1, 1 << 20));
        FetchResponseData second = response(send(incremental, VERSION_BY_NAME));
        assertThat(second.sessionId()).isEqualTo(first.sessionId());
        FetchResponseData.PartitionData changed = only(second);
        assertThat(changed.partitionIndex()).isEqualTo(1);
        assertThat(baseOffsets(changed.records())).containsExactly(1L);
        releaseAll(second);

        FetchResponseData wrongEpoch = response(send(request(0, 1, 1 << 20).setSessionId(first.sessionId())
                .setSessionEpoch(7), VERSION_BY_NAME));
        assertThat(wrongEpoch.errorCode()).isEqualTo(Errors.INVALID_FETCH_SESSION_EPOCH.code());
        assertThat(fixture.slicesNotReleased()).isZero();
    }

    @Test
    void aStartedHandlerExpiresAndCompletesLongPollsOnItsOwnThreads() throws Exception {
        fixture = new HandlerFixture(directory);
        fixture.topic("orders", 1);
        java.util.concurrent.ExecutorService readers = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            try (FetchHandler started = FetchHandler.start(fixture.cache(), fixture::findLog,
                    new FetchHandler.Settings(1 << 20, 10), java.time.InstantSource.system(), readers)) {
                handler = started;
                FetchResponseData expired = response(send(withTopic(request(100, 1, 1 << 20), "orders", null,
                        partition(0, 0, 1 << 20)), VERSION_BY_NAME));
                assertThat(only(expired).records().sizeInBytes()).isZero();

                CompletableFuture<ApiMessage> waiting = send(withTopic(request(60_000, 1, 1 << 20), "orders", null,
                        partition(0, 0, 1 << 20)), VERSION_BY_NAME);
                fixture.append("orders", 0, 1_000, "a");
                started.onPartitionChanged(new TopicPartition("orders", 0));
                FetchResponseData.PartitionData data = only(response(waiting));
                assertThat(baseOffsets(data.records())).containsExactly(0L);
                release(data.records());
            }
        } finally {
            readers.shutdownNow();
        }
    }

    @Test
    void aShutdownAnswersWaitingFetchesAtOnceAndParksNoMore() throws Exception {
        fixture = new HandlerFixture(directory);
        fixture.topic("orders", 1);
        handler();
        CompletableFuture<ApiMessage> waiting = send(withTopic(request(30_000, 1, 1 << 20), "orders", null,
                partition(0, 0, 1 << 20)), VERSION_BY_NAME);
        assertThat(waiting).isNotDone();

        handler.beginShutdown();
        assertThat(only(response(waiting)).errorCode()).isEqualTo(Errors.NONE.code());
        CompletableFuture<ApiMessage> later = send(withTopic(request(30_000, 1, 1 << 20), "orders", null,
                partition(0, 0, 1 << 20)), VERSION_BY_NAME);
        assertThat(later).isDone();
        assertThat(purgatory.delayedCount()).isZero();
    }
}
