package io.fjord.broker.coordinator.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.coordinator.group.internal.ConsumerGroup;
import io.fjord.broker.coordinator.group.internal.ConsumerGroupMember;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ConsumerGroupHeartbeatRequestData;
import io.fjord.protocol.message.ConsumerGroupHeartbeatResponseData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded random runs of KIP-848 consumers against one shard while time moves: members join (by names or by
 * regex, some static), heartbeat after random delays, take their time to revoke (or never do), lose responses,
 * leave, go silent and come back; topics gain partitions and new topics appear; the coordinator moves (a new shard
 * loads the records). After every step: no partition is owned (assigned or pending revocation) by two members of a
 * group; what a live client holds is owned by its member on the coordinator; group, target and member epochs never
 * go back; a shard replaying the records (through their bytes) has the same durable state. At the end, once every
 * client heartbeats promptly, the groups become Stable with every subscribed partition assigned and held.
 */
class ConsumerGroupSimulationTest {
    private static final List<String> GROUPS = List.of("g1", "g2");

    /** A consumer that takes a while to apply what the coordinator tells it. */
    private static final class SimClient {
        final int index;
        final String groupId;
        final String instanceId;
        final List<String> topics;
        final String regex;
        String memberId;
        int epoch;
        SortedMap<String, SortedSet<Integer>> owned = new TreeMap<>();
        /** The last assignment received, applied (revoke, then assign) when the client gets to it. */
        SortedMap<String, SortedSet<Integer>> pendingAssignment;
        boolean running;
        boolean silent;
        /** Heartbeats but never gets round to revoking: its rebalance timeout must fence it. */
        boolean stubborn;
        /** After a lost response the next heartbeat is a full one, as Kafka's client does after errors. */
        boolean sendFull;
        int incarnation;

        SimClient(int index, String groupId, String instanceId, List<String> topics, String regex) {
            this.index = index;
            this.groupId = groupId;
            this.instanceId = instanceId;
            this.topics = topics;
            this.regex = regex;
        }

        void reset() {
            owned = new TreeMap<>();
            pendingAssignment = null;
            epoch = 0;
        }
    }

    private ConsumerGroupHarness harness;
    private GroupCoordinatorShard follower;
    private int replicated;
    private final Map<String, Integer> groupEpochs = new HashMap<>();
    private final Map<String, Integer> targetEpochs = new HashMap<>();
    private final Map<String, Integer> memberEpochs = new HashMap<>();
    private final Map<String, Integer> outcomes = new TreeMap<>();

    @ParameterizedTest
    @ValueSource(longs = {1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 20261125L, 848848L})
    void randomMembershipKeepsTheInvariants(long seed) {
        System.out.println("ConsumerGroupSimulationTest seed " + seed);
        try {
            run(seed);
        } catch (AssertionError | RuntimeException failure) {
            throw new AssertionError("seed " + seed + ": " + failure.getMessage(), failure);
        }
    }

