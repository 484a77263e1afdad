package io.fjord.broker.coordinator.group;

import static io.fjord.broker.coordinator.group.ConsumerGroupHarness.id;
import static io.fjord.broker.coordinator.group.ConsumerGroupHarness.owned;
import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ConsumerGroupDescribeRequestData;
import io.fjord.protocol.message.ConsumerGroupDescribeResponseData;
import io.fjord.protocol.message.ConsumerGroupHeartbeatRequestData;
import io.fjord.protocol.message.ConsumerGroupHeartbeatResponseData;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** KIP-848 ConsumerGroupHeartbeat in the pure group coordinator: joining, reconciling, fencing, timeouts. */
class ConsumerGroupHeartbeatTest {
    private static final String GROUP = "g";

    private static SortedSet<Integer> set(Integer... partitions) {
        return new TreeSet<>(List.of(partitions));
    }

    @Test
    void firstMemberJoinsAndGetsEveryPartitionAtEpochOne() {
        ConsumerGroupHarness h = new ConsumerGroupHarness(TestTopics.of("foo", 3));

        ConsumerGroupHeartbeatResponseData response = h.join(GROUP, "m1", "foo");

        assertThat(response.errorCode()).isZero();
        assertThat(response.memberId()).isEqualTo("m1");
        assertThat(response.memberEpoch()).isEqualTo(1);
        assertThat(response.heartbeatIntervalMs()).as("the group has only just settled").isEqualTo(500);
        assertThat(h.assignment(response)).isEqualTo(Map.of("foo", set(0, 1, 2)));
        ConsumerGroupDescribeResponseData.DescribedGroup described = h.describe(GROUP);
        assertThat(described.errorCode()).isZero();
        assertThat(described.groupState()).isEqualTo("Stable");
        assertThat(described.groupEpoch()).isEqualTo(1);
        assertThat(described.assignmentEpoch()).isEqualTo(1);
        assertThat(described.assignorName()).isEqualTo("uniform");
        ConsumerGroupDescribeResponseData.Member member = described.members().get(0);
        assertThat(member.memberEpoch()).isEqualTo(1);
        assertThat(member.memberType()).isEqualTo((byte) 1);
        assertThat(member.subscribedTopicNames()).containsExactly("foo");
        assertThat(member.assignment().topicPartitions().get(0).topicName()).isEqualTo("foo");
        assertThat(member.assignment().topicPartitions().get(0).partitions()).containsExactly(0, 1, 2);
        assertThat(member.targetAssignment()).isEqualTo(member.assignment());
    }

