package io.fjord.broker.coordinator.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.coordinator.group.records.CoordinatorRecord;
import io.fjord.broker.coordinator.group.records.GroupKey;
import io.fjord.broker.coordinator.group.records.OffsetCommitKey;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.DeleteGroupsRequestData;
import io.fjord.protocol.message.DeleteGroupsResponseData;
import io.fjord.protocol.message.DescribeGroupsRequestData;
import io.fjord.protocol.message.DescribeGroupsResponseData;
import io.fjord.protocol.message.JoinGroupResponseData;
import io.fjord.protocol.message.ListGroupsRequestData;
import io.fjord.protocol.message.ListGroupsResponseData;
import io.fjord.protocol.message.OffsetCommitRequestData;
import io.fjord.protocol.message.OffsetCommitResponseData;
import io.fjord.protocol.message.OffsetDeleteRequestData;
import io.fjord.protocol.message.OffsetDeleteResponseData;
import io.fjord.protocol.message.OffsetFetchRequestData;
import io.fjord.protocol.message.OffsetFetchResponseData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Offsets (commit, fetch, delete, expiry) and the group admin APIs. */
class OffsetsAndAdminTest {
    private static final long RETENTION_MS = 60_000L;
    private static final long CHECK_INTERVAL_MS = 1_000L;
    private final GroupHarness harness = new GroupHarness(new GroupCoordinatorConfig(6_000, 1_800_000, 0,
            Integer.MAX_VALUE, 16, RETENTION_MS, CHECK_INTERVAL_MS, 300_000), 3);

    /** A one-member consumer group, Stable at generation 1, subscribed to "topic". */
    private String stableGroup(String groupId) {
        String memberId = harness.memberIdFor(groupId);
        long join = harness.join(groupId, memberId, null, List.of("topic"));
        harness.advance(1);
        assertThat(((JoinGroupResponseData) harness.reply(join)).generationId()).isEqualTo(1);
        harness.sync(groupId, memberId, null, 1, Map.of(memberId, GroupHarness.assignment(List.of(0))));
        return memberId;
    }

    private OffsetFetchResponseData fetch(short version, String groupId, List<Integer> partitionsOrAll) {
        OffsetFetchRequestData request = new OffsetFetchRequestData();
        OffsetFetchRequestData.OffsetFetchRequestGroup group =
                new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId(groupId);
        if (partitionsOrAll == null) {
            group.setTopics(null);
        } else {
            group.topics().add(new OffsetFetchRequestData.OffsetFetchRequestTopics().setName("topic")
                    .setPartitionIndexes(new ArrayList<>(partitionsOrAll)));
        }
        request.groups().add(group);
        return harness.reply(harness.call(version, context -> harness.shard.offsetFetch(context, request,
                harness.nowMs)));
    }

    @Test
    void membersCommitWithTheirGenerationAndSimpleCommitsNeedAnEmptyGroup() {
        String memberId = stableGroup("g");
        assertThat(harness.commit((short) 9, "g", memberId, 1, "topic", 0, 10)).isEqualTo(Errors.NONE.code());
        assertThat(harness.commit((short) 9, "g", memberId, 0, "topic", 0, 11))
                .isEqualTo(Errors.ILLEGAL_GENERATION.code());
        assertThat(harness.commit((short) 9, "g", "stranger", 1, "topic", 0, 11))
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        assertThat(harness.commit((short) 9, "g", "", -1, "topic", 0, 11))
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        assertThat(harness.commit((short) 9, "missing", "m", 1, "topic", 0, 11))
                .isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
        assertThat(harness.commit((short) 8, "missing", "m", 1, "topic", 0, 11))
                .isEqualTo(Errors.ILLEGAL_GENERATION.code());
        assertThat(harness.commit((short) 9, "simple", "", -1, "topic", 1, 99)).isEqualTo(Errors.NONE.code());
        assertThat(harness.shard.group("simple")).isNotNull();

        OffsetFetchResponseData.OffsetFetchResponseGroup fetched = fetch((short) 9, "g", List.of(0, 1)).groups().get(0);
        assertThat(fetched.topics().get(0).partitions()).extracting(p -> p.committedOffset())
                .containsExactly(10L, -1L);
        OffsetFetchResponseData.OffsetFetchResponseGroup all = fetch((short) 9, "simple", null).groups().get(0);
        assertThat(all.topics()).singleElement().satisfies(topic -> {
            assertThat(topic.name()).isEqualTo("topic");
            assertThat(topic.partitions()).singleElement().satisfies(p -> {
                assertThat(p.partitionIndex()).isEqualTo(1);
                assertThat(p.committedOffset()).isEqualTo(99L);
            });
        });
        OffsetFetchResponseData old = harness.reply(harness.call((short) 7, context -> harness.shard.offsetFetch(
                context, new OffsetFetchRequestData().setGroupId("unknown").setTopics(new ArrayList<>(List.of(
                        new OffsetFetchRequestData.OffsetFetchRequestTopic().setName("topic")
                                .setPartitionIndexes(new ArrayList<>(List.of(0)))))), harness.nowMs)));
        assertThat(old.topics().get(0).partitions().get(0).committedOffset()).isEqualTo(-1L);
    }