    private void run(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        harness = new ConsumerGroupHarness(TestTopics.of("foo", 6, "bar", 4, "other", 3));
        follower = new GroupCoordinatorShard(harness.config, harness.consumerConfig, harness.topics,
                new SplittableRandom(seed + 1));
        List<SimClient> clients = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            String groupId = GROUPS.get(i % GROUPS.size());
            String instanceId = i % 3 == 0 ? "instance-" + i : null;
            List<String> topics = i % 2 == 0 ? List.of("foo") : List.of("foo", "bar");
            String regex = i == 5 ? "ba.*" : null;
            clients.add(new SimClient(i, groupId, instanceId, topics, regex));
        }
        int steps = 1_500;
        for (int step = 0; step < steps; step++) {
            SimClient client = clients.get(random.nextInt(clients.size()));
            int action = random.nextInt(100);
            if (action < 50) {
                heartbeat(client, random.nextInt(3) == 0, false, seed, step);
            } else if (action < 55) {
                heartbeat(client, random.nextBoolean(), true, seed, step);
            } else if (action < 75) {
                harness.advance(random.nextInt(1, 4_000));
            } else if (action < 80) {
                leave(client);
            } else if (action < 84) {
                client.silent = !client.silent;
            } else if (action < 86) {
                crash(client, random);
            } else if (action < 87) {
                client.stubborn = !client.stubborn;
            } else if (action < 89) {
                changeTopics(random);
            } else if (action < 90) {
                harness.failover();
                outcomes.merge("failovers", 1, Integer::sum);
            } else {
                heartbeat(client, true, false, seed, step);
            }
            checkInvariants(clients, "step " + step);
        }
        // Quiet: every client runs, heartbeats promptly and applies what it is told, long enough for the sessions
        // of dead incarnations to end.
        for (SimClient client : clients) {
            client.silent = false;
            client.stubborn = false;
        }
        for (int round = 0; round < 120; round++) {
            for (SimClient client : clients) {
                heartbeat(client, true, false, seed, steps + round);
            }
            harness.advance(1_000);
            checkInvariants(clients, "quiet round " + round);
        }
        checkQuiet(clients);
        System.out.println("seed " + seed + ": heartbeats " + outcomes + ", group epochs " + groupEpochs
                + ", records " + harness.log.size());
    }

    /** One heartbeat; with {@code responseLost} the coordinator handles it but the client never hears back. */
    private void heartbeat(SimClient client, boolean apply, boolean responseLost, long seed, int step) {
        if (client.silent) {
            return;
        }
        if (!client.running) {
            client.running = true;
            client.incarnation++;
            client.memberId = client.instanceId == null ? "member-" + client.index + "-" + client.incarnation : "static-" + client.instanceId + "-" + client.incarnation;
            client.reset();
        }
        if (apply && !client.stubborn && client.pendingAssignment != null) {
            client.owned = client.pendingAssignment;
            client.pendingAssignment = null;
        }
        ConsumerGroupHeartbeatRequestData request = new ConsumerGroupHeartbeatRequestData()
                .setGroupId(client.groupId).setMemberId(client.memberId).setMemberEpoch(client.epoch)
                .setInstanceId(client.instanceId)
                .setTopicPartitions(ConsumerGroupHarness.ownedPartitions(ConsumerGroupHarness.ownedAll(client.owned)));
        if (client.epoch == 0 || client.sendFull) {
            request.setRebalanceTimeoutMs(ConsumerGroupHarness.REBALANCE_TIMEOUT_MS);
            if (client.regex != null) {
                request.setSubscribedTopicRegex(client.regex);
            } else {
                request.setSubscribedTopicNames(client.topics);
            }
        }
        if (client.epoch == 0) {
            request.setTopicPartitions(List.of());
            client.owned = new TreeMap<>();
        }
        ConsumerGroupHeartbeatResponseData response = harness.heartbeat(request);
        client.sendFull = responseLost;
        if (responseLost) {
            outcomes.merge("lost", 1, Integer::sum);
            return;
        }
        short error = response.errorCode();
        outcomes.merge(Errors.forCode(error).name(), 1, Integer::sum);
        if (response.assignment() != null && !harness.assignment(response).equals(client.owned)) {
            outcomes.merge("assignment changes", 1, Integer::sum);
        }
        if (error == Errors.FENCED_MEMBER_EPOCH.code() || error == Errors.UNKNOWN_MEMBER_ID.code()) {
            client.reset();
            return;
        }
        if (error == Errors.GROUP_ID_NOT_FOUND.code() && client.epoch > 0) {
            // The group was deleted while the member was away; a Kafka client treats this as fatal: restart.
            client.running = false;
            client.reset();
            return;
        }
        if (error == Errors.UNRELEASED_INSTANCE_ID.code()) {
            return; // the previous incarnation is still there; try again later
        }
        assertThat(error).as("heartbeat error %s at step %d (seed %d)", Errors.forCode(error), step, seed)
                .isEqualTo(Errors.NONE.code());
        assertThat(response.memberEpoch()).isGreaterThanOrEqualTo(client.epoch == 0 ? 0 : client.epoch);
        client.epoch = response.memberEpoch();
        SortedMap<String, SortedSet<Integer>> assignment = harness.assignment(response);
        if (assignment != null) {
            // New partitions are usable at once; revoked ones are given up when the client gets to it.
            client.pendingAssignment = assignment;
            SortedMap<String, SortedSet<Integer>> grown = new TreeMap<>();
            client.owned.forEach((topic, partitions) -> grown.put(topic, new TreeSet<>(partitions)));
            assignment.forEach((topic, partitions) -> grown.computeIfAbsent(topic, t -> new TreeSet<>())
                    .addAll(partitions));
            client.owned = grown;
        }
    }

    private void leave(SimClient client) {
        if (!client.running || client.silent) {
            return;
        }
        ConsumerGroupHeartbeatResponseData response = harness.heartbeat(new ConsumerGroupHeartbeatRequestData()
                .setGroupId(client.groupId).setMemberId(client.memberId).setInstanceId(client.instanceId)
                .setMemberEpoch(client.instanceId != null ? -2 : -1));
        assertThat(response.errorCode()).isIn(Errors.NONE.code(), Errors.UNKNOWN_MEMBER_ID.code(),
                Errors.GROUP_ID_NOT_FOUND.code(), Errors.FENCED_INSTANCE_ID.code());
        client.running = false;
        client.reset();
    }

    /** The process dies without a word; it comes back later as a new incarnation. */
    private void crash(SimClient client, SplittableRandom random) {
        client.running = false;
        client.silent = random.nextBoolean();
        client.reset();
    }

    private void changeTopics(SplittableRandom random) {
        TestTopics next = random.nextBoolean()
                ? harness.topics.with("foo", Math.min(harness.topics.partitionCount(TestTopics.id("foo")) + 1, 12))
                : harness.topics.with("baz", 1 + random.nextInt(3));
        harness.updateTopics(next);
    }

    private void checkInvariants(List<SimClient> clients, String where) {
        replicate();
        for (String groupId : GROUPS) {
            ConsumerGroup group = harness.shard.consumerGroup(groupId);
            if (group == null) {
                // Deleted (empty, nothing committed): a group of that id starts again from epoch 0.
                groupEpochs.remove(groupId);
                targetEpochs.remove(groupId);
                memberEpochs.keySet().removeIf(key -> key.startsWith(groupId + "/"));
                continue;
            }
            Map<UUID, Map<Integer, String>> owners = new HashMap<>();
            for (ConsumerGroupMember member : group.members()) {
                for (SortedMap<UUID, SortedMap<Integer, Integer>> partitions
                        : List.of(member.assigned(), member.pendingRevocation())) {
                    partitions.forEach((topicId, epochs) -> epochs.keySet().forEach(partition -> {
                        String previous = owners.computeIfAbsent(topicId, id -> new HashMap<>())
                                .put(partition, member.memberId());
                        assertThat(previous).as("%s: %s-%d owned by %s and %s", where, topicId, partition,
                                previous, member.memberId()).isNull();
                    }));
                }
                String memberKey = groupId + "/" + member.memberId();
                if (member.memberEpoch() >= 0) {
                    int last = memberEpochs.getOrDefault(memberKey, 0);
                    assertThat(member.memberEpoch()).as("%s: epoch of %s", where, memberKey)
                            .isGreaterThanOrEqualTo(last);
                    memberEpochs.put(memberKey, member.memberEpoch());
                }
            }
            assertThat(group.groupEpoch()).as("%s: group epoch", where)
                    .isGreaterThanOrEqualTo(groupEpochs.getOrDefault(groupId, 0));
            assertThat(group.targetAssignmentEpoch()).as("%s: target epoch", where)
                    .isGreaterThanOrEqualTo(targetEpochs.getOrDefault(groupId, 0))
                    .isLessThanOrEqualTo(group.groupEpoch());
            groupEpochs.put(groupId, group.groupEpoch());
            targetEpochs.put(groupId, group.targetAssignmentEpoch());
        }
        // What a live client holds, its member owns on the coordinator.
        for (SimClient client : clients) {
            ConsumerGroup group = harness.shard.consumerGroup(client.groupId);
            ConsumerGroupMember member = group == null || !client.running ? null : group.member(client.memberId);
            if (member == null || client.epoch == 0) {
                continue;
            }
            client.owned.forEach((topic, partitions) -> {
                for (int partition : partitions) {
                    assertThat(group.owner(TestTopics.id(topic), partition))
                            .as("%s: %s-%d held by %s", where, topic, partition, client.memberId)
                            .isEqualTo(client.memberId);
                }
            });
        }
        assertThat(follower.durableState()).as("%s: replayed state", where).isEqualTo(harness.shard.durableState());
    }

    private void replicate() {
        GroupHarness.replayThroughBytes(follower, harness.log.subList(replicated, harness.log.size()));
        replicated = harness.log.size();
    }

    private void checkQuiet(List<SimClient> clients) {
        for (String groupId : GROUPS) {
            ConsumerGroup group = harness.shard.consumerGroup(groupId);
            assertThat(group).as("group %s", groupId).isNotNull();
            assertThat(group.state().kafkaName()).as("state of %s", groupId).isEqualTo("Stable");
            Map<UUID, SortedSet<Integer>> assigned = new HashMap<>();
            for (ConsumerGroupMember member : group.members()) {
                assertThat(member.pendingRevocation()).isEmpty();
                member.assignedPartitions().forEach((topicId, partitions) ->
                        assigned.computeIfAbsent(topicId, id -> new TreeSet<>()).addAll(partitions));
            }
            for (String topic : group.subscribedTopicNames().keySet()) {
                UUID topicId = harness.topics.topicId(topic);
                if (topicId == null) {
                    continue;
                }
                assertThat(assigned.getOrDefault(topicId, new TreeSet<>()))
                        .as("partitions of %s in %s", topic, groupId)
                        .hasSize(harness.topics.partitionCount(topicId));
            }
        }
        for (SimClient client : clients) {
            ConsumerGroupMember member = harness.shard.consumerGroup(client.groupId).member(client.memberId);
            assertThat(member).as("member of %s", client.memberId).isNotNull();
            SortedMap<String, SortedSet<Integer>> expected = new TreeMap<>();
            member.assignedPartitions().forEach((topicId, partitions) ->
                    expected.put(harness.topics.topicName(topicId), partitions));
            assertThat(client.owned).as("held by %s", client.memberId).isEqualTo(expected);
        }
        GroupCoordinatorShard copy = harness.replayedCopy();
        assertThat(copy.durableState()).isEqualTo(harness.shard.durableState());
    }
}
