package io.fjord.broker.coordinator.group;

import static io.fjord.broker.coordinator.group.ConsumerGroupHeartbeatTest.assertReplayEqual;
import static io.fjord.broker.coordinator.group.ConsumerGroupHeartbeatTest.settle;
import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.Errors;
import io.fjord.protocol.message.DeleteGroupsRequestData;
import io.fjord.protocol.message.DeleteGroupsResponseData;
import io.fjord.protocol.message.DescribeGroupsRequestData;
import io.fjord.protocol.message.DescribeGroupsResponseData;
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
import org.junit.jupiter.api.Test;

/** KIP-848 groups through the shared APIs: ListGroups, DescribeGroups, DeleteGroups, offsets and their expiry. */
class ConsumerGroupAdminAndOffsetsTest {
    private static final String GROUP = "g";

    private final ConsumerGroupHarness h = new ConsumerGroupHarness(TestTopics.of("foo", 2, "bar", 2));

    private short commit(short version, String memberId, int epoch, String topic, int partition) {
        OffsetCommitRequestData request = new OffsetCommitRequestData().setGroupId(GROUP).setMemberId(memberId)
                .setGenerationIdOrMemberEpoch(epoch);
        OffsetCommitRequestData.OffsetCommitRequestTopic requestTopic =
                new OffsetCommitRequestData.OffsetCommitRequestTopic();
        if (version >= 10) {
            requestTopic.setTopicId(TestTopics.id(topic));
        } else {
            requestTopic.setName(topic);
        }
        requestTopic.partitions().add(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                .setPartitionIndex(partition).setCommittedOffset(42L));
        request.topics().add(requestTopic);
        OffsetCommitResponseData response = h.call(version, context -> h.shard.offsetCommit(context, request,
                h.nowMs));
        return response.topics().get(0).partitions().get(0).errorCode();
    }

    private OffsetFetchResponseData.OffsetFetchResponseGroup fetch(String memberId, int epoch) {
        OffsetFetchRequestData request = new OffsetFetchRequestData();
        request.groups().add(new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId(GROUP)
                .setMemberId(memberId).setMemberEpoch(epoch).setTopics(null));
        OffsetFetchResponseData response = h.call((short) 9, context -> h.shard.offsetFetch(context, request,
                h.nowMs));
        return response.groups().get(0);
    }

    private ListGroupsResponseData list(List<String> states, List<String> types) {
        return h.call((short) 5, context -> h.shard.listGroups(context, new ListGroupsRequestData()
                .setStatesFilter(new ArrayList<>(states)).setTypesFilter(new ArrayList<>(types)), h.shard, h.nowMs));
    }

    private short delete(String groupId) {
        DeleteGroupsResponseData response = h.call((short) 2, context -> h.shard.deleteGroups(context,
                new DeleteGroupsRequestData().setGroupsNames(new ArrayList<>(List.of(groupId))), h.nowMs));
        return response.results().get(0).errorCode();
    }

    @Test
    void listGroupsShowsConsumerGroupsWithTheirTypeAndStateAndFiltersOnBoth() {
        h.join(GROUP, "a", "foo");
        ListGroupsResponseData all = list(List.of(), List.of());
        assertThat(all.groups()).hasSize(1);
        ListGroupsResponseData.ListedGroup listed = all.groups().get(0);
        assertThat(listed.groupId()).isEqualTo(GROUP);
        assertThat(listed.protocolType()).isEqualTo("consumer");
        assertThat(listed.groupType()).isEqualTo("consumer");
        assertThat(listed.groupState()).isEqualTo("Stable");

        assertThat(list(List.of("stable"), List.of("Consumer")).groups()).hasSize(1);
        assertThat(list(List.of("Empty"), List.of()).groups()).isEmpty();
        assertThat(list(List.of(), List.of("classic")).groups()).isEmpty();
    }