    /** Found by the protocol fuzzer: an empty topic name used to throw inside the shard (and reload it). */
    @Test
    void anEmptyTopicNameHasNoCommittedOffsetsAtEveryVersion() {
        assertThat(harness.commit((short) 9, "simple", "", -1, "topic", 0, 5)).isEqualTo(Errors.NONE.code());
        OffsetFetchRequestData request = new OffsetFetchRequestData();
        OffsetFetchRequestData.OffsetFetchRequestGroup group =
                new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("simple");
        group.topics().add(new OffsetFetchRequestData.OffsetFetchRequestTopics().setName("")
                .setPartitionIndexes(new ArrayList<>(List.of(0))));
        request.groups().add(group);
        OffsetFetchResponseData response = harness.reply(harness.call((short) 9,
                context -> harness.shard.offsetFetch(context, request, harness.nowMs)));
        assertThat(response.groups().get(0).topics().get(0).partitions()).singleElement().satisfies(partition -> {
            assertThat(partition.committedOffset()).isEqualTo(-1L);
            assertThat(partition.errorCode()).isEqualTo(Errors.NONE.code());
        });
        OffsetFetchResponseData old = harness.reply(harness.call((short) 7, context -> harness.shard.offsetFetch(
                context, new OffsetFetchRequestData().setGroupId("simple").setTopics(new ArrayList<>(List.of(
                        new OffsetFetchRequestData.OffsetFetchRequestTopic().setName("")
                                .setPartitionIndexes(new ArrayList<>(List.of(0)))))), harness.nowMs)));
        assertThat(old.topics().get(0).partitions().get(0).committedOffset()).isEqualTo(-1L);
        // The shard kept its state: the real offset is still there.
        assertThat(fetch((short) 9, "simple", List.of(0)).groups().get(0).topics().get(0).partitions().get(0)
                .committedOffset()).isEqualTo(5L);
    }

    @Test
    void metadataLargerThanTheLimitIsRefused() {
        OffsetCommitRequestData request = new OffsetCommitRequestData().setGroupId("simple")
                .setGenerationIdOrMemberEpoch(-1).setMemberId("");
        OffsetCommitRequestData.OffsetCommitRequestTopic topic =
                new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("t");
        topic.partitions().add(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                .setPartitionIndex(0).setCommittedOffset(1).setCommittedMetadata("x".repeat(17)));
        request.topics().add(topic);
        OffsetCommitResponseData response = harness.reply(harness.call((short) 9,
                context -> harness.shard.offsetCommit(context, request, harness.nowMs)));
        assertThat(response.topics().get(0).partitions().get(0).errorCode())
                .isEqualTo(Errors.OFFSET_METADATA_TOO_LARGE.code());
        assertThat(harness.log).isEmpty();
        assertThat(harness.shard.group("simple")).isNull();
    }

    @Test
    void offsetsOfASimpleGroupExpireFromTheirCommitTimeAndTheGroupGoes() {
        harness.commit((short) 9, "simple", "", -1, "topic", 0, 5);
        harness.advance(RETENTION_MS / 2);
        harness.commit((short) 9, "simple", "", -1, "topic", 1, 6);
        harness.advance(RETENTION_MS / 2);
        assertThat(harness.shard.durableState().offsets().get("simple")).hasSize(1);
        assertThat(harness.log.get(harness.log.size() - 1))
                .isEqualTo(CoordinatorRecord.tombstone(new OffsetCommitKey("simple", "topic", 0)));
        harness.advance(RETENTION_MS / 2);
        assertThat(harness.shard.group("simple")).isNull();
        assertThat(harness.log.get(harness.log.size() - 1))
                .isEqualTo(CoordinatorRecord.tombstone(GroupKey.groupMetadata("simple")));
        assertThat(harness.replayedCopy(5).durableState()).isEqualTo(harness.shard.durableState());
    }

    @Test
    void offsetsOfAnEmptyConsumerGroupExpireFromWhenItBecameEmpty() {
        String memberId = stableGroup("g");
        harness.commit((short) 9, "g", memberId, 1, "topic", 0, 10);
        harness.commit((short) 9, "g", memberId, 1, "other", 0, 10);
        // While the member is there, offsets of subscribed topics stay; others expire by commit time.
        for (long elapsed = 0; elapsed < RETENTION_MS * 2; elapsed += 2_000) {
            harness.advance(2_000);
            harness.heartbeat("g", memberId, null, 1);
        }
        assertThat(harness.shard.durableState().offsets().get("g")).containsOnlyKeys(
                new io.fjord.storage.TopicPartition("topic", 0));
        harness.leave("g", memberId, null);
        long emptySince = harness.nowMs;
        harness.advance(RETENTION_MS - CHECK_INTERVAL_MS);
        assertThat(harness.shard.durableState().offsets().get("g")).hasSize(1);
        harness.advance(CHECK_INTERVAL_MS * 2);
        assertThat(harness.nowMs - emptySince).isGreaterThanOrEqualTo(RETENTION_MS);
        assertThat(harness.shard.durableState().offsets()).doesNotContainKey("g");
        assertThat(harness.shard.group("g")).isNull();
    }

