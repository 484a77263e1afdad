package io.fjord.broker.coordinator.group;

import static io.fjord.broker.coordinator.group.GroupHarness.asJoin;
import static io.fjord.broker.coordinator.group.GroupHarness.asSync;
import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.coordinator.group.internal.ClassicGroup;
import io.fjord.broker.coordinator.group.internal.ClassicGroupState;
import io.fjord.broker.coordinator.group.records.GroupKey;
import io.fjord.broker.coordinator.group.records.GroupMetadataValue;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.JoinGroupResponseData;
import io.fjord.protocol.message.LeaveGroupResponseData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The classic protocol driven step by step with a fake clock. */
class ClassicGroupTest {
    private static final String GROUP = "group";
    private final GroupHarness harness = new GroupHarness();

    /** Three members join a new group (two-step member ids), the leader assigns, everyone syncs. */
    private List<String> formGroupOfThree() {
        List<String> memberIds = joinThree();
        syncThree(memberIds);
        return memberIds;
    }

    /** Three members join a new group; the join phase ends after the (extended) initial delay. */
    private List<String> joinThree() {
        List<String> memberIds = new ArrayList<>();
        List<Long> joins = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String memberId = harness.memberIdFor(GROUP);
            memberIds.add(memberId);
            joins.add(harness.join(GROUP, memberId, null, List.of("topic")));
        }
        // The initial rebalance delay holds the join phase open while members keep arriving.
        assertThat(joins).noneMatch(harness::answered);
        harness.advance(harness.config.groupInitialRebalanceDelayMs());
        assertThat(joins).noneMatch(harness::answered);
        harness.advance(harness.config.groupInitialRebalanceDelayMs());
        assertThat(joins).allMatch(harness::answered);
        List<JoinGroupResponseData> responses = joins.stream().map(id -> asJoin(harness.reply(id))).toList();
        assertThat(responses).allSatisfy(response -> {
            assertThat(response.errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(response.generationId()).isEqualTo(1);
            assertThat(response.protocolName()).isEqualTo("range");
            assertThat(response.leader()).isEqualTo(memberIds.get(0));
        });
        assertThat(responses.get(0).members()).hasSize(3);
        assertThat(responses.get(1).members()).isEmpty();
        assertThat(harness.shard.group(GROUP).state()).isEqualTo(ClassicGroupState.COMPLETING_REBALANCE);
        return memberIds;
    }

    private void syncThree(List<String> memberIds) {
        long followerSync = harness.sync(GROUP, memberIds.get(1), null, 1, Map.of());
        assertThat(harness.answered(followerSync)).isFalse();
        int recordsBefore = harness.log.size();
        Map<String, byte[]> assignment = new LinkedHashMap<>();
        for (int i = 0; i < 3; i++) {
            assignment.put(memberIds.get(i), GroupHarness.assignment(List.of(i)));
        }
        long leaderSync = harness.sync(GROUP, memberIds.get(0), null, 1, assignment);
        // The assignment is persisted in the same result that releases the SyncGroup responses.
        assertThat(harness.log.subList(recordsBefore, harness.log.size()))
                .singleElement().satisfies(record -> {
                    assertThat(record.key()).isEqualTo(GroupKey.groupMetadata(GROUP));
                    GroupMetadataValue value = (GroupMetadataValue) record.value();
                    assertThat(value.generation()).isEqualTo(1);
                    assertThat(value.members()).hasSize(3);
                    assertThat(GroupHarness.partitions(value.members().get(2).assignment())).containsExactly(2);
                });
        assertThat(GroupHarness.partitions(asSync(harness.reply(followerSync)).assignment())).containsExactly(1);
        assertThat(GroupHarness.partitions(asSync(harness.reply(leaderSync)).assignment())).containsExactly(0);
        long lateSync = harness.sync(GROUP, memberIds.get(2), null, 1, Map.of());
        assertThat(GroupHarness.partitions(asSync(harness.reply(lateSync)).assignment())).containsExactly(2);
        assertThat(harness.shard.group(GROUP).state()).isEqualTo(ClassicGroupState.STABLE);
    }

