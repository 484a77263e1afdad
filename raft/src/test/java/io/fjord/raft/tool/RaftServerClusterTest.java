package io.fjord.raft.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fjord.protocol.Errors;
import io.fjord.raft.EntryType;
import io.fjord.raft.LogEntry;
import io.fjord.raft.OffsetAndEpoch;
import io.fjord.raft.RaftConfig;
import io.fjord.raft.ReplicaKey;
import io.fjord.raft.Role;
import io.fjord.raft.driver.QuorumDescription;
import io.fjord.raft.driver.RaftListener;
import io.fjord.raft.storage.QuorumStateFile;
import io.fjord.raft.storage.SnapshotStore;
import io.fjord.raft.transport.TransportConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three Raft nodes in one JVM over TCP on loopback, with disk storage: the IO edge end to end. */
class RaftServerClusterTest {
    @TempDir
    Path directory;

    private final Map<Integer, InetSocketAddress> voters = new LinkedHashMap<>();
    private final Map<Integer, RaftServer> servers = new LinkedHashMap<>();
    private static final int FETCH_MAX_BYTES = 1024;

    private final Map<Integer, List<String>> applied = new LinkedHashMap<>();
    private final Map<Integer, List<OffsetAndEpoch>> loaded = new LinkedHashMap<>();
    private final Map<Integer, TextStateMachine> machines = new java.util.concurrent.ConcurrentHashMap<>();

    @AfterEach
    void closeAll() throws IOException {
        for (RaftServer server : servers.values()) {
            server.close();
        }
    }

    @Test
    void threeNodesElectALeaderCommitInOrderAndSurviveALeaderCrashAndRestart() throws Exception {
        RaftServer leader = startThree();
        List<CompletableFuture<Long>> acks = new ArrayList<>();
        for (int index = 0; index < 200; index++) {
            acks.add(leader.propose(List.of(("a" + index).getBytes(StandardCharsets.UTF_8))));
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(60)).until(() -> applied.values().stream().allMatch(list -> list.size() == 200));
        assertThat(applied.get(1)).isEqualTo(applied.get(2)).isEqualTo(applied.get(3));

        for (int id : servers.keySet()) {
            QuorumStateFile.Stored stored = new QuorumStateFile(directory.resolve("node-" + id)).read();
            assertThat(stored.leaderId()).as("leader in node %d's quorum-state", id).isEqualTo(leader.nodeId());
            assertThat(stored.state().epoch()).isEqualTo(leader.status().epoch());
        }
        QuorumDescription quorum = leader.describeQuorum().get(30, TimeUnit.SECONDS);
        assertThat(quorum.leaderId()).isEqualTo(leader.nodeId());
        assertThat(quorum.voters()).hasSize(3);

        int crashed = leader.nodeId();
        servers.remove(crashed).close();
        RaftServer next = awaitLeader(crashed);
        assertThat(next.propose(List.of("after".getBytes(StandardCharsets.UTF_8))).get(60, TimeUnit.SECONDS))
                .isGreaterThan(200);

        applied.get(crashed).clear();
        start(crashed);
        await().atMost(Duration.ofSeconds(60)).until(() -> applied.get(crashed).size() == 201);
        assertThat(applied.get(crashed)).isEqualTo(applied.get(next.nodeId()));
    }

    @Test
    void aFollowerBehindTheLeadersLogStartCatchesUpFromItsSnapshotInChunksOverTcp() throws Exception {
        RaftServer leader = startThree();
        int behind = leader.nodeId() % 3 + 1;
        servers.remove(behind).close();
        List<CompletableFuture<Long>> acks = new ArrayList<>();
        for (int index = 0; index < 300; index++) {
            acks.add(leader.propose(List.of(("entry-" + index).getBytes(StandardCharsets.UTF_8))));
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(60)).until(() -> machines.get(leader.nodeId()).save().offset() > 300);

        TextStateMachine.Saved saved = machines.get(leader.nodeId()).save();
        OffsetAndEpoch snapshotId = leader.createSnapshot(saved.offset(), saved.bytes()).get(60, TimeUnit.SECONDS);
        assertThat(snapshotId.offset()).isEqualTo(saved.offset());
        assertThat(saved.bytes().length).as("several chunks of %d bytes", FETCH_MAX_BYTES)
                .isGreaterThan(3 * FETCH_MAX_BYTES);
        assertThat(leader.propose(List.of("after".getBytes(StandardCharsets.UTF_8))).get(60, TimeUnit.SECONDS))
                .isGreaterThanOrEqualTo(saved.offset());

        applied.get(behind).clear();
        start(behind);
        await().atMost(Duration.ofSeconds(60)).until(() -> applied.get(behind).size() == 301);
        assertThat(applied.get(behind)).isEqualTo(applied.get(leader.nodeId()));
        assertThat(loaded.get(behind)).containsExactly(snapshotId);
        Path snapshotFile = directory.resolve("node-" + behind).resolve("__cluster_metadata-0")
                .resolve(SnapshotStore.fileName(snapshotId));
        assertThat(snapshotFile).exists();

        // A restart loads the snapshot from disk and applies the log after it.
        servers.remove(behind).close();
        applied.get(behind).clear();
        loaded.get(behind).clear();
        start(behind);
        await().atMost(Duration.ofSeconds(60)).until(() -> applied.get(behind).size() == 301);
        assertThat(applied.get(behind)).isEqualTo(applied.get(leader.nodeId()));
        assertThat(loaded.get(behind)).containsExactly(snapshotId);
    }

