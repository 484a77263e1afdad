package io.fjord.broker.handlers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fjord.broker.coordinator.driver.GroupCoordinatorDriver;
import io.fjord.broker.coordinator.driver.ImageTopicIds;
import io.fjord.broker.coordinator.driver.LogPartitionWriter;
import io.fjord.broker.coordinator.driver.OffsetsTopicConfig;
import io.fjord.broker.coordinator.group.GroupCoordinatorConfig;
import io.fjord.broker.coordinator.group.OffsetsPartitions;
import io.fjord.broker.network.RequestContext;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ConsumerGroupDescribeRequestData;
import io.fjord.protocol.message.ConsumerGroupDescribeResponseData;
import io.fjord.protocol.message.ConsumerGroupHeartbeatRequestData;
import io.fjord.protocol.message.ConsumerGroupHeartbeatResponseData;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.DeleteGroupsRequestData;
import io.fjord.protocol.message.DeleteGroupsResponseData;
import io.fjord.protocol.message.DescribeGroupsRequestData;
import io.fjord.protocol.message.DescribeGroupsResponseData;
import io.fjord.protocol.message.JoinGroupRequestData;
import io.fjord.protocol.message.JoinGroupResponseData;
import io.fjord.protocol.message.ListGroupsRequestData;
import io.fjord.protocol.message.ListGroupsResponseData;
import io.fjord.protocol.message.OffsetCommitRequestData;
import io.fjord.protocol.message.OffsetCommitResponseData;
import io.fjord.protocol.message.OffsetFetchRequestData;
import io.fjord.protocol.message.OffsetFetchResponseData;
import io.fjord.protocol.message.SyncGroupRequestData;
import io.fjord.protocol.message.SyncGroupResponseData;
import io.fjord.protocol.records.CompressionType;
import io.fjord.storage.TopicPartition;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The group handlers over a running driver with three offsets partitions: commits for missing topics answered before
 * the coordinator, multi-group requests split by shard and merged in request order, ListGroups over every shard.
 */
class GroupHandlersTest {
    private static final int OFFSETS_PARTITIONS = 3;
    private static final RequestContext CONTEXT = new RequestContext(1, "PLAINTEXT",
            new InetSocketAddress("127.0.0.1", 40_000), 0);

    @TempDir
    Path directory;

    private HandlerFixture fixture;
    private GroupCoordinatorDriver driver;
    private LogPartitionWriter writer;
    private final Map<ApiKey, ApiHandler> handlers = new EnumMap<>(ApiKey.class);

    @BeforeEach
    void setUp() {
        fixture = new HandlerFixture(directory);
        fixture.topic("orders", 2);
        fixture.topic(OffsetsPartitions.TOPIC, OFFSETS_PARTITIONS);
        driver = new GroupCoordinatorDriver(GroupCoordinatorConfig.defaults(), new OffsetsTopicConfig(
                OFFSETS_PARTITIONS, (short) 1, 1024 * 1024, CompressionType.NONE, 1024,
                OffsetsTopicConfig.COMMIT_TIMEOUT_MS_DEFAULT), new ImageTopicIds(fixture.cache()), fixture::findLog,
                writer = new LogPartitionWriter(fixture::findLog), InstantSource.system());
        driver.start();
        for (int partition = 0; partition < OFFSETS_PARTITIONS; partition++) {
            driver.onElected(partition, HandlerFixture.LEADER_EPOCH);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> driver.partitionStatuses().values().stream()
                .filter("ACTIVE"::equals).count() == OFFSETS_PARTITIONS);
        GroupHandlers.register(handlers, fixture.cache(), driver,
                request -> CompletableFuture.failedFuture(new AssertionError("the topic exists")), true);
    }

    @AfterEach
    void tearDown() {
        driver.close();
        fixture.close();
    }

    private ApiMessage send(ApiKey apiKey, int version, ApiMessage body) throws Exception {
        return sendAsync(apiKey, version, body).get(10, TimeUnit.SECONDS);
    }

    private CompletableFuture<ApiMessage> sendAsync(ApiKey apiKey, int version, ApiMessage body) {
        return handlers.get(apiKey).handle(CONTEXT, new DecodedRequest(apiKey, (short) version, 1, "test", (short) 2,
                body, 0)).toCompletableFuture();
    }