    @Test
    void aMemberThatNeverSendsSyncGroupIsRemovedAfterTheRebalanceTimeout() {
        List<String> members = joinThree();
        Map<String, byte[]> assignment = new LinkedHashMap<>();
        for (int i = 0; i < 3; i++) {
            assignment.put(members.get(i), GroupHarness.assignment(List.of(i)));
        }
        harness.sync(GROUP, members.get(0), null, 1, assignment);
        harness.sync(GROUP, members.get(1), null, 1, Map.of());
        // The third member heartbeats but never asks for its assignment.
        for (int elapsed = 0; elapsed < GroupHarness.REBALANCE_TIMEOUT_MS; elapsed += 5_000) {
            heartbeatAll(members, 1, Errors.NONE);
            harness.advance(5_000);
        }
        assertThat(harness.shard.group(GROUP).hasMember(members.get(2))).isFalse();
        assertThat(harness.shard.group(GROUP).state()).isEqualTo(ClassicGroupState.PREPARING_REBALANCE);
        heartbeatAll(members.subList(0, 2), 1, Errors.REBALANCE_IN_PROGRESS);
    }

    @Test
    void loadingSkipsRecordsOfGroupTypesNotServed() {
        GroupCoordinatorShard shard = new GroupCoordinatorShard(GroupCoordinatorConfig.defaults(),
                TopicIdResolver.NONE, new java.util.SplittableRandom(1));
        // Type 10 is a share group's metadata in Kafka 4.x.
        shard.replay(java.nio.ByteBuffer.allocate(5).putShort((short) 10).putShort((short) 1).put((byte) 'g')
                .flip(), java.nio.ByteBuffer.allocate(2));
        shard.activate(0);
        assertThat(shard.durableState().groups()).isEmpty();
    }

    private void heartbeatAll(List<String> memberIds, int generationId, Errors expected) {
        for (String memberId : memberIds) {
            assertThat(Errors.forCode(harness.heartbeat(GROUP, memberId, null, generationId))).isEqualTo(expected);
        }
    }

