package io.fjord.broker.coordinator.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fjord.broker.coordinator.group.GroupCoordinatorConfig;
import io.fjord.broker.coordinator.group.OffsetsPartitions;
import io.fjord.broker.coordinator.group.TopicIdResolver;
import io.fjord.broker.coordinator.group.TopicMetadataView;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.ConsumerGroupHeartbeatRequestData;
import io.fjord.protocol.message.ConsumerGroupHeartbeatResponseData;
import io.fjord.protocol.message.DescribeGroupsRequestData;
import io.fjord.protocol.message.DescribeGroupsResponseData;
import io.fjord.protocol.message.JoinGroupRequestData;
import io.fjord.protocol.message.JoinGroupResponseData;
import io.fjord.protocol.message.OffsetCommitRequestData;
import io.fjord.protocol.message.OffsetCommitResponseData;
import io.fjord.protocol.message.OffsetFetchRequestData;
import io.fjord.protocol.message.OffsetFetchResponseData;
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
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver against real offsets-partition logs: loading (COORDINATOR_LOAD_IN_PROGRESS meanwhile), NOT_COORDINATOR
 * for partitions not led, records written before replies and replayed by the next leader, deferred JoinGroup replies
 * released by timers or answered on resignation, and a failed append that makes the shard reload from the log.
 */
class GroupCoordinatorDriverTest {
    private static final int PARTITION = 0;
    private static final short JOIN_VERSION = 3; // no MEMBER_ID_REQUIRED round trip

    @TempDir
    Path directory;

    private LogManager logManager;
    private GroupCoordinatorDriver driver;
    private LogPartitionWriter writer;
    private final AtomicBoolean logMissing = new AtomicBoolean();
    private volatile CountDownLatch loadGate = new CountDownLatch(0);

    @BeforeEach
    void setUp() {
        logManager = new LogManager(LogManagerConfig.fromProperties(Map.of(LogManagerConfig.LOG_DIRS,
                directory.toString())), InstantSource.system());
        logManager.startup();
        logManager.getOrCreateLog(offsets(), logManager.config().defaultLogConfig());
        start(new GroupCoordinatorConfig(100, 60_000, 0, 100, 4_096, 86_400_000L, 600_000L, 300_000));
    }

    private void start(GroupCoordinatorConfig config) {
        start(config, OffsetsTopicConfig.COMMIT_TIMEOUT_MS_DEFAULT);
    }

    private void start(GroupCoordinatorConfig config, long commitTimeoutMs) {
        writer = new LogPartitionWriter(partition -> logMissing.get() ? Optional.empty()
                : logManager.getLog(partition));
        driver = new GroupCoordinatorDriver(config, new OffsetsTopicConfig(1, (short) 1, 100 * 1024 * 1024,
                CompressionType.LZ4, 1024, commitTimeoutMs), TopicIdResolver.NONE, partition -> {
                    try {
                        loadGate.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return logMissing.get() ? Optional.empty() : logManager.getLog(partition);
                }, writer, InstantSource.system());
        driver.start();
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

    private CompletableFuture<ApiMessage> commit(String groupId, long offset) {
        OffsetCommitRequestData request = new OffsetCommitRequestData().setGroupId(groupId)
                .setGenerationIdOrMemberEpoch(-1).setMemberId("");
        request.topics().add(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("orders")
                .setPartitions(new ArrayList<>(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                        .setPartitionIndex(0).setCommittedOffset(offset)))));
        return driver.submit(PARTITION, (short) 9, "client", "/127.0.0.1",
                (shard, context, nowMs) -> shard.offsetCommit(context, request, nowMs),
                error -> new OffsetCommitResponseData().setTopics(new ArrayList<>(List.of(
                        new OffsetCommitResponseData.OffsetCommitResponseTopic().setName("orders").setPartitions(
                                new ArrayList<>(List.of(new OffsetCommitResponseData.OffsetCommitResponsePartition()
                                        .setErrorCode(error.code()))))))));
    }

    private static short commitError(ApiMessage response) {
        return ((OffsetCommitResponseData) response).topics().get(0).partitions().get(0).errorCode();
    }

    /** The group's committed offset of orders-0 (-1 if none); throws if the fetch failed as a whole. */
    private long committed(String groupId) throws Exception {
        OffsetFetchRequestData request = new OffsetFetchRequestData().setGroupId(groupId).setTopics(new ArrayList<>(
                List.of(new OffsetFetchRequestData.OffsetFetchRequestTopic().setName("orders")
                        .setPartitionIndexes(new ArrayList<>(List.of(0))))));
        OffsetFetchResponseData response = (OffsetFetchResponseData) driver.read(PARTITION, (short) 6, "client",
                "/127.0.0.1", (shard, context, nowMs) -> shard.offsetFetch(context, request, nowMs),
                error -> new OffsetFetchResponseData().setErrorCode(error.code())).get(10, TimeUnit.SECONDS);
        assertThat(response.errorCode()).isZero();
        return response.topics().get(0).partitions().get(0).committedOffset();
    }

    private CompletableFuture<ApiMessage> join(String groupId, int sessionTimeoutMs) {
        JoinGroupRequestData request = new JoinGroupRequestData().setGroupId(groupId)
                .setSessionTimeoutMs(sessionTimeoutMs).setRebalanceTimeoutMs(60_000).setMemberId("")
                .setProtocolType("consumer");
        request.protocols().add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range")
                .setMetadata(new byte[] {1}));
        return driver.submit(PARTITION, JOIN_VERSION, "client", "/127.0.0.1",
                (shard, context, nowMs) -> shard.joinGroup(context, request, nowMs),
                error -> new JoinGroupResponseData().setErrorCode(error.code()));
    }