    /** Group ids on each offsets partition: {@code groups.get(p)} all hash to partition p. */
    private static List<List<String>> groupsByPartition(int perPartition) {
        List<List<String>> groups = new ArrayList<>();
        for (int partition = 0; partition < OFFSETS_PARTITIONS; partition++) {
            groups.add(new ArrayList<>());
        }
        for (int index = 0; groups.stream().anyMatch(list -> list.size() < perPartition); index++) {
            List<String> list = groups.get(OffsetsPartitions.partitionFor("g" + index, OFFSETS_PARTITIONS));
            if (list.size() < perPartition) {
                list.add("g" + index);
            }
        }
        return groups;
    }

    private OffsetCommitResponseData commit(String groupId, String topic, int partition, long offset)
            throws Exception {
        OffsetCommitRequestData request = new OffsetCommitRequestData().setGroupId(groupId)
                .setGenerationIdOrMemberEpoch(-1).setMemberId("");
        request.topics().add(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(topic).setPartitions(
                new ArrayList<>(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                        .setPartitionIndex(partition).setCommittedOffset(offset)))));
        return (OffsetCommitResponseData) send(ApiKey.OFFSET_COMMIT, 9, request);
    }

    @Test
    void commitsToMissingTopicsOrPartitionsAreRefusedBeforeTheCoordinator() throws Exception {
        OffsetCommitRequestData request = new OffsetCommitRequestData().setGroupId("g").setGenerationIdOrMemberEpoch(-1)
                .setMemberId("");
        request.topics().add(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("orders").setPartitions(
                new ArrayList<>(List.of(
                        new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(1)
                                .setCommittedOffset(3),
                        new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(7)
                                .setCommittedOffset(3)))));
        request.topics().add(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("missing").setPartitions(
                new ArrayList<>(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                        .setPartitionIndex(0).setCommittedOffset(3)))));
        OffsetCommitResponseData response = (OffsetCommitResponseData) send(ApiKey.OFFSET_COMMIT, 9, request);
        Map<String, Short> errors = new java.util.TreeMap<>();
        response.topics().forEach(topic -> topic.partitions().forEach(partition ->
                errors.put(topic.name() + "-" + partition.partitionIndex(), partition.errorCode())));
        assertThat(errors).containsExactly(Map.entry("missing-0", Errors.UNKNOWN_TOPIC_OR_PARTITION.code()),
                Map.entry("orders-1", Errors.NONE.code()),
                Map.entry("orders-7", Errors.UNKNOWN_TOPIC_OR_PARTITION.code()));

        OffsetCommitResponseData onlyMissing = commit("g", "missing", 0, 1);
        assertThat(onlyMissing.topics()).hasSize(1);
        assertThat(onlyMissing.topics().get(0).partitions().get(0).errorCode())
                .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
    }

    private static OffsetFetchRequestData fetchOrders0(String groupId, boolean requireStable) {
        OffsetFetchRequestData request = new OffsetFetchRequestData().setRequireStable(requireStable);
        request.groups().add(new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId(groupId).setTopics(
                new ArrayList<>(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopics().setName("orders")
                        .setPartitionIndexes(new ArrayList<>(List.of(0)))))));
        return request;
    }

    private static long fetchedOffset(ApiMessage response) {
        OffsetFetchResponseData.OffsetFetchResponseGroup group = ((OffsetFetchResponseData) response).groups().get(0);
        assertThat(group.errorCode()).isZero();
        return group.topics().get(0).partitions().get(0).committedOffset();
    }

    @Test
    void offsetFetchAnswersTheCommittedOffsetAtOnceAndWithRequireStableWaitsForThePendingCommit()
            throws Exception {
        assertThat(commit("g", "orders", 0, 4).topics().get(0).partitions().get(0).errorCode()).isZero();
        writer.holdHighWatermark();
        CompletableFuture<ApiMessage> pending = sendAsync(ApiKey.OFFSET_COMMIT, 9, new OffsetCommitRequestData()
                .setGroupId("g").setGenerationIdOrMemberEpoch(-1).setMemberId("").setTopics(new ArrayList<>(List.of(
                        new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("orders").setPartitions(
                                new ArrayList<>(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                                        .setPartitionIndex(0).setCommittedOffset(5))))))));
        // The committed value, at once: not the pending 5, and not behind it.
        assertThat(fetchedOffset(send(ApiKey.OFFSET_FETCH, 9, fetchOrders0("g", false)))).isEqualTo(4);
        CompletableFuture<ApiMessage> stable = sendAsync(ApiKey.OFFSET_FETCH, 9, fetchOrders0("g", true));
        assertThat(pending).isNotDone();
        assertThat(stable).isNotDone();

        TopicPartition shard = new TopicPartition(OffsetsPartitions.TOPIC,
                OffsetsPartitions.partitionFor("g", OFFSETS_PARTITIONS));
        writer.replicateAll(shard);
        driver.onPartitionChanged(shard);
        assertThat(((OffsetCommitResponseData) pending.get(10, TimeUnit.SECONDS)).topics().get(0).partitions().get(0)
                .errorCode()).isZero();
        assertThat(fetchedOffset(stable.get(10, TimeUnit.SECONDS))).isEqualTo(5);
        assertThat(fetchedOffset(send(ApiKey.OFFSET_FETCH, 9, fetchOrders0("g", false)))).isEqualTo(5);
    }

    @Test
    void multiGroupRequestsAreSplitByShardAndMergedInRequestOrder() throws Exception {
        List<List<String>> byPartition = groupsByPartition(2);
        List<String> interleaved = new ArrayList<>();
        for (int index = 0; index < 2; index++) {
            for (List<String> groups : byPartition) {
                interleaved.add(groups.get(index));
            }
        }
        for (int index = 0; index < interleaved.size(); index++) {
            assertThat(commit(interleaved.get(index), "orders", 0, 100 + index).topics().get(0).partitions().get(0)
                    .errorCode()).isZero();
        }
        List<String> requested = new ArrayList<>(interleaved);
        java.util.Collections.reverse(requested);
        requested.add("unknown-group");

        OffsetFetchRequestData fetch = new OffsetFetchRequestData();
        for (String groupId : requested) {
            fetch.groups().add(new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId(groupId)
                    .setTopics(null));
        }
        OffsetFetchResponseData fetched = (OffsetFetchResponseData) send(ApiKey.OFFSET_FETCH, 9, fetch);
        assertThat(fetched.groups()).extracting(OffsetFetchResponseData.OffsetFetchResponseGroup::groupId)
                .containsExactlyElementsOf(requested);
        for (OffsetFetchResponseData.OffsetFetchResponseGroup group : fetched.groups()) {
            assertThat(group.errorCode()).isZero();
            if (!group.groupId().equals("unknown-group")) {
                assertThat(group.topics().get(0).partitions().get(0).committedOffset())
                        .isEqualTo(100 + interleaved.indexOf(group.groupId()));
            } else {
                assertThat(group.topics()).isEmpty();
            }
        }

        DescribeGroupsResponseData described = (DescribeGroupsResponseData) send(ApiKey.DESCRIBE_GROUPS, 5,
                new DescribeGroupsRequestData().setGroups(new ArrayList<>(requested)));
        assertThat(described.groups()).extracting(DescribeGroupsResponseData.DescribedGroup::groupId)
                .containsExactlyElementsOf(requested);

        ListGroupsResponseData listed = (ListGroupsResponseData) send(ApiKey.LIST_GROUPS, 4,
                new ListGroupsRequestData());
        assertThat(listed.errorCode()).isZero();
        assertThat(listed.groups()).extracting(ListGroupsResponseData.ListedGroup::groupId)
                .containsExactlyInAnyOrderElementsOf(interleaved);

        DeleteGroupsResponseData deleted = (DeleteGroupsResponseData) send(ApiKey.DELETE_GROUPS, 2,
                new DeleteGroupsRequestData().setGroupsNames(new ArrayList<>(requested)));
        assertThat(deleted.results()).extracting(DeleteGroupsResponseData.DeletableGroupResult::groupId)
                .containsExactlyElementsOf(requested);
        assertThat(deleted.results()).allSatisfy(result -> assertThat(result.errorCode()).isEqualTo(
                result.groupId().equals("unknown-group") ? Errors.GROUP_ID_NOT_FOUND.code() : Errors.NONE.code()));
        assertThat(((ListGroupsResponseData) send(ApiKey.LIST_GROUPS, 4, new ListGroupsRequestData())).groups())
                .isEmpty();
    }

    @Test
    void requestsForAShardThatMovedAwayAnswerNotCoordinatorPerGroup() throws Exception {
        List<List<String>> byPartition = groupsByPartition(1);
        driver.onResigned(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> !driver.partitionStatuses().containsKey(1));
        DescribeGroupsResponseData described = (DescribeGroupsResponseData) send(ApiKey.DESCRIBE_GROUPS, 5,
                new DescribeGroupsRequestData().setGroups(new ArrayList<>(List.of(byPartition.get(0).get(0),
                        byPartition.get(1).get(0)))));
        assertThat(described.groups().get(0).errorCode()).isNotEqualTo(Errors.NOT_COORDINATOR.code());
        assertThat(described.groups().get(1).errorCode()).isEqualTo(Errors.NOT_COORDINATOR.code());
        assertThat(((ListGroupsResponseData) send(ApiKey.LIST_GROUPS, 4, new ListGroupsRequestData())).errorCode())
                .isZero();
    }

    private ConsumerGroupHeartbeatResponseData joinConsumerGroup(String groupId) throws Exception {
        return (ConsumerGroupHeartbeatResponseData) send(ApiKey.CONSUMER_GROUP_HEARTBEAT, 1,
                new ConsumerGroupHeartbeatRequestData().setGroupId(groupId).setMemberId("member-" + groupId)
                        .setMemberEpoch(0).setRebalanceTimeoutMs(30_000)
                        .setSubscribedTopicNames(new ArrayList<>(List.of("orders")))
                        .setTopicPartitions(new ArrayList<>()));
    }

    @Test
    void consumerGroupsJoinOnTheirShardAndAreDescribedInRequestOrder() throws Exception {
        List<List<String>> byPartition = groupsByPartition(1);
        List<String> requested = new ArrayList<>();
        for (List<String> groups : byPartition) {
            ConsumerGroupHeartbeatResponseData joined = joinConsumerGroup(groups.get(0));
            assertThat(joined.errorCode()).isZero();
            assertThat(joined.memberEpoch()).isPositive();
            assertThat(joined.heartbeatIntervalMs()).as("a new group settles: the settling interval").isEqualTo(500);
            requested.add(0, groups.get(0));
        }
        requested.add(1, "unknown-group");
        ConsumerGroupDescribeResponseData described = (ConsumerGroupDescribeResponseData) send(
                ApiKey.CONSUMER_GROUP_DESCRIBE, 1,
                new ConsumerGroupDescribeRequestData().setGroupIds(new ArrayList<>(requested)));
        assertThat(described.groups()).extracting(ConsumerGroupDescribeResponseData.DescribedGroup::groupId)
                .containsExactlyElementsOf(requested);
        assertThat(described.groups()).allSatisfy(group -> {
            if (group.groupId().equals("unknown-group")) {
                assertThat(group.errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
            } else {
                assertThat(group.errorCode()).isZero();
                assertThat(group.members()).hasSize(1);
                assertThat(group.members().get(0).assignment().topicPartitions()).hasSize(1);
            }
        });
    }

    @Test
    void withoutTheConsumerProtocolBothApisAnswerUnsupportedVersionAsKafka() throws Exception {
        Map<ApiKey, ApiHandler> classicOnly = new java.util.EnumMap<>(ApiKey.class);
        GroupHandlers.register(classicOnly, fixture.cache(), driver,
                request -> CompletableFuture.failedFuture(new AssertionError("the topic exists")), false);
        handlers.clear();
        handlers.putAll(classicOnly);
        assertThat(joinConsumerGroup("g").errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
        ConsumerGroupDescribeResponseData described = (ConsumerGroupDescribeResponseData) send(
                ApiKey.CONSUMER_GROUP_DESCRIBE, 0,
                new ConsumerGroupDescribeRequestData().setGroupIds(new ArrayList<>(List.of("a", "b"))));
        assertThat(described.groups()).extracting(group -> group.groupId() + ":" + group.errorCode())
                .containsExactly("a:" + Errors.UNSUPPORTED_VERSION.code(), "b:" + Errors.UNSUPPORTED_VERSION.code());
    }

    /** The followers of {@code groupId}'s offsets partition catch up: the high watermark reaches the log end. */
    private void replicate(String groupId) {
        TopicPartition shard = new TopicPartition(OffsetsPartitions.TOPIC,
                OffsetsPartitions.partitionFor(groupId, OFFSETS_PARTITIONS));
        writer.replicateAll(shard);
        driver.onPartitionChanged(shard);
    }

    private List<String> listedGroups() throws Exception {
        ListGroupsResponseData listed = (ListGroupsResponseData) send(ApiKey.LIST_GROUPS, 5,
                new ListGroupsRequestData());
        assertThat(listed.errorCode()).isZero();
        return listed.groups().stream().map(group -> group.groupId() + ":" + group.groupType() + ":"
                + group.groupState()).toList();
    }

    private DescribeGroupsResponseData.DescribedGroup describeGroup(String groupId) throws Exception {
        return ((DescribeGroupsResponseData) send(ApiKey.DESCRIBE_GROUPS, 5,
                new DescribeGroupsRequestData().setGroups(new ArrayList<>(List.of(groupId))))).groups().get(0);
    }

    @Test
    void aConsumerGroupWhoseJoinIsNotCommittedIsNeitherListedNorDescribedUntilItCommits() throws Exception {
        assertThat(commit("committed", "orders", 0, 1).topics().get(0).partitions().get(0).errorCode()).isZero();
        writer.holdHighWatermark();
        CompletableFuture<ApiMessage> join = sendAsync(ApiKey.CONSUMER_GROUP_HEARTBEAT, 1,
                new ConsumerGroupHeartbeatRequestData().setGroupId("joining").setMemberId("member-1")
                        .setMemberEpoch(0).setRebalanceTimeoutMs(30_000)
                        .setSubscribedTopicNames(new ArrayList<>(List.of("orders")))
                        .setTopicPartitions(new ArrayList<>()));

        // Answered at once from the state as of the last committed offset, not behind the pending join.
        assertThat(listedGroups()).containsExactly("committed:classic:Empty");
        ConsumerGroupDescribeResponseData described = (ConsumerGroupDescribeResponseData) send(
                ApiKey.CONSUMER_GROUP_DESCRIBE, 1,
                new ConsumerGroupDescribeRequestData().setGroupIds(new ArrayList<>(List.of("joining"))));
        assertThat(described.groups().get(0).errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
        assertThat(join).isNotDone();

        replicate("joining");
        assertThat(((ConsumerGroupHeartbeatResponseData) join.get(10, TimeUnit.SECONDS)).errorCode()).isZero();
        assertThat(listedGroups()).containsExactlyInAnyOrder("committed:classic:Empty", "joining:consumer:Stable");
    }

    @Test
    void aClassicGroupIsShownOnlyOnceItsRecordCommitsAndThenInItsLiveRebalanceState() throws Exception {
        writer.holdHighWatermark();
        JoinGroupRequestData join = new JoinGroupRequestData().setGroupId("classic").setMemberId("")
                .setSessionTimeoutMs(30_000).setRebalanceTimeoutMs(30_000).setProtocolType("consumer");
        join.protocols().add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range")
                .setMetadata(new byte[] {1}));
        // A group created by JoinGroup is recorded at once (Kafka's empty GroupMetadata); the answer waits for it.
        CompletableFuture<ApiMessage> first = sendAsync(ApiKey.JOIN_GROUP, 5, join);
        // Kafka reads which groups exist at the last committed offset: none yet, answered at once.
        assertThat(describeGroup("classic").groupState()).isEqualTo("Dead");
        assertThat(listedGroups()).isEmpty();
        assertThat(first).isNotDone();

        replicate("classic");
        JoinGroupResponseData required = (JoinGroupResponseData) first.get(10, TimeUnit.SECONDS);
        assertThat(required.errorCode()).isEqualTo(Errors.MEMBER_ID_REQUIRED.code());
        assertThat(listedGroups()).containsExactly("classic:classic:Empty");

        // The first generation, after group.initial.rebalance.delay.ms, writes no record: its state, which no
        // record holds, is the live group's, as in Kafka.
        JoinGroupResponseData joined = (JoinGroupResponseData) send(ApiKey.JOIN_GROUP, 5,
                join.setMemberId(required.memberId()));
        assertThat(joined.errorCode()).isZero();
        assertThat(describeGroup("classic").groupState()).isEqualTo("CompletingRebalance");
        assertThat(listedGroups()).containsExactly("classic:classic:CompletingRebalance");

        CompletableFuture<ApiMessage> sync = sendAsync(ApiKey.SYNC_GROUP, 3, new SyncGroupRequestData()
                .setGroupId("classic").setGenerationId(joined.generationId()).setMemberId(joined.memberId())
                .setAssignments(new ArrayList<>(List.of(new SyncGroupRequestData.SyncGroupRequestAssignment()
                        .setMemberId(joined.memberId()).setAssignment(new byte[] {7})))));
        assertThat(describeGroup("classic").groupState()).isNotEqualTo("Dead");
        replicate("classic");
        assertThat(((SyncGroupResponseData) sync.get(10, TimeUnit.SECONDS)).errorCode()).isZero();
        DescribeGroupsResponseData.DescribedGroup stable = describeGroup("classic");
        assertThat(stable.groupState()).isEqualTo("Stable");
        assertThat(stable.members()).extracting(DescribeGroupsResponseData.DescribedGroupMember::memberId)
                .containsExactly(joined.memberId());
        assertThat(listedGroups()).containsExactly("classic:classic:Stable");
    }
}
