package io.fjord.broker.coordinator.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.coordinator.group.records.CoordinatorRecord;
import io.fjord.broker.coordinator.group.records.GroupKey;
import io.fjord.broker.coordinator.group.records.GroupMemberMetadata;
import io.fjord.broker.coordinator.group.records.GroupMetadataValue;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.JoinGroupResponseData;
import io.fjord.protocol.message.SyncGroupResponseData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded random runs of clients joining, syncing, heartbeating, committing, leaving and going silent against one
 * shard while time moves. After every step: a partition is assigned to at most one member in each persisted
 * generation and in what members receive; generations only grow; every request is answered at most once. Along
 * the way and at the end: a fresh shard replaying the records (through their bytes) has the same durable state.
 * At the end, after deactivation, every request has been answered.
 */
class GroupCoordinatorSimulationTest {
    private static final int PARTITIONS = 6;
    private static final List<String> GROUPS = List.of("g1", "g2");

    /** One simulated consumer. */
    private static final class Client {
        final String groupId;
        final String instanceId;
        String memberId = "";
        int generationId = -1;
        boolean joining;
        boolean syncing;
        boolean silent;
        /** The request whose answer the client waits for; answers to older ones are ignored, as a client does. */
        long currentRequestId = -1;

        Client(String groupId, String instanceId) {
            this.groupId = groupId;
            this.instanceId = instanceId;
        }
    }

    private record Pending(Client client, String kind, int generationId) {
    }

    private GroupHarness harness;
    private final Map<Long, Pending> pending = new HashMap<>();
    private final Set<Long> issued = new HashSet<>();
    private final Map<String, Integer> lastGeneration = new HashMap<>();
    /** group/generation -> partition -> member, from what SyncGroup handed out. */
    private final Map<String, Map<Integer, String>> received = new HashMap<>();
    private int logChecked;
    private int successfulSyncs;