    private String groupState(String groupId) throws Exception {
        DescribeGroupsRequestData request = new DescribeGroupsRequestData().setGroups(new ArrayList<>(
                List.of(groupId)));
        DescribeGroupsResponseData response = (DescribeGroupsResponseData) driver.submit(PARTITION, (short) 5,
                "client", "/127.0.0.1", (shard, context, nowMs) -> shard.describeGroups(context, request, shard, nowMs),
                error -> new DescribeGroupsResponseData()).get(10, TimeUnit.SECONDS);
        return response.groups().get(0).groupState();
    }

    /** New groups then wait a minute for more members, so a first JoinGroup stays unanswered. */
    private void restartWithOneMinuteInitialDelay() {
        driver.close();
        start(new GroupCoordinatorConfig(100, 60_000, 60_000, 100, 4_096, 86_400_000L, 600_000L, 300_000));
        electAndAwaitLoaded(0);
    }

    @Test
    void aPartitionNotLedHereAnswersNotCoordinator() throws Exception {
        assertThat(commitError(commit("payments", 1).get(10, TimeUnit.SECONDS)))
                .isEqualTo(Errors.NOT_COORDINATOR.code());
    }

    @Test
    void aLoadingPartitionAnswersLoadInProgressUntilItIsLoaded() throws Exception {
        loadGate = new CountDownLatch(1);
        driver.onElected(PARTITION, 0);
        assertThat(commitError(commit("payments", 1).get(10, TimeUnit.SECONDS)))
                .isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS.code());
        loadGate.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> "ACTIVE".equals(driver.partitionStatuses().get(PARTITION)));
        assertThat(commitError(commit("payments", 1).get(10, TimeUnit.SECONDS))).isZero();
    }

    @Test
    void recordsAreWrittenBeforeTheReplyAndReplayedByTheNextLeader() throws Exception {
        electAndAwaitLoaded(0);
        long endBefore = log().logEndOffset();
        assertThat(commitError(commit("payments", 42).get(10, TimeUnit.SECONDS))).isZero();
        assertThat(log().logEndOffset()).isEqualTo(endBefore + 1);
        assertThat(log().highWatermark()).isEqualTo(log().logEndOffset());
        List<RecordBatch> batches = new ArrayList<>();
        RecordBatches.of(log().readAllFrom(0)).forEach(batches::add);
        assertThat(batches).hasSize(1);
        assertThat(batches.get(0).compressionType()).isEqualTo(CompressionType.LZ4);
        assertThat(batches.get(0).partitionLeaderEpoch()).isZero();

        driver.onResigned(PARTITION);
        assertThat(commitError(commit("payments", 43).get(10, TimeUnit.SECONDS)))
                .isEqualTo(Errors.NOT_COORDINATOR.code());
        electAndAwaitLoaded(1);
        assertThat(committed("payments")).isEqualTo(42);
    }

    @Test
    void aWaitingJoinGroupIsAnsweredNotCoordinatorWhenThePartitionMoves() throws Exception {
        restartWithOneMinuteInitialDelay();
        CompletableFuture<ApiMessage> waiting = join("slow", 10_000); // waits out a one-minute initial delay
        assertThat(groupState("slow")).isEqualTo("PreparingRebalance");
        assertThat(waiting).isNotDone();
        driver.onResigned(PARTITION);
        JoinGroupResponseData answered = (JoinGroupResponseData) waiting.get(10, TimeUnit.SECONDS);
        assertThat(answered.errorCode()).isEqualTo(Errors.NOT_COORDINATOR.code());
    }

    @Test
    void timersCompleteTheRebalanceAndExpireASilentMember() throws Exception {
        electAndAwaitLoaded(0);
        JoinGroupResponseData joined = (JoinGroupResponseData) join("quiet", 300).get(10, TimeUnit.SECONDS);
        assertThat(joined.errorCode()).isZero();
        assertThat(joined.generationId()).isEqualTo(1);
        assertThat(joined.leader()).isEqualTo(joined.memberId());
        // No SyncGroup, no heartbeat: the session timer removes the member and the group empties.
        await().atMost(Duration.ofSeconds(10)).until(() -> groupState("quiet").equals("Empty"));
    }

    @Test
    void aFailedAppendDropsTheShardAndReloadsItFromTheLog() throws Exception {
        electAndAwaitLoaded(0);
        assertThat(commitError(commit("payments", 7).get(10, TimeUnit.SECONDS))).isZero();
        logMissing.set(true);
        assertThat(commitError(commit("payments", 8).get(10, TimeUnit.SECONDS)))
                .isEqualTo(Errors.NOT_COORDINATOR.code());
        logMissing.set(false);
        // The reload (retried after a failed attempt while the log was missing) forgets the unwritten commit.
        await().atMost(Duration.ofSeconds(10)).until(() -> "ACTIVE".equals(driver.partitionStatuses().get(PARTITION)));
        assertThat(committed("payments")).isEqualTo(7);
    }

    @Test
    void shutdownAnswersWaitingRequestsAndRefusesNewOnes() throws Exception {
        restartWithOneMinuteInitialDelay();
        CompletableFuture<ApiMessage> waiting = join("slow", 10_000);
        driver.beginShutdown();
        assertThat(((JoinGroupResponseData) waiting.get(10, TimeUnit.SECONDS)).errorCode())
                .isEqualTo(Errors.NOT_COORDINATOR.code());
        assertThat(commitError(commit("payments", 1).get(10, TimeUnit.SECONDS)))
                .isEqualTo(Errors.NOT_COORDINATOR.code());
    }

    /** Waits until the driver thread ran everything queued before (its status snapshot runs on that thread). */
    private void awaitDriverIdle() {
        driver.partitionStatuses();
    }

    /** Reads (as OffsetFetch does) orders-0's offset for the group; the future's committed offset is -1 if none. */
    private CompletableFuture<ApiMessage> fetch(String groupId) {
        return driver.read(PARTITION, (short) 6, "client", "/127.0.0.1", offsetFetchCall(groupId),
                error -> new OffsetFetchResponseData().setErrorCode(error.code()));
    }

    /** The same OffsetFetch run as a write (as with require_stable): it waits for the writes before it. */
    private CompletableFuture<ApiMessage> stableFetch(String groupId) {
        return driver.submit(PARTITION, (short) 7, "client", "/127.0.0.1", offsetFetchCall(groupId),
                error -> new OffsetFetchResponseData().setErrorCode(error.code()));
    }

    private static ShardCall offsetFetchCall(String groupId) {
        OffsetFetchRequestData request = new OffsetFetchRequestData().setGroupId(groupId).setTopics(new ArrayList<>(
                List.of(new OffsetFetchRequestData.OffsetFetchRequestTopic().setName("orders")
                        .setPartitionIndexes(new ArrayList<>(List.of(0))))));
        return (shard, context, nowMs) -> shard.offsetFetch(context, request, nowMs);
    }

    private static long fetchedOffset(ApiMessage response) {
        OffsetFetchResponseData fetched = (OffsetFetchResponseData) response;
        assertThat(fetched.errorCode()).isZero();
        return fetched.topics().get(0).partitions().get(0).committedOffset();
    }

    /** The followers catch up and the replica manager announces the new high watermark. */
    private void replicate() {
        writer.replicateAll(offsets());
        driver.onPartitionChanged(offsets());
    }

    @Test
    void aCommitIsAnsweredOnlyOnceTheHighWatermarkPassesItsRecord() throws Exception {
        electAndAwaitLoaded(0);
        writer.holdHighWatermark();
        long endBefore = log().logEndOffset();
        CompletableFuture<ApiMessage> commit = commit("payments", 5);
        await().atMost(Duration.ofSeconds(10)).until(() -> log().logEndOffset() == endBefore + 1);
        awaitDriverIdle();
        assertThat(commit).isNotDone();
        // A notice for another topic, or one that finds the mark where it was, releases nothing.
        driver.onPartitionChanged(new TopicPartition("orders", 0));
        driver.onPartitionChanged(offsets());
        awaitDriverIdle();
        assertThat(commit).isNotDone();

        replicate();
        assertThat(commitError(commit.get(10, TimeUnit.SECONDS))).isZero();
    }

    @Test
    void aReadAnswersTheCommittedValueAtOnceWhileAWriteIsPendingAndTheWrittenValueOnceCommitted()
            throws Exception {
        electAndAwaitLoaded(0);
        assertThat(commitError(commit("payments", 4).get(10, TimeUnit.SECONDS))).isZero();
        writer.holdHighWatermark();
        CompletableFuture<ApiMessage> commit = commit("payments", 5);
        // Not behind the pending write, and not showing it: the state as of the last committed offset.
        assertThat(fetchedOffset(fetch("payments").get(10, TimeUnit.SECONDS))).isEqualTo(4);
        assertThat(commit).isNotDone();

        replicate();
        assertThat(commitError(commit.get(10, TimeUnit.SECONDS))).isZero();
        assertThat(fetchedOffset(fetch("payments").get(10, TimeUnit.SECONDS))).isEqualTo(5);
    }

    @Test
    void aStableReadWaitsForTheWritesBeforeIt() throws Exception {
        electAndAwaitLoaded(0);
        writer.holdHighWatermark();
        CompletableFuture<ApiMessage> commit = commit("payments", 5);
        CompletableFuture<ApiMessage> stable = stableFetch("payments");
        awaitDriverIdle();
        assertThat(commit).isNotDone();
        assertThat(stable).isNotDone();

        replicate();
        assertThat(commitError(commit.get(10, TimeUnit.SECONDS))).isZero();
        assertThat(fetchedOffset(stable.get(10, TimeUnit.SECONDS))).isEqualTo(5);
    }

    @Test
    void waitingRepliesGetNotCoordinatorWhenLeadershipIsLostAndTheNextLeaderAnswersOnceCommitted()
            throws Exception {
        electAndAwaitLoaded(0);
        writer.holdHighWatermark();
        CompletableFuture<ApiMessage> commit = commit("payments", 8);
        awaitDriverIdle();
        assertThat(commit).isNotDone();
        writer.follow();
        driver.onResigned(PARTITION);
        assertThat(commitError(commit.get(10, TimeUnit.SECONDS))).isEqualTo(Errors.NOT_COORDINATOR.code());

        // Leading again, the shard loads the uncommitted record too; reads see it only once it commits.
        writer.leadIn(1);
        electAndAwaitLoaded(1);
        assertThat(fetchedOffset(fetch("payments").get(10, TimeUnit.SECONDS))).isEqualTo(-1);
        CompletableFuture<ApiMessage> stable = stableFetch("payments");
        awaitDriverIdle();
        assertThat(stable).isNotDone();
        replicate();
        assertThat(fetchedOffset(stable.get(10, TimeUnit.SECONDS))).isEqualTo(8);
        assertThat(fetchedOffset(fetch("payments").get(10, TimeUnit.SECONDS))).isEqualTo(8);
    }

    @Test
    void repliesWhoseRecordsDoNotCommitInTimeGetCoordinatorNotAvailable() throws Exception {
        driver.close();
        start(new GroupCoordinatorConfig(100, 60_000, 0, 100, 4_096, 86_400_000L, 600_000L, 300_000), 100);
        electAndAwaitLoaded(0);
        writer.holdHighWatermark();
        assertThat(commitError(commit("payments", 9).get(10, TimeUnit.SECONDS)))
                .isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE.code());
        // As in Kafka the record stays in the log and the shard keeps it: it counts once it commits.
        replicate();
        assertThat(fetchedOffset(fetch("payments").get(10, TimeUnit.SECONDS))).isEqualTo(9);
    }

    @Test
    void aShardOfAnOlderLeaderEpochWritesNothingAndAnswersNotCoordinator() throws Exception {
        electAndAwaitLoaded(0);
        assertThat(commitError(commit("payments", 1).get(10, TimeUnit.SECONDS))).isZero();
        long endBefore = log().logEndOffset();
        writer.leadIn(1); // the partition moved on to epoch 1; the driver has not heard yet
        assertThat(commitError(commit("payments", 2).get(10, TimeUnit.SECONDS)))
                .isEqualTo(Errors.NOT_COORDINATOR.code());
        assertThat(log().logEndOffset()).isEqualTo(endBefore);
    }

    /** A fixed view of the topic orders with {@code partitions} partitions. */
    private static TopicMetadataView orders(int partitions) {
        java.util.UUID ordersId = new java.util.UUID(1, 1);
        return new TopicMetadataView() {
            @Override
            public String topicName(java.util.UUID topicId) {
                return ordersId.equals(topicId) ? "orders" : null;
            }

            @Override
            public java.util.UUID topicId(String topicName) {
                return "orders".equals(topicName) ? ordersId : null;
            }

            @Override
            public int partitionCount(java.util.UUID topicId) {
                return ordersId.equals(topicId) ? partitions : -1;
            }

            @Override
            public java.util.Collection<String> topicNames() {
                return List.of("orders");
            }

            @Override
            public long metadataVersion() {
                return partitions;
            }
        };
    }

    private ConsumerGroupHeartbeatResponseData consumerHeartbeat(String memberId, int memberEpoch,
            List<Integer> owned) throws Exception {
        ConsumerGroupHeartbeatRequestData request = new ConsumerGroupHeartbeatRequestData().setGroupId("kip848")
                .setMemberId(memberId).setMemberEpoch(memberEpoch);
        if (memberEpoch == 0) {
            request.setRebalanceTimeoutMs(30_000).setSubscribedTopicNames(new ArrayList<>(List.of("orders")));
        }
        if (owned != null) {
            request.setTopicPartitions(new ArrayList<>(owned.isEmpty() ? List.of() : List.of(
                    new ConsumerGroupHeartbeatRequestData.TopicPartitions().setTopicId(new java.util.UUID(1, 1))
                            .setPartitions(new ArrayList<>(owned)))));
        }
        ConsumerGroupHeartbeatResponseData response = (ConsumerGroupHeartbeatResponseData) driver.submit(PARTITION,
                (short) 1, "client", "/127.0.0.1",
                (shard, context, nowMs) -> shard.consumerGroupHeartbeat(context, request, nowMs),
                error -> new ConsumerGroupHeartbeatResponseData().setErrorCode(error.code()))
                .get(10, TimeUnit.SECONDS);
        assertThat(response.errorCode()).isZero();
        return response;
    }

    private static List<Integer> assigned(ConsumerGroupHeartbeatResponseData response) {
        return response.assignment() == null ? null : response.assignment().topicPartitions().stream()
                .flatMap(topic -> topic.partitions().stream()).sorted().toList();
    }

    @Test
    void topicChangesReachLoadedShardsAndShardsThatFinishLoadingLater() throws Exception {
        loadGate = new CountDownLatch(1);
        driver.onElected(PARTITION, 1);
        // The topics arrive while the partition loads: the shard gets them when it is ready.
        driver.onMetadataUpdate(orders(2));
        loadGate.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> "ACTIVE".equals(driver.partitionStatuses().get(PARTITION)));
        ConsumerGroupHeartbeatResponseData joined = consumerHeartbeat("member-a", 0, List.of());
        assertThat(assigned(joined)).containsExactly(0, 1);

        // More partitions: the group's epoch moves and the member is given the new one.
        driver.onMetadataUpdate(orders(3));
        ConsumerGroupHeartbeatResponseData grown = consumerHeartbeat("member-a", joined.memberEpoch(),
                List.of(0, 1));
        assertThat(grown.memberEpoch()).isGreaterThan(joined.memberEpoch());
        assertThat(assigned(grown)).containsExactly(0, 1, 2);
    }
}