    @Test
    void describeGroupsAnswersGroupIdNotFoundForAConsumerGroupAsKafkaDoes() {
        h.join(GROUP, "a", "foo");
        DescribeGroupsResponseData v5 = h.call((short) 5, context -> h.shard.describeGroups(context,
                new DescribeGroupsRequestData().setGroups(new ArrayList<>(List.of(GROUP))), h.shard, h.nowMs));
        DescribeGroupsResponseData v6 = h.call((short) 6, context -> h.shard.describeGroups(context,
                new DescribeGroupsRequestData().setGroups(new ArrayList<>(List.of(GROUP))), h.shard, h.nowMs));
        assertThat(v5.groups().get(0).groupState()).isEqualTo("Dead");
        assertThat(v5.groups().get(0).errorCode()).isZero();
        assertThat(v6.groups().get(0).errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
    }

    @Test
    void deleteGroupsRefusesAGroupWithMembersAndDeletesAnEmptyOneWithItsOffsets() {
        h.join(GROUP, "a", "foo");
        assertThat(commit((short) 9, "a", 1, "foo", 0)).isZero();
        assertThat(delete(GROUP)).isEqualTo(Errors.NON_EMPTY_GROUP.code());

        h.leave(GROUP, "a", -1);
        assertThat(delete(GROUP)).isZero();
        assertThat(h.describe(GROUP).errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
        assertThat(h.shard.durableState().offsets()).doesNotContainKey(GROUP);
        assertThat(h.shard.group(GROUP)).isNull();
        assertReplayEqual(h);
    }

    @Test
    void offsetCommitChecksTheMemberAndItsEpoch() {
        ConsumerClientModel a = new ConsumerClientModel(h, GROUP, "a", null, List.of("foo"));
        settle(a);
        assertThat(commit((short) 9, "a", 1, "foo", 0)).isZero();
        assertThat(commit((short) 10, "a", 1, "foo", 1)).isZero();
        assertThat(commit((short) 9, "a", 2, "foo", 0)).isEqualTo(Errors.STALE_MEMBER_EPOCH.code());
        assertThat(commit((short) 9, "nobody", 1, "foo", 0)).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        assertThat(commit((short) 8, "a", 1, "foo", 0)).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
        // Without membership, only while the group is empty.
        assertThat(commit((short) 9, "", -1, "foo", 0)).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());

        // b joins: a revokes partition 1 and moves to epoch 2 (it keeps partition 0, given at epoch 1).
        ConsumerClientModel b = new ConsumerClientModel(h, GROUP, "b", null, List.of("foo"));
        settle(a, b);
        assertThat(a.epoch).isEqualTo(2);
        int aPartition = a.owned.get("foo").first();
        int bPartition = b.owned.get("foo").first();
        // An older epoch is accepted for a partition the member had at that epoch (KIP-1251), not for others.
        assertThat(commit((short) 9, "a", 1, "foo", aPartition)).isZero();
        assertThat(commit((short) 9, "b", 2, "foo", bPartition)).isZero();
        assertThat(commit((short) 9, "b", 1, "foo", bPartition)).isEqualTo(Errors.STALE_MEMBER_EPOCH.code());

        assertThat(fetch("a", 2).errorCode()).isZero();
        assertThat(fetch("a", 1).errorCode()).isEqualTo(Errors.STALE_MEMBER_EPOCH.code());
        assertThat(fetch("nobody", 1).errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        assertThat(fetch("", -1).errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        OffsetFetchResponseData.OffsetFetchResponseGroup admin = fetch(null, -1);
        assertThat(admin.errorCode()).isZero();
        assertThat(admin.topics().get(0).partitions()).hasSize(2);

        a.leave();
        b.leave();
        assertThat(commit((short) 9, "", -1, "foo", 0)).isZero();
        assertReplayEqual(h);
    }

    @Test
    void offsetDeleteRefusesTopicsAMemberSubscribesTo() {
        h.join(GROUP, "a", "foo");
        assertThat(commit((short) 9, "a", 1, "foo", 0)).isZero();
        h.leave(GROUP, "a", -1);
        assertThat(commit((short) 9, "", -1, "bar", 0)).isZero();
        h.join(GROUP, "b", "foo");

        OffsetDeleteRequestData request = new OffsetDeleteRequestData().setGroupId(GROUP);
        for (String topic : List.of("foo", "bar")) {
            OffsetDeleteRequestData.OffsetDeleteRequestTopic requestTopic =
                    new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName(topic);
            requestTopic.partitions().add(new OffsetDeleteRequestData.OffsetDeleteRequestPartition()
                    .setPartitionIndex(0));
            request.topics().add(requestTopic);
        }
        OffsetDeleteResponseData response = h.call((short) 0, context -> h.shard.offsetDelete(context, request,
                h.nowMs));
        assertThat(response.errorCode()).isZero();
        assertThat(response.topics().get(0).partitions().get(0).errorCode())
                .isEqualTo(Errors.GROUP_SUBSCRIBED_TO_TOPIC.code());
        assertThat(response.topics().get(1).partitions().get(0).errorCode()).isZero();
        assertThat(h.shard.durableState().offsets().get(GROUP)).hasSize(1);
    }

    @Test
    void offsetsOfAnEmptyGroupExpireAfterTheRetentionAndThenTheGroupIsDeleted() {
        ConsumerClientModel a = new ConsumerClientModel(h, GROUP, "a", null, List.of("foo"));
        settle(a);
        assertThat(commit((short) 9, "a", 1, "foo", 0)).isZero();
        assertThat(commit((short) 9, "a", 1, "bar", 0)).isZero();
        long retentionMs = h.config.offsetsRetentionMs();
        long checkMs = h.config.offsetsRetentionCheckIntervalMs();
        // While a subscribes to foo its offset stays; bar's expires.
        for (long elapsed = 0; elapsed < retentionMs + checkMs; elapsed += 20_000) {
            h.advance(20_000);
            a.heartbeat();
        }
        assertThat(h.shard.durableState().offsets().get(GROUP)).containsOnlyKeys(
                new io.fjord.storage.TopicPartition("foo", 0));

        a.leave();
        h.advance(retentionMs + checkMs);
        assertThat(h.shard.durableState().offsets()).doesNotContainKey(GROUP);
        assertThat(h.describe(GROUP).errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
        assertReplayEqual(h);
    }

    @Test
    void aConsumerGroupTakesOverAnEmptyClassicGroupAndKeepsItsOffsets() {
        assertThat(commit((short) 9, "", -1, "foo", 0)).isZero();
        assertThat(h.shard.group(GROUP)).isNotNull();

        ConsumerClientModel a = new ConsumerClientModel(h, GROUP, "a", null, List.of("foo"));
        settle(a);
        assertThat(h.shard.group(GROUP)).isNull();
        assertThat(h.shard.consumerGroup(GROUP)).isNotNull();
        assertThat(h.shard.durableState().offsets().get(GROUP)).hasSize(1);
        assertReplayEqual(h);
    }
}