    @Test
    void versionZeroJoinWithoutMemberIdGetsOneFromTheCoordinatorWhileVersionOneMustSendIt() {
        ConsumerGroupHarness h = new ConsumerGroupHarness(TestTopics.of("foo", 1));

        ConsumerGroupHeartbeatResponseData v0 = h.heartbeat((short) 0,
                ConsumerGroupHarness.joinRequest(GROUP, "", "foo"));
        ConsumerGroupHeartbeatResponseData v1 = h.heartbeat((short) 1,
                ConsumerGroupHarness.joinRequest(GROUP, "", "foo"));

        assertThat(v0.errorCode()).isZero();
        assertThat(v0.memberId()).hasSize(22);
        assertThat(v1.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(v1.errorMessage()).isEqualTo("MemberId can't be empty.");
    }

    @Test
    void invalidRequestsAreRefusedWithKafkasErrorsAndChangeNothing() {
        ConsumerGroupHarness h = new ConsumerGroupHarness(TestTopics.of("foo", 1));

        assertThat(h.heartbeat(ConsumerGroupHarness.joinRequest(GROUP, "m", "foo").setRebalanceTimeoutMs(-1))
                .errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(h.heartbeat(ConsumerGroupHarness.joinRequest(GROUP, "m", "foo").setTopicPartitions(null))
                .errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(h.heartbeat(ConsumerGroupHarness.joinRequest(GROUP, "m").setSubscribedTopicNames(null))
                .errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(h.heartbeat(ConsumerGroupHarness.joinRequest("", "m", "foo")).errorCode())
                .isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(h.heartbeat(ConsumerGroupHarness.joinRequest(GROUP, "m", "foo").setMemberEpoch(-3))
                .errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(h.heartbeat(ConsumerGroupHarness.joinRequest(GROUP, "m", "foo").setMemberEpoch(-2))
                .errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(h.heartbeat(ConsumerGroupHarness.joinRequest(GROUP, "m", "foo").setServerAssignor("sticky"))
                .errorCode()).isEqualTo(Errors.UNSUPPORTED_ASSIGNOR.code());
        assertThat(h.heartbeat(ConsumerGroupHarness.joinRequest(GROUP, "m").setSubscribedTopicRegex("foo("))
                .errorCode()).isEqualTo(Errors.INVALID_REGULAR_EXPRESSION.code());
        // RE2 has no look-around: Kafka refuses it, so does Fjord although Java could compile it.
        assertThat(h.heartbeat(ConsumerGroupHarness.joinRequest(GROUP, "m").setSubscribedTopicRegex("(?!bar).*"))
                .errorCode()).isEqualTo(Errors.INVALID_REGULAR_EXPRESSION.code());

        assertThat(h.log).isEmpty();
        assertThat(h.describe(GROUP).errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
    }

    @Test
    void aNewMemberGetsPartitionsOnlyAfterTheirOwnerRevokedThem() {
        ConsumerGroupHarness h = new ConsumerGroupHarness(TestTopics.of("foo", 4));
        assertThat(h.assignment(h.join(GROUP, "a", "foo"))).isEqualTo(Map.of("foo", set(0, 1, 2, 3)));

        ConsumerGroupHeartbeatResponseData b = h.join(GROUP, "b", "foo");
        assertThat(b.memberEpoch()).isEqualTo(2);
        assertThat(h.assignment(b)).isEqualTo(Map.of());
        assertThat(h.describe(GROUP).groupState()).isEqualTo("Reconciling");

        // a must revoke first: it stays at epoch 1 with its remaining partitions.
        ConsumerGroupHeartbeatResponseData a = h.heartbeat(GROUP, "a", 1, owned("foo", List.of(0, 1, 2, 3)));
        assertThat(a.memberEpoch()).isEqualTo(1);
        assertThat(h.assignment(a)).isEqualTo(Map.of("foo", set(0, 1)));
        // b still waits: a owns 2 and 3 until it says it let them go.
        b = h.heartbeat(GROUP, "b", 2, owned());
        assertThat(b.assignment()).isNull();
        assertThat(h.shard.consumerGroup(GROUP).owner(id("foo"), 2)).isEqualTo("a");

        a = h.heartbeat(GROUP, "a", 1, owned("foo", List.of(0, 1)));
        assertThat(a.memberEpoch()).isEqualTo(2);
        b = h.heartbeat(GROUP, "b", 2, owned());
        assertThat(h.assignment(b)).isEqualTo(Map.of("foo", set(2, 3)));
        assertThat(h.describe(GROUP).groupState()).isEqualTo("Stable");
        assertReplayEqual(h);
    }

    @Test
    void membersHeartbeatOftenWhileTheGroupSettlesAndAtTheConfiguredIntervalOnceItIsQuiet() {
        ConsumerGroupHarness h = new ConsumerGroupHarness(TestTopics.of("foo", 4));
        assertThat(h.join(GROUP, "a", "foo").heartbeatIntervalMs()).isEqualTo(500);
        h.advance(5_000);
        assertThat(h.heartbeat(GROUP, "a", 1, owned("foo", List.of(0, 1, 2, 3))).heartbeatIntervalMs())
                .as("stable, target computed a full interval ago").isEqualTo(5_000);

        h.advance(1_000);
        assertThat(h.join(GROUP, "b", "foo").heartbeatIntervalMs()).isEqualTo(500);
        h.advance(4_000);
        assertThat(h.heartbeat(GROUP, "a", 1, owned("foo", List.of(0, 1, 2, 3))).heartbeatIntervalMs())
                .as("a owes a revocation: reconciling").isEqualTo(500);
        h.heartbeat(GROUP, "a", 1, owned("foo", List.of(0, 1)));
        ConsumerGroupHeartbeatResponseData b = h.heartbeat(GROUP, "b", 2, owned());
        assertThat(h.assignment(b)).isEqualTo(Map.of("foo", set(2, 3)));
        assertThat(h.describe(GROUP).groupState()).isEqualTo("Stable");
        assertThat(b.heartbeatIntervalMs()).as("stable, target computed 4 s ago").isEqualTo(500);
        h.advance(2_000);
        assertThat(h.heartbeat(GROUP, "b", 2, owned("foo", List.of(2, 3))).heartbeatIntervalMs())
                .as("stable, target computed 6 s ago").isEqualTo(5_000);
    }

    /** A group's own consumer.heartbeat.interval.ms and consumer.session.timeout.ms (group configs) apply to it only. */
    @Test
    void aGroupsOwnHeartbeatIntervalAndSessionTimeoutApplyToItsMembers() {
        ConsumerGroupConfig defaults = ConsumerGroupConfig.defaults();
        ConsumerGroupConfig tuned = defaults.withGroupTimeouts(20_000, 7_000);
        ConsumerGroupHarness h = new ConsumerGroupHarness(TestTopics.of("foo", 2), defaults,
                groupId -> groupId.equals("tuned") ? tuned : defaults);
        h.join("tuned", "t", "foo");
        h.join("plain", "p", "foo");
        h.advance(7_000);
        assertThat(h.heartbeat("tuned", "t", 1, owned("foo", List.of(0, 1))).heartbeatIntervalMs())
                .as("the group's own interval once quiet").isEqualTo(7_000);
        assertThat(h.heartbeat("plain", "p", 1, owned("foo", List.of(0, 1))).heartbeatIntervalMs())
                .as("the broker's interval").isEqualTo(5_000);
        h.advance(19_999);
        assertThat(h.describe("tuned").members()).hasSize(1);
        h.advance(1);
        assertThat(h.describe("tuned").members()).as("silent for the group's session timeout").isEmpty();
        assertThat(h.describe("plain").members()).as("the broker's 45 s session still runs").hasSize(1);
        assertThat(defaults.withGroupTimeouts(5_000, 5_000)).as("inconsistent overrides are ignored")
                .isSameAs(defaults);
    }

    @Test
    void membersAheadOfTheCoordinatorOrBehindItAreFencedExceptAfterOneLostEpochBump() {
        ConsumerGroupHarness h = new ConsumerGroupHarness(TestTopics.of("foo", 2));
        h.join(GROUP, "a", "foo");

        assertThat(h.heartbeat(GROUP, "a", 5, null).errorCode()).isEqualTo(Errors.FENCED_MEMBER_EPOCH.code());
        assertThat(h.heartbeat(GROUP, "nobody", 1, null).errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        assertThat(h.heartbeat("other", "a", 1, null).errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());

        // b joins; a revokes partition 1 and moves to epoch 2, but pretend the response was lost.
        h.join(GROUP, "b", "foo");
        h.heartbeat(GROUP, "a", 1, owned("foo", List.of(0, 1)));
        assertThat(h.heartbeat(GROUP, "a", 1, owned("foo", List.of(0))).memberEpoch()).isEqualTo(2);
        // a retries with epoch 1: accepted while what it owns is still assigned to it.
        ConsumerGroupHeartbeatResponseData retry = h.heartbeat(GROUP, "a", 1, owned("foo", List.of(0)));
        assertThat(retry.errorCode()).isZero();
        assertThat(retry.memberEpoch()).isEqualTo(2);
        assertThat(h.heartbeat(GROUP, "a", 1, owned("foo", List.of(0, 1))).errorCode())
                .isEqualTo(Errors.FENCED_MEMBER_EPOCH.code());
        assertThat(h.heartbeat(GROUP, "a", 1, null).errorCode()).isEqualTo(Errors.FENCED_MEMBER_EPOCH.code());
        // A fenced member rejoins with epoch 0 and its member id, and gets its assignment back.
        ConsumerGroupHeartbeatResponseData rejoin = h.join(GROUP, "a", "foo");
        assertThat(rejoin.errorCode()).isZero();
        assertThat(rejoin.memberEpoch()).isEqualTo(2);
        assertThat(h.assignment(rejoin)).isEqualTo(Map.of("foo", set(0)));
    }

    @Test
    void aSilentMemberIsRemovedAfterTheSessionTimeoutAndTheOthersTakeItsPartitions() {
        ConsumerGroupHarness h = new ConsumerGroupHarness(TestTopics.of("foo", 4));
        ConsumerClientModel a = new ConsumerClientModel(h, GROUP, "a", null, List.of("foo"));
        ConsumerClientModel b = new ConsumerClientModel(h, GROUP, "b", null, List.of("foo"));
        settle(a, b);
        assertThat(a.ownedCount()).isEqualTo(2);
        assertThat(b.ownedCount()).isEqualTo(2);
        int epochBefore = h.describe(GROUP).groupEpoch();

        for (int i = 0; i < 8; i++) {
            h.advance(5_000);
            a.heartbeat();
        }
        h.advance(4_999);
        assertThat(h.shard.consumerGroup(GROUP).member("b")).isNotNull();
        h.advance(1);
        assertThat(h.shard.consumerGroup(GROUP).member("b")).isNull();
        assertThat(h.describe(GROUP).groupEpoch()).isEqualTo(epochBefore + 1);
        a.heartbeat();
        assertThat(a.ownedCount()).isEqualTo(4);
        assertThat(b.heartbeat().errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        assertReplayEqual(h);
    }

    @Test
    void aMemberThatDoesNotRevokeWithinItsRebalanceTimeoutIsFenced() {
        ConsumerGroupHarness h = new ConsumerGroupHarness(TestTopics.of("foo", 4));
        h.join(GROUP, "a", "foo");
        h.join(GROUP, "b", "foo");
        // a keeps claiming all four: it never acknowledges the revocation.
        for (int i = 0; i < 5; i++) {
            assertThat(h.heartbeat(GROUP, "a", 1, owned("foo", List.of(0, 1, 2, 3))).errorCode()).isZero();
            h.advance(5_000);
        }
        assertThat(h.shard.consumerGroup(GROUP).member("a")).isNotNull();
        h.advance(5_000);
        assertThat(h.shard.consumerGroup(GROUP).member("a")).isNull();

        ConsumerGroupHeartbeatResponseData b = h.heartbeat(GROUP, "b", 2, owned());
        assertThat(b.memberEpoch()).isEqualTo(3);
        assertThat(h.assignment(b)).isEqualTo(Map.of("foo", set(0, 1, 2, 3)));
        assertThat(h.heartbeat(GROUP, "a", 1, owned("foo", List.of(0, 1, 2, 3))).errorCode())
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
    }

    @Test
    void afterACoordinatorMoveMembersCarryOnAndTimeoutsRestart() {
        ConsumerGroupHarness h = new ConsumerGroupHarness(TestTopics.of("foo", 4));
        h.join(GROUP, "a", "foo");
        h.join(GROUP, "b", "foo");
        h.heartbeat(GROUP, "a", 1, owned("foo", List.of(0, 1, 2, 3)));
        h.advance(20_000);

        h.failover();
        assertThat(h.describe(GROUP).groupState()).isEqualTo("Reconciling");
        // a still owes its revocation; its rebalance timeout starts again on the new coordinator.
        h.heartbeat(GROUP, "a", 1, owned("foo", List.of(0, 1, 2, 3)));
        h.heartbeat(GROUP, "b", 2, owned());
        h.advance(ConsumerGroupHarness.REBALANCE_TIMEOUT_MS - 1);
        assertThat(h.shard.consumerGroup(GROUP).member("a")).isNotNull();
        assertThat(h.heartbeat(GROUP, "a", 1, owned("foo", List.of(0, 1))).memberEpoch()).isEqualTo(2);
        assertThat(h.assignment(h.heartbeat(GROUP, "b", 2, owned()))).isEqualTo(Map.of("foo", set(2, 3)));
        assertThat(h.describe(GROUP).groupState()).isEqualTo("Stable");
        assertReplayEqual(h);
    }

    @Test
    void aMemberLeavingWithEpochMinusOneIsRemovedAndTheGroupEpochBumps() {
        ConsumerGroupHarness h = new ConsumerGroupHarness(TestTopics.of("foo", 2));
        h.join(GROUP, "a", "foo");
        ConsumerGroupHeartbeatResponseData left = h.leave(GROUP, "a", -1);
        assertThat(left.errorCode()).isZero();
        assertThat(left.memberEpoch()).isEqualTo(-1);
        ConsumerGroupDescribeResponseData.DescribedGroup described = h.describe(GROUP);
        assertThat(described.groupState()).isEqualTo("Empty");
        assertThat(described.groupEpoch()).isEqualTo(2);
        assertThat(described.members()).isEmpty();
        assertThat(h.leave(GROUP, "a", -1).errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        assertReplayEqual(h);
    }

    @Test
    void aStaticMemberRejoiningWithANewMemberIdTakesOverItsAssignmentWithoutARebalance() {
        ConsumerGroupHarness h = new ConsumerGroupHarness(TestTopics.of("foo", 4));
        ConsumerClientModel s = new ConsumerClientModel(h, GROUP, "s1", "instance-1", List.of("foo"));
        ConsumerClientModel d = new ConsumerClientModel(h, GROUP, "d1", null, List.of("foo"));
        settle(s, d);
        SortedSet<Integer> staticPartitions = s.owned.get("foo");
        int groupEpoch = h.describe(GROUP).groupEpoch();

        ConsumerGroupHeartbeatResponseData left = s.leave();
        assertThat(left.memberEpoch()).isEqualTo(-2);
        assertThat(h.describe(GROUP).groupEpoch()).isEqualTo(groupEpoch);

        ConsumerGroupHeartbeatResponseData rejoin = h.heartbeat(ConsumerGroupHarness.joinRequest(GROUP, "s2", "foo")
                .setInstanceId("instance-1"));
        assertThat(rejoin.errorCode()).isZero();
        assertThat(rejoin.memberEpoch()).isEqualTo(groupEpoch);
        assertThat(h.assignment(rejoin)).isEqualTo(Map.of("foo", staticPartitions));
        ConsumerGroupDescribeResponseData.DescribedGroup described = h.describe(GROUP);
        assertThat(described.groupEpoch()).isEqualTo(groupEpoch);
        assertThat(described.groupState()).isEqualTo("Stable");
        assertThat(described.members()).extracting(ConsumerGroupDescribeResponseData.Member::memberId)
                .containsExactlyInAnyOrder("s2", "d1");

        // The instance id is taken while s2 is there; the old member id is fenced.
        assertThat(h.heartbeat(ConsumerGroupHarness.joinRequest(GROUP, "s3", "foo").setInstanceId("instance-1"))
                .errorCode()).isEqualTo(Errors.UNRELEASED_INSTANCE_ID.code());
        assertThat(h.heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId(GROUP).setMemberId("s1")
                .setMemberEpoch(groupEpoch).setInstanceId("instance-1")).errorCode())
                .isEqualTo(Errors.FENCED_INSTANCE_ID.code());
        assertReplayEqual(h);
    }

    @Test
    void aStaticMemberThatLeftWhileWaitingForPartitionsGetsThemWhenItComesBack() {
        ConsumerGroupHarness h = new ConsumerGroupHarness(TestTopics.of("foo", 2));
        h.join(GROUP, "a", "foo");
        ConsumerGroupHeartbeatResponseData s1 = h.heartbeat(ConsumerGroupHarness.joinRequest(GROUP, "s1", "foo")
                .setInstanceId("instance-1"));
        assertThat(h.assignment(s1)).isEqualTo(Map.of());
        assertThat(h.leave(GROUP, "s1", -2).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(h.heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId(GROUP).setMemberId("s1")
                .setInstanceId("instance-1").setMemberEpoch(-2)).errorCode()).isZero();
        // a lets go of the partition s1 was waiting for.
        h.heartbeat(GROUP, "a", 1, owned("foo", List.of(0, 1)));
        assertThat(h.heartbeat(GROUP, "a", 1, owned("foo", List.of(0))).memberEpoch()).isEqualTo(2);

        ConsumerGroupHeartbeatResponseData s2 = h.heartbeat(ConsumerGroupHarness.joinRequest(GROUP, "s2", "foo")
                .setInstanceId("instance-1"));
        assertThat(s2.memberEpoch()).isEqualTo(2);
        assertThat(h.assignment(s2)).isEqualTo(Map.of("foo", set(1)));
        assertThat(h.describe(GROUP).groupState()).isEqualTo("Stable");
        assertReplayEqual(h);
    }

    @Test
    void aStaticMemberThatLeftWhileOwingRevocationsIsNotFencedByItsRebalanceTimeout() {
        ConsumerGroupHarness h = new ConsumerGroupHarness(TestTopics.of("foo", 4));
        h.heartbeat(ConsumerGroupHarness.joinRequest(GROUP, "s1", "foo").setInstanceId("instance-1"));
        h.join(GROUP, "b", "foo");
        h.heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId(GROUP).setMemberId("s1")
                .setInstanceId("instance-1").setMemberEpoch(1).setTopicPartitions(
                        ConsumerGroupHarness.ownedPartitions(owned("foo", List.of(0, 1, 2, 3)))));
        assertThat(h.heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId(GROUP).setMemberId("s1")
                .setInstanceId("instance-1").setMemberEpoch(-2)).errorCode()).isZero();

        h.advance(ConsumerGroupHarness.REBALANCE_TIMEOUT_MS + 5_000);
        assertThat(h.shard.consumerGroup(GROUP).member("s1").memberEpoch()).isEqualTo(-2);
        assertReplayEqual(h);
    }

    @Test
    void aStaticMemberThatDoesNotComeBackIsRemovedAfterTheSessionTimeout() {
        ConsumerGroupHarness h = new ConsumerGroupHarness(TestTopics.of("foo", 2));
        ConsumerClientModel s = new ConsumerClientModel(h, GROUP, "s1", "instance-1", List.of("foo"));
        settle(s);
        s.leave();
        assertThat(h.describe(GROUP).members()).hasSize(1);
        h.advance(45_000);
        assertThat(h.describe(GROUP).members()).isEmpty();
        assertThat(h.describe(GROUP).groupState()).isEqualTo("Empty");
    }

    @Test
    void aRegexSubscriptionPicksUpANewMatchingTopic() {
        ConsumerGroupHarness h = new ConsumerGroupHarness(TestTopics.of("foo", 2, "bar", 1,
                "__consumer_offsets", 50));
        ConsumerClientModel m = new ConsumerClientModel(h, GROUP, "m", null, List.of());
        m.regex = "fo.*";
        settle(m);
        assertThat(m.owned).isEqualTo(Map.of("foo", set(0, 1)));
        ConsumerGroupDescribeResponseData.Member described = h.describe(GROUP).members().get(0);
        assertThat(described.subscribedTopicRegex()).isEqualTo("fo.*");
        assertThat(h.shard.consumerGroup(GROUP).resolvedRegexes().get("fo.*").topics()).containsExactly("foo");

        h.updateTopics(h.topics.with("fox", 2));
        settle(m);
        assertThat(m.owned).isEqualTo(Map.of("foo", set(0, 1), "fox", set(0, 1)));

        // Matching is on whole names, and internal topics never match.
        ConsumerClientModel all = new ConsumerClientModel(h, "g2", "x", null, List.of());
        all.regex = ".*o.*";
        settle(all);
        assertThat(all.owned.keySet()).containsExactly("foo", "fox");
        assertReplayEqual(h);
    }

    @Test
    void morePartitionsBumpTheGroupEpochAndAreAssigned() {
        ConsumerGroupHarness h = new ConsumerGroupHarness(TestTopics.of("foo", 2));
        ConsumerClientModel a = new ConsumerClientModel(h, GROUP, "a", null, List.of("foo"));
        ConsumerClientModel b = new ConsumerClientModel(h, GROUP, "b", null, List.of("foo"));
        settle(a, b);
        int epoch = h.describe(GROUP).groupEpoch();

        h.updateTopics(h.topics.with("foo", 6));
        assertThat(h.describe(GROUP).groupEpoch()).isEqualTo(epoch + 1);
        settle(a, b);
        assertThat(a.ownedCount()).isEqualTo(3);
        assertThat(b.ownedCount()).isEqualTo(3);

        // A metadata update that changes nothing the group subscribes to does not bump it.
        h.updateTopics(h.topics.with("unrelated", 3));
        assertThat(h.describe(GROUP).groupEpoch()).isEqualTo(epoch + 1);
        assertReplayEqual(h);
    }

    @Test
    void aDeletedTopicIsRevokedAndComesBackWhenRecreated() {
        ConsumerGroupHarness h = new ConsumerGroupHarness(TestTopics.of("foo", 2, "bar", 2));
        ConsumerClientModel a = new ConsumerClientModel(h, GROUP, "a", null, List.of("foo", "bar"));
        settle(a);
        assertThat(a.owned).isEqualTo(Map.of("foo", set(0, 1), "bar", set(0, 1)));

        h.updateTopics(h.topics.with("bar", 0));
        settle(a);
        assertThat(a.owned).isEqualTo(Map.of("foo", set(0, 1)));
        assertThat(h.describe(GROUP).groupState()).isEqualTo("Stable");

        h.updateTopics(h.topics.with("bar", 3));
        settle(a);
        assertThat(a.owned).isEqualTo(Map.of("foo", set(0, 1), "bar", set(0, 1, 2)));
        assertReplayEqual(h);
    }

    @Test
    void subscriptionChangesBumpTheEpochAndMoveThePartitions() {
        ConsumerGroupHarness h = new ConsumerGroupHarness(TestTopics.of("foo", 2, "bar", 2));
        ConsumerClientModel a = new ConsumerClientModel(h, GROUP, "a", null, List.of("foo"));
        settle(a);
        assertThat(a.owned).isEqualTo(Map.of("foo", set(0, 1)));

        ConsumerGroupHeartbeatResponseData response = h.heartbeat(new ConsumerGroupHeartbeatRequestData()
                .setGroupId(GROUP).setMemberId("a").setMemberEpoch(a.epoch).setSubscribedTopicNames(List.of("bar")));
        assertThat(response.memberEpoch()).isEqualTo(1);
        assertThat(h.assignment(response)).isEqualTo(Map.of());
        a.owned = h.assignment(response);
        settle(a);
        assertThat(a.owned).isEqualTo(Map.of("bar", set(0, 1)));
        assertThat(a.epoch).isEqualTo(2);
    }

    @Test
    void theGroupRefusesMembersBeyondItsMaximumSize() {
        ConsumerGroupHarness h = new ConsumerGroupHarness(TestTopics.of("foo", 2),
                new ConsumerGroupConfig(5_000, 45_000, 1, List.of("uniform", "range"), 100, 500));
        assertThat(h.join(GROUP, "a", "foo").errorCode()).isZero();
        assertThat(h.join(GROUP, "b", "foo").errorCode()).isEqualTo(Errors.GROUP_MAX_SIZE_REACHED.code());
        // A known member rejoining is not a new one.
        assertThat(h.join(GROUP, "a", "foo").errorCode()).isZero();
    }

    @Test
    void theGroupUsesTheAssignorMostMembersAskFor() {
        ConsumerGroupHarness h = new ConsumerGroupHarness(TestTopics.of("foo", 4, "bar", 4));
        h.heartbeat(ConsumerGroupHarness.joinRequest(GROUP, "a", "foo", "bar").setServerAssignor("range"));
        h.heartbeat(ConsumerGroupHarness.joinRequest(GROUP, "b", "foo", "bar").setServerAssignor("range"));
        assertThat(h.describe(GROUP).assignorName()).isEqualTo("range");
        // Range: each member gets the same partition numbers of both topics.
        ConsumerGroupDescribeResponseData.DescribedGroup described = h.describe(GROUP);
        for (ConsumerGroupDescribeResponseData.Member member : described.members()) {
            List<ConsumerGroupDescribeResponseData.TopicPartitions> target =
                    member.targetAssignment().topicPartitions();
            assertThat(target).hasSize(2);
            assertThat(target.get(0).partitions()).isEqualTo(target.get(1).partitions());
        }
    }

    @Test
    void classicAndConsumerGroupsOfOneIdExcludeEachOtherWhileNotEmpty() {
        ConsumerGroupHarness h = new ConsumerGroupHarness(TestTopics.of("foo", 2));
        h.join(GROUP, "a", "foo");
        io.fjord.protocol.message.JoinGroupResponseData classicJoin = h.call((short) 9, context ->
                h.shard.joinGroup(context, GroupHarness.joinRequest(GROUP, "", null, List.of("foo")), h.nowMs));
        assertThat(classicJoin.errorCode()).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL.code());

        // Once empty, the consumer group gives way to a classic group.
        h.leave(GROUP, "a", -1);
        classicJoin = h.call((short) 9, context ->
                h.shard.joinGroup(context, GroupHarness.joinRequest(GROUP, "", null, List.of("foo")), h.nowMs));
        assertThat(classicJoin.errorCode()).isEqualTo(Errors.MEMBER_ID_REQUIRED.code());
        assertThat(h.shard.consumerGroup(GROUP)).isNull();
        String classicMemberId = classicJoin.memberId();
        h.call((short) 9, context -> h.shard.joinGroup(context,
                GroupHarness.joinRequest(GROUP, classicMemberId, null, List.of("foo")), h.nowMs));
        assertThat(h.shard.group(GROUP).size()).isEqualTo(1);

        // A classic group with members is not a consumer group.
        ConsumerGroupHeartbeatResponseData refused = h.join(GROUP, "b", "foo");
        assertThat(refused.errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
        assertThat(refused.errorMessage()).isEqualTo("Group g is not a consumer group.");
        assertReplayEqual(h);
    }

    @Test
    void describeAnswersGroupIdNotFoundForUnknownAndClassicGroups() {
        ConsumerGroupHarness h = new ConsumerGroupHarness(TestTopics.of("foo", 2));
        ConsumerGroupDescribeResponseData response = h.call((short) 0, context -> h.shard.consumerGroupDescribe(
                context, new ConsumerGroupDescribeRequestData().setGroupIds(List.of("missing", "")), h.nowMs));
        assertThat(response.groups()).extracting(ConsumerGroupDescribeResponseData.DescribedGroup::errorCode)
                .containsExactly(Errors.GROUP_ID_NOT_FOUND.code(), Errors.INVALID_GROUP_ID.code());
    }

    /** Heartbeats every model until a full round changes nothing. */
    static void settle(ConsumerClientModel... clients) {
        for (int round = 0; round < 20; round++) {
            boolean changed = false;
            for (ConsumerClientModel client : clients) {
                int epoch = client.epoch;
                Object owned = client.owned;
                client.heartbeat();
                changed |= epoch != client.epoch || !owned.equals(client.owned);
            }
            if (!changed) {
                return;
            }
        }
        throw new AssertionError("group did not settle");
    }

    static void assertReplayEqual(ConsumerGroupHarness h) {
        GroupCoordinatorShard copy = h.replayedCopy();
        assertThat(copy.durableState()).isEqualTo(h.shard.durableState());
        Set<String> groups = h.shard.durableState().consumerGroups().keySet();
        ConsumerGroupDescribeRequestData request =
                new ConsumerGroupDescribeRequestData().setGroupIds(List.copyOf(groups));
        RequestContext context = new RequestContext(-1, (short) 1, "c", "h");
        assertThat(copy.consumerGroupDescribe(context, request, h.nowMs).replies().get(0).response())
                .isEqualTo(h.shard.consumerGroupDescribe(context, request, h.nowMs).replies().get(0).response());
    }
}