    @Test
    void threeMembersJoinSyncAndHeartbeat() {
        List<String> members = formGroupOfThree();
        for (int i = 0; i < 5; i++) {
            harness.advance(GroupHarness.SESSION_TIMEOUT_MS / 2);
            heartbeatAll(members, 1, Errors.NONE);
        }
        assertThat(harness.shard.group(GROUP).state()).isEqualTo(ClassicGroupState.STABLE);
        assertThat(Errors.forCode(harness.heartbeat(GROUP, members.get(0), null, 0)))
                .isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(Errors.forCode(harness.heartbeat(GROUP, "stranger", null, 1)))
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(Errors.forCode(harness.heartbeat("no-such-group", "stranger", null, 1)))
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void aMemberLeavingTriggersARebalanceOfTheOthers() {
        List<String> members = formGroupOfThree();
        LeaveGroupResponseData leave = harness.leave(GROUP, members.get(2), null);
        assertThat(leave.members()).singleElement()
                .satisfies(member -> assertThat(member.errorCode()).isEqualTo(Errors.NONE.code()));
        heartbeatAll(members.subList(0, 2), 1, Errors.REBALANCE_IN_PROGRESS);
        long first = harness.join(GROUP, members.get(0), null, List.of("topic"));
        assertThat(harness.answered(first)).isFalse();
        long second = harness.join(GROUP, members.get(1), null, List.of("topic"));
        // Everyone rejoined: the join phase completes at once (no initial delay for an existing group).
        assertThat(asJoin(harness.reply(first)).generationId()).isEqualTo(2);
        assertThat(asJoin(harness.reply(second)).generationId()).isEqualTo(2);
        assertThat(asJoin(harness.reply(first)).members()).hasSize(2);
        assertThat(harness.leave(GROUP, members.get(2), null).members().get(0).errorCode())
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
    }

    @Test
    void aSilentMemberIsRemovedAfterItsSessionTimeout() {
        List<String> members = formGroupOfThree();
        List<String> alive = members.subList(0, 2);
        harness.advance(GroupHarness.SESSION_TIMEOUT_MS / 2);
        heartbeatAll(alive, 1, Errors.NONE);
        harness.advance(GroupHarness.SESSION_TIMEOUT_MS / 2);
        heartbeatAll(alive, 1, Errors.REBALANCE_IN_PROGRESS);
        assertThat(harness.shard.group(GROUP).hasMember(members.get(2))).isFalse();
        long first = harness.join(GROUP, alive.get(0), null, List.of("topic"));
        long second = harness.join(GROUP, alive.get(1), null, List.of("topic"));
        assertThat(asJoin(harness.reply(first)).members()).extracting(JoinGroupResponseData.JoinGroupResponseMember::memberId)
                .containsExactlyInAnyOrderElementsOf(alive);
        assertThat(asJoin(harness.reply(second)).generationId()).isEqualTo(2);
    }

    @Test
    void membersThatDoNotRejoinWithinTheRebalanceTimeoutAreDropped() {
        List<String> members = formGroupOfThree();
        harness.leave(GROUP, members.get(2), null);
        long rejoin = harness.join(GROUP, members.get(0), null, List.of("topic"));
        // members.get(1) keeps heartbeating but never rejoins.
        for (int elapsed = 0; elapsed < GroupHarness.REBALANCE_TIMEOUT_MS; elapsed += 5_000) {
            harness.advance(5_000);
            if (!harness.answered(rejoin)) {
                harness.heartbeat(GROUP, members.get(1), null, 1);
            }
        }
        assertThat(asJoin(harness.reply(rejoin)).members()).singleElement()
                .satisfies(member -> assertThat(member.memberId()).isEqualTo(members.get(0)));
        assertThat(harness.shard.group(GROUP).hasMember(members.get(1))).isFalse();
    }

    @Test
    void aStaticMemberRejoinsWithoutARebalance() {
        List<Long> joins = new ArrayList<>();
        for (String instance : List.of("a", "b", "c")) {
            joins.add(harness.join(GROUP, "", instance, List.of("topic")));
        }
        harness.advance(harness.config.groupInitialRebalanceDelayMs());
        harness.advance(harness.config.groupInitialRebalanceDelayMs());
        List<JoinGroupResponseData> responses = joins.stream().map(id -> asJoin(harness.reply(id))).toList();
        String leaderId = responses.get(0).leader();
        Map<String, byte[]> assignment = new LinkedHashMap<>();
        for (int i = 0; i < 3; i++) {
            assignment.put(responses.get(i).memberId(), GroupHarness.assignment(List.of(i)));
        }
        harness.sync(GROUP, leaderId, "a", 1, assignment);
        String oldC = responses.get(2).memberId();

        // "c" restarts: it joins with no member id and its instance id.
        int recordsBefore = harness.log.size();
        JoinGroupResponseData rejoin = asJoin(harness.reply(harness.join(GROUP, "", "c", List.of("topic"))));
        assertThat(rejoin.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(rejoin.generationId()).isEqualTo(1);
        assertThat(rejoin.memberId()).isNotEqualTo(oldC);
        assertThat(harness.shard.group(GROUP).state()).isEqualTo(ClassicGroupState.STABLE);
        assertThat(harness.log.size()).isEqualTo(recordsBefore + 1);
        GroupMetadataValue persisted = harness.shard.group(GROUP).persisted();
        assertThat(persisted.members()).extracting(member -> member.memberId()).contains(rejoin.memberId())
                .doesNotContain(oldC);
        // It keeps its assignment; the old incarnation is fenced; the others are undisturbed.
        long sync = harness.sync(GROUP, rejoin.memberId(), "c", 1, Map.of());
        assertThat(GroupHarness.partitions(asSync(harness.reply(sync)).assignment())).containsExactly(2);
        assertThat(Errors.forCode(harness.heartbeat(GROUP, oldC, "c", 1))).isEqualTo(Errors.FENCED_INSTANCE_ID);
        assertThat(Errors.forCode(harness.heartbeat(GROUP, leaderId, "a", 1))).isEqualTo(Errors.NONE);

        // The static leader restarts: no rebalance, and it is told to skip computing an assignment (v9).
        JoinGroupResponseData leaderRejoin = asJoin(harness.reply(harness.join(GROUP, "", "a", List.of("topic"))));
        assertThat(leaderRejoin.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(leaderRejoin.skipAssignment()).isTrue();
        assertThat(leaderRejoin.leader()).isEqualTo(leaderId);
        assertThat(leaderRejoin.members()).hasSize(3);
        assertThat(harness.shard.group(GROUP).leaderId()).isEqualTo(leaderRejoin.memberId());
        assertThat(harness.shard.group(GROUP).state()).isEqualTo(ClassicGroupState.STABLE);
    }

    @Test
    void joinErrors() {
        GroupHarness fresh = new GroupHarness(new GroupCoordinatorConfig(6_000, 1_800_000, 0, 2, 4_096,
                86_400_000L, 600_000L, 300_000), 7);
        long tooShort = fresh.call(GroupHarness.JOIN_VERSION, context -> fresh.shard.joinGroup(context,
                GroupHarness.joinRequest(GROUP, "", null, List.of("t")).setSessionTimeoutMs(1), fresh.nowMs));
        assertThat(asJoin(fresh.reply(tooShort)).errorCode()).isEqualTo(Errors.INVALID_SESSION_TIMEOUT.code());
        assertThat(fresh.shard.group(GROUP)).isNull();
        long unknown = fresh.join(GROUP, "made-up", null, List.of("t"));
        assertThat(asJoin(fresh.reply(unknown)).errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());

        String first = fresh.memberIdFor(GROUP);
        String second = fresh.memberIdFor(GROUP);
        long join1 = fresh.join(GROUP, first, null, List.of("t"));
        long join2 = fresh.join(GROUP, second, null, List.of("t"));
        fresh.advance(1);
        assertThat(asJoin(fresh.reply(join1)).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(asJoin(fresh.reply(join2)).errorCode()).isEqualTo(Errors.NONE.code());
        // group.max.size = 2: a third member is refused before it even gets a member id.
        long join3 = fresh.join(GROUP, "", null, List.of("t"));
        assertThat(asJoin(fresh.reply(join3)).errorCode()).isEqualTo(Errors.GROUP_MAX_SIZE_REACHED.code());
    }

    @Test
    void aMemberOfAnotherProtocolTypeIsRefused() {
        formGroupOfThree();
        long otherType = harness.call(GroupHarness.JOIN_VERSION, context -> harness.shard.joinGroup(context,
                GroupHarness.joinRequest(GROUP, "", null, List.of("t")).setProtocolType("connect"), harness.nowMs));
        assertThat(asJoin(harness.reply(otherType)).errorCode())
                .isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL.code());
        long otherProtocol = harness.call(GroupHarness.JOIN_VERSION, context -> harness.shard.joinGroup(context,
                GroupHarness.joinRequest(GROUP, "", null, List.of("t")).setProtocols(new ArrayList<>(List.of(
                        new io.fjord.protocol.message.JoinGroupRequestData.JoinGroupRequestProtocol()
                                .setName("sticky").setMetadata(new byte[0])))), harness.nowMs));
        assertThat(asJoin(harness.reply(otherProtocol)).errorCode())
                .isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL.code());
        assertThat(harness.shard.group(GROUP).state()).isEqualTo(ClassicGroupState.STABLE);
    }

    @Test
    void joinVersionsBeforeFourGetAMemberIdAtOnce() {
        long join = harness.call((short) 3, context -> harness.shard.joinGroup(context,
                GroupHarness.joinRequest(GROUP, "", null, List.of("t")), harness.nowMs));
        assertThat(harness.answered(join)).isFalse();
        harness.advance(GroupHarness.REBALANCE_TIMEOUT_MS);
        JoinGroupResponseData response = asJoin(harness.reply(join));
        assertThat(response.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(response.leader()).isEqualTo(response.memberId());
        assertThat(response.protocolType()).isNull();
    }

    @Test
    void allMembersLeavingEmptiesTheGroupAndRecordsIt() {
        List<String> members = formGroupOfThree();
        for (String member : members) {
            harness.leave(GROUP, member, null);
        }
        ClassicGroup group = harness.shard.group(GROUP);
        assertThat(group.state()).isEqualTo(ClassicGroupState.EMPTY);
        assertThat(group.generationId()).isEqualTo(2);
        assertThat(group.persisted().members()).isEmpty();
        assertThat(group.persisted().generation()).isEqualTo(2);
        assertThat(group.persisted().currentStateTimestampMs()).isEqualTo(harness.nowMs);
    }

    @Test
    void aRestartedCoordinatorRebuildsTheGroupFromItsRecords() {
        List<String> members = formGroupOfThree();
        assertThat(harness.commit((short) 9, GROUP, members.get(0), 1, "topic", 0, 42)).isEqualTo(Errors.NONE.code());
        GroupCoordinatorShard restarted = harness.replayedCopy(99);
        assertThat(restarted.durableState()).isEqualTo(harness.shard.durableState());
        ClassicGroup group = restarted.group(GROUP);
        assertThat(group.state()).isEqualTo(ClassicGroupState.STABLE);
        assertThat(group.generationId()).isEqualTo(1);
        assertThat(group.leaderId()).isEqualTo(members.get(0));
        assertThat(group.members()).extracting(member -> GroupHarness.partitions(member.assignment()))
                .containsExactly(List.of(0), List.of(1), List.of(2));
        assertThat(group.subscribedTopics()).containsExactly("topic");
    }
    /** Static members' ids start with their instance id, dynamic members' with their client id, as Kafka's. */
    @Test
    void memberIdsStartWithTheInstanceIdOrTheClientId() {
        JoinGroupResponseData dynamic = asJoin(harness.reply(harness.join(GROUP, "", null, List.of("topic"))));
        assertThat(dynamic.errorCode()).isEqualTo(Errors.MEMBER_ID_REQUIRED.code());
        assertThat(dynamic.memberId()).matches("client-[0-9a-f-]{36}");
        long staticJoin = harness.join(GROUP, "", "instance-7", List.of("topic"));
        harness.advance(harness.config.groupInitialRebalanceDelayMs());
        assertThat(asJoin(harness.reply(staticJoin)).memberId()).matches("instance-7-[0-9a-f-]{36}");
    }

    /** Two static members whose joins are queued before the initial delay (0) ends share generation 1. */
    @Test
    void staticMembersJoiningTogetherWithoutInitialDelayShareTheFirstGeneration() {
        GroupHarness noDelay = new GroupHarness(new GroupCoordinatorConfig(6_000, 1_800_000, 0, 10, 4_096,
                86_400_000L, 600_000L, 300_000), 3);
        long first = noDelay.join(GROUP, "", "a", List.of("topic"));
        long second = noDelay.join(GROUP, "", "b", List.of("topic"));
        noDelay.advance(0);
        assertThat(List.of(first, second)).allSatisfy(join -> {
            JoinGroupResponseData response = asJoin(noDelay.reply(join));
            assertThat(response.errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(response.generationId()).isEqualTo(1);
        });
        assertThat(noDelay.shard.group(GROUP).size()).isEqualTo(2);
    }

    /**
     * A group that all its members left waits the initial delay again when members return, extended while more
     * arrive (Kafka's rule: the group's previous state was Empty, not only a new group): three static members
     * joining within the extended delay share one generation, with no second rebalance.
     */
    @Test
    void membersReturningToAnEmptyGroupWithinTheExtendedInitialDelayShareOneGeneration() {
        int delayMs = harness.config.groupInitialRebalanceDelayMs();
        long joinA = harness.join(GROUP, "", "a", List.of("topic"));
        harness.advance(delayMs);
        JoinGroupResponseData a = asJoin(harness.reply(joinA));
        harness.sync(GROUP, a.memberId(), "a", 1, Map.of(a.memberId(), GroupHarness.assignment(List.of(0))));
        assertThat(harness.leave(GROUP, a.memberId(), "a").errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(harness.shard.group(GROUP).state()).isEqualTo(ClassicGroupState.EMPTY);
        int emptyGeneration = harness.shard.group(GROUP).generationId();
        assertThat(emptyGeneration).isGreaterThan(0);

        List<Long> joins = new ArrayList<>();
        joins.add(harness.join(GROUP, "", "a", List.of("topic")));
        harness.advance(delayMs / 2);
        joins.add(harness.join(GROUP, "", "b", List.of("topic")));
        harness.advance(delayMs / 2 + delayMs / 4); // past the first delay: "b" extended it
        assertThat(joins).noneMatch(harness::answered);
        joins.add(harness.join(GROUP, "", "c", List.of("topic")));
        harness.advance(delayMs); // "c" extended it again
        assertThat(joins).noneMatch(harness::answered);
        harness.advance(delayMs);
        assertThat(joins).allSatisfy(join -> {
            JoinGroupResponseData response = asJoin(harness.reply(join));
            assertThat(response.errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(response.generationId()).isEqualTo(emptyGeneration + 1);
        });
        assertThat(harness.shard.group(GROUP).size()).isEqualTo(3);
        assertThat(harness.shard.group(GROUP).state()).isEqualTo(ClassicGroupState.COMPLETING_REBALANCE);
    }
}