    @ParameterizedTest
    @ValueSource(longs = {1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 20261125L, 424242L})
    void randomOperationsKeepTheInvariants(long seed) {
        System.out.println("GroupCoordinatorSimulationTest seed " + seed);
        SplittableRandom random = new SplittableRandom(seed);
        harness = new GroupHarness(new GroupCoordinatorConfig(1_000, 60_000, 500, 5, 4_096, 120_000L, 5_000L,
                20_000), seed);
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            clients.add(new Client(GROUPS.get(i % GROUPS.size()), i % 3 == 0 ? "instance-" + i : null));
        }
        for (int step = 0; step < 1_500; step++) {
            Client client = clients.get(random.nextInt(clients.size()));
            int action = random.nextInt(100);
            if (action < 25) {
                harness.advance(random.nextInt(1, 4_000));
            } else if (client.silent) {
                if (action < 30) {
                    client.silent = false; // restarts: a static member comes back under its instance id
                    client.memberId = "";
                    client.generationId = -1;
                    client.joining = false;
                    client.syncing = false;
                    join(client);
                }
            } else if (action < 45) {
                if (!client.joining && !client.syncing) {
                    join(client);
                }
            } else if (action < 70) {
                if (client.generationId >= 0) {
                    heartbeat(client);
                }
            } else if (action < 80) {
                if (client.generationId >= 0) {
                    harness.commit((short) 9, client.groupId, client.memberId, client.generationId, "topic",
                            random.nextInt(PARTITIONS), step);
                } else if (random.nextInt(10) == 0) {
                    harness.commit((short) 9, "simple", "", -1, "topic", random.nextInt(PARTITIONS), step);
                }
            } else if (action < 85) {
                if (!client.memberId.isEmpty()) {
                    harness.leave(client.groupId, client.memberId, client.instanceId);
                    client.memberId = "";
                    client.generationId = -1;
                }
            } else if (action < 90) {
                client.silent = true; // stops talking without leaving
            } else if (action < 92) {
                harness.call((short) 2, context -> harness.shard.deleteGroups(context,
                        new io.fjord.protocol.message.DeleteGroupsRequestData().setGroupsNames(
                                new ArrayList<>(List.of(client.groupId))), harness.nowMs));
            }
            processReplies(random);
            checkInvariants();
            if (step % 250 == 0) {
                assertThat(harness.replayedCopy(seed + step).durableState()).isEqualTo(harness.shard.durableState());
            }
        }
        assertThat(harness.replayedCopy(seed).durableState()).isEqualTo(harness.shard.durableState());
        System.out.println("seed " + seed + ": " + successfulSyncs + " assignments received, generations "
                + lastGeneration + ", " + harness.log.size() + " records");
        assertThat(successfulSyncs).as("the run formed groups").isGreaterThan(20);
        harness.collect(harness.shard.deactivate(harness.nowMs));
        assertThat(harness.replies.keySet()).containsAll(issued);
    }

    private void join(Client client) {
        if (client.silent) {
            return;
        }
        client.joining = true;
        long id = harness.join(client.groupId, client.memberId, client.instanceId, List.of("topic"));
        track(id, new Pending(client, "join", -1));
    }

    private void heartbeat(Client client) {
        short error = harness.heartbeat(client.groupId, client.memberId, client.instanceId, client.generationId);
        if (error == Errors.REBALANCE_IN_PROGRESS.code() || error == Errors.ILLEGAL_GENERATION.code()) {
            if (!client.joining && !client.syncing) {
                join(client);
            }
        } else if (error == Errors.UNKNOWN_MEMBER_ID.code() || error == Errors.FENCED_INSTANCE_ID.code()) {
            client.memberId = "";
            client.generationId = -1;
        }
    }

    private void track(long requestId, Pending what) {
        what.client().currentRequestId = requestId;
        issued.add(requestId);
        pending.put(requestId, what);
    }

    /** Hands replies to their clients, which react (sync after join, rejoin after errors) until quiet. */
    private void processReplies(SplittableRandom random) {
        boolean progress = true;
        int rounds = 0;
        List<String> trace = new ArrayList<>();
        while (progress) {
            progress = false;
            if (++rounds > 1_000) {
                throw new AssertionError("clients and coordinator keep answering each other: "
                        + trace.subList(Math.max(0, trace.size() - 12), trace.size()));
            }
            for (Long requestId : new ArrayList<>(pending.keySet())) {
                ApiMessage reply = harness.replies.get(requestId);
                if (reply == null) {
                    continue;
                }
                Pending what = pending.remove(requestId);
                progress = true;
                if (what.client().currentRequestId != requestId) {
                    continue;
                }
                trace.add(what.kind() + " " + what.client().memberId + "/" + what.client().instanceId + " -> "
                        + reply);
                if (what.kind().equals("join")) {
                    onJoin(what.client(), (JoinGroupResponseData) reply, random);
                } else {
                    onSync(what.client(), what.generationId(), (SyncGroupResponseData) reply);
                }
            }
        }
    }

    private void onJoin(Client client, JoinGroupResponseData response, SplittableRandom random) {
        client.joining = false;
        Errors error = Errors.forCode(response.errorCode());
        if (client.silent) {
            return;
        }
        if (error == Errors.MEMBER_ID_REQUIRED) {
            client.memberId = response.memberId();
            join(client);
            return;
        }
        if (error != Errors.NONE) {
            if (error == Errors.UNKNOWN_MEMBER_ID || error == Errors.FENCED_INSTANCE_ID) {
                client.memberId = "";
            }
            client.generationId = -1;
            return;
        }
        int previous = lastGeneration.getOrDefault(client.groupId, 0);
        assertThat(response.generationId()).as("generation of " + client.groupId).isGreaterThanOrEqualTo(previous);
        lastGeneration.put(client.groupId, response.generationId());
        client.memberId = response.memberId();
        client.generationId = response.generationId();
        Map<String, byte[]> assignment = new LinkedHashMap<>();
        if (response.leader().equals(response.memberId()) && !response.skipAssignment()) {
            List<String> members = response.members().stream().map(m -> m.memberId()).toList();
            Map<String, List<Integer>> partitions = new LinkedHashMap<>();
            members.forEach(member -> partitions.put(member, new ArrayList<>()));
            int offset = random.nextInt(members.size());
            for (int partition = 0; partition < PARTITIONS; partition++) {
                partitions.get(members.get((partition + offset) % members.size())).add(partition);
            }
            partitions.forEach((member, list) -> assignment.put(member, GroupHarness.assignment(list)));
        }
        client.syncing = true;
        long id = harness.sync(client.groupId, client.memberId, client.instanceId, client.generationId, assignment);
        track(id, new Pending(client, "sync", client.generationId));
    }

    private void onSync(Client client, int generationId, SyncGroupResponseData response) {
        client.syncing = false;
        if (response.errorCode() != Errors.NONE.code()) {
            if (response.errorCode() == Errors.UNKNOWN_MEMBER_ID.code()
                    || response.errorCode() == Errors.FENCED_INSTANCE_ID.code()) {
                client.memberId = "";
                client.generationId = -1;
            } else if (!client.joining && !client.silent) {
                join(client);
            }
            return;
        }
        successfulSyncs++;
        Map<Integer, String> owners = received.computeIfAbsent(client.groupId + "/" + generationId,
                key -> new HashMap<>());
        // A static member that restarted keeps its partitions under a new member id in the same generation.
        String identity = client.instanceId != null ? client.instanceId : client.memberId;
        for (int partition : GroupHarness.partitions(response.assignment())) {
            String owner = owners.putIfAbsent(partition, identity);
            assertThat(owner == null || owner.equals(identity))
                    .as("partition %d of %s generation %d given to %s and %s", partition, client.groupId,
                            generationId, owner, identity)
                    .isTrue();
        }
    }

    private final Map<String, Integer> persistedGeneration = new HashMap<>();

    private void checkInvariants() {
        for (; logChecked < harness.log.size(); logChecked++) {
            CoordinatorRecord record = harness.log.get(logChecked);
            if (!(record.key() instanceof GroupKey key)) {
                continue;
            }
            if (record.value() == null) {
                persistedGeneration.remove(key.groupId());
                lastGeneration.remove(key.groupId());
                received.keySet().removeIf(name -> name.startsWith(key.groupId() + "/"));
                continue;
            }
            GroupMetadataValue value = (GroupMetadataValue) record.value();
            Integer before = persistedGeneration.put(key.groupId(), value.generation());
            assertThat(value.generation()).as("persisted generation of " + key.groupId())
                    .isGreaterThanOrEqualTo(before == null ? 0 : before);
            Set<Integer> assigned = new HashSet<>();
            for (GroupMemberMetadata member : value.members()) {
                for (int partition : GroupHarness.partitions(member.assignment())) {
                    assertThat(assigned.add(partition)).as("partition %d twice in %s", partition, value).isTrue();
                }
            }
        }
    }
}