    @Test
    void anObserverBecomesAVoterAndAVoterIsRemovedOverTcp() throws Exception {
        for (int id = 1; id <= 4; id++) {
            voters.put(id, new InetSocketAddress("127.0.0.1", freePort()));
        }
        // Nodes 1-3 are the initial voters; node 4 knows every endpoint (Fjord keeps endpoints in configuration)
        // and follows as an observer.
        Set<Integer> initialVoters = Set.of(1, 2, 3);
        for (int id = 1; id <= 4; id++) {
            start(id, initialVoters);
        }
        assertThat(proposeThroughLeader("before")).isPositive();
        await().atMost(Duration.ofSeconds(60)).until(() -> applied.get(4).size() == 1);
        RaftServer observer = servers.get(4);
        assertThat(observer.voters().ids()).containsExactlyInAnyOrder(1, 2, 3);
        assertThat(observer.directoryId()).isNotEqualTo(ReplicaKey.NO_DIRECTORY);

        // Under load a new leader may take over between a request and its commit: ask the leader of the moment
        // again (a retried addition that had committed answers DUPLICATE_VOTER).
        assertThat(throughLeader(leader -> leader.addVoter(4, observer.directoryId(), 5_000)))
                .isIn(Errors.NONE, Errors.DUPLICATE_VOTER);
        assertThat(throughLeader(leader -> leader.addVoter(4, observer.directoryId(), 5_000)))
                .isEqualTo(Errors.DUPLICATE_VOTER);
        await().atMost(Duration.ofSeconds(60)).until(() -> servers.values().stream()
                .map(server -> server.nodeId() + "=" + server.voters() + "/" + server.status()).toList(),
                views -> servers.values().stream().allMatch(server -> server.voters().ids().equals(Set.of(1, 2, 3, 4))));

        // A voter other than the leader of the moment (nodes 1-3 only: node 4 stays to observe the commits).
        int removed = awaitLeader(-1).nodeId() % 3 + 1;
        assertThat(throughLeader(leader -> leader.removeVoter(removed, servers.get(removed).directoryId())))
                .isIn(Errors.NONE, Errors.VOTER_NOT_FOUND);
        await().atMost(Duration.ofSeconds(60)).until(() -> servers.values().stream()
                .allMatch(server -> !server.voters().containsId(removed) && server.voters().size() == 3));
        // The new set (the two remaining voters of 1-3 and node 4) commits without the removed node.
        servers.remove(removed).close();
        assertThat(proposeThroughLeader("after")).isPositive();
        await().atMost(Duration.ofSeconds(60)).until(() -> applied.get(4).size() == 2);
        RaftServer leader = awaitLeader(-1);
        RaftServer follower = servers.values().stream().filter(server -> server != leader).findFirst().orElseThrow();
        assertThat(follower.removeVoter(1, ReplicaKey.NO_DIRECTORY).get(60, TimeUnit.SECONDS))
                .isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
    }

    /** Proposes one record through the leader of the moment, again if leadership moved before the commit. */
    private long proposeThroughLeader(String record) {
        return await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() -> awaitLeader(-1)
                .propose(List.of(record.getBytes(StandardCharsets.UTF_8))).get(60, TimeUnit.SECONDS), offset -> true);
    }

    /**
     * A voter change sent to the leader of the moment, again while the answer is that it was not (or no longer) the
     * leader, or REQUEST_TIMED_OUT (a new leader has not committed an entry of its epoch yet).
     */
    private Errors throughLeader(Function<RaftServer, CompletableFuture<Errors>> change) {
        return await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() -> change.apply(awaitLeader(-1))
                .get(60, TimeUnit.SECONDS), error -> error != Errors.NOT_LEADER_OR_FOLLOWER
                && error != Errors.REQUEST_TIMED_OUT);
    }

    private RaftServer startThree() throws Exception {
        for (int id = 1; id <= 3; id++) {
            voters.put(id, new InetSocketAddress("127.0.0.1", freePort()));
        }
        for (int id = 1; id <= 3; id++) {
            start(id);
        }
        return awaitLeader(-1);
    }

    private void start(int id) throws Exception {
        start(id, voters.keySet());
    }

    private void start(int id, Set<Integer> voterIds) throws Exception {
        RaftConfig config = RaftConfig.withDefaults(id, voterIds).withTimeouts(300, 600, 300, 600, 200)
                .withFetchMaxBytes(FETCH_MAX_BYTES);
        List<String> log = applied.computeIfAbsent(id, key -> new CopyOnWriteArrayList<>());
        List<OffsetAndEpoch> snapshots = loaded.computeIfAbsent(id, key -> new CopyOnWriteArrayList<>());
        TextStateMachine machine = new TextStateMachine();
        machines.put(id, machine);
        RaftListener listener = new RaftListener() {
            @Override
            public void onCommitted(LogEntry entry) {
                record(log, entry);
                machine.apply(entry.offset(), entry.type() == EntryType.DATA ? entry.offset() + ":"
                        + new String(entry.payload(), StandardCharsets.UTF_8) : null);
            }

            @Override
            public void onSnapshotLoaded(OffsetAndEpoch snapshotId, byte[] state) {
                snapshots.add(snapshotId);
                log.clear();
                log.addAll(machine.load(snapshotId.offset(), state));
            }
        };
        RaftServer server = new RaftServer(config, TransportConfig.withDefaults(voters.get(id), voters, "test"),
                directory.resolve("node-" + id), listener);
        server.start();
        servers.put(id, server);
    }

    private static void record(List<String> log, LogEntry entry) {
        if (entry.type() == EntryType.DATA) {
            log.add(entry.offset() + ":" + new String(entry.payload(), StandardCharsets.UTF_8));
        }
    }

    private RaftServer awaitLeader(int notId) {
        return await().atMost(Duration.ofSeconds(60)).until(() -> servers.values().stream()
                .filter(server -> server.nodeId() != notId && server.status().role() == Role.LEADER)
                .findFirst().orElse(null), server -> server != null);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