    @Test
    void offsetDeleteRefusesSubscribedTopicsAndNonEmptyOtherGroups() {
        String memberId = stableGroup("g");
        harness.commit((short) 9, "g", memberId, 1, "topic", 0, 10);
        harness.commit((short) 9, "g", memberId, 1, "other", 0, 10);
        OffsetDeleteRequestData request = new OffsetDeleteRequestData().setGroupId("g");
        for (String topic : List.of("topic", "other")) {
            OffsetDeleteRequestData.OffsetDeleteRequestTopic requestTopic =
                    new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName(topic);
            requestTopic.partitions().add(new OffsetDeleteRequestData.OffsetDeleteRequestPartition()
                    .setPartitionIndex(0));
            request.topics().add(requestTopic);
        }
        OffsetDeleteResponseData response = harness.reply(harness.call((short) 0,
                context -> harness.shard.offsetDelete(context, request, harness.nowMs)));
        assertThat(response.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(response.topics().get(0).partitions().get(0).errorCode())
                .isEqualTo(Errors.GROUP_SUBSCRIBED_TO_TOPIC.code());
        assertThat(response.topics().get(1).partitions().get(0).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(harness.shard.durableState().offsets().get("g")).hasSize(1);
        OffsetDeleteResponseData missing = harness.reply(harness.call((short) 0, context -> harness.shard
                .offsetDelete(context, new OffsetDeleteRequestData().setGroupId("missing"), harness.nowMs)));
        assertThat(missing.errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
    }

    @Test
    void listDescribeAndDeleteGroups() {
        String memberId = stableGroup("busy");
        harness.commit((short) 9, "idle", "", -1, "topic", 0, 1);
        ListGroupsResponseData all = harness.reply(harness.call((short) 5,
                context -> harness.shard.listGroups(context, new ListGroupsRequestData(), harness.shard,
                        harness.nowMs)));
        assertThat(all.groups()).extracting(ListGroupsResponseData.ListedGroup::groupId)
                .containsExactly("busy", "idle");
        ListGroupsResponseData stable = harness.reply(harness.call((short) 5, context -> harness.shard.listGroups(
                context, new ListGroupsRequestData().setStatesFilter(new ArrayList<>(List.of("stable")))
                        .setTypesFilter(new ArrayList<>(List.of("Classic"))), harness.shard, harness.nowMs)));
        assertThat(stable.groups()).singleElement().satisfies(group -> {
            assertThat(group.groupId()).isEqualTo("busy");
            assertThat(group.protocolType()).isEqualTo("consumer");
            assertThat(group.groupState()).isEqualTo("Stable");
            assertThat(group.groupType()).isEqualTo("classic");
        });

        DescribeGroupsResponseData described = harness.reply(harness.call((short) 6, context -> harness.shard
                .describeGroups(context, new DescribeGroupsRequestData().setGroups(new ArrayList<>(
                        List.of("busy", "nope"))), harness.shard, harness.nowMs)));
        assertThat(described.groups().get(0).groupState()).isEqualTo("Stable");
        assertThat(described.groups().get(0).protocolData()).isEqualTo("range");
        assertThat(described.groups().get(0).members()).singleElement().satisfies(member -> {
            assertThat(member.memberId()).isEqualTo(memberId);
            assertThat(GroupHarness.partitions(member.memberAssignment())).containsExactly(0);
        });
        assertThat(described.groups().get(1).errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
        DescribeGroupsResponseData old = harness.reply(harness.call((short) 5, context -> harness.shard
                .describeGroups(context, new DescribeGroupsRequestData().setGroups(new ArrayList<>(
                        List.of("nope"))), harness.shard, harness.nowMs)));
        assertThat(old.groups().get(0).groupState()).isEqualTo("Dead");
        assertThat(old.groups().get(0).errorCode()).isEqualTo(Errors.NONE.code());

        DeleteGroupsResponseData deleted = harness.reply(harness.call((short) 2, context -> harness.shard
                .deleteGroups(context, new DeleteGroupsRequestData().setGroupsNames(new ArrayList<>(
                        List.of("busy", "idle", "nope"))), harness.nowMs)));
        assertThat(deleted.results()).extracting(DeleteGroupsResponseData.DeletableGroupResult::errorCode)
                .containsExactly(Errors.NON_EMPTY_GROUP.code(), Errors.NONE.code(), Errors.GROUP_ID_NOT_FOUND.code());
        assertThat(harness.shard.group("idle")).isNull();
        assertThat(harness.log.subList(harness.log.size() - 2, harness.log.size())).containsExactly(
                CoordinatorRecord.tombstone(new OffsetCommitKey("idle", "topic", 0)),
                CoordinatorRecord.tombstone(GroupKey.groupMetadata("idle")));
        assertThat(harness.replayedCopy(8).durableState()).isEqualTo(harness.shard.durableState());
    }
}
