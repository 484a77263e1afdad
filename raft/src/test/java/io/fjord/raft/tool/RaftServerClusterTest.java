package io.fjord.raft.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fjord.raft.EntryType;
import io.fjord.raft.LogEntry;
import io.fjord.raft.RaftConfig;
import io.fjord.raft.Role;
import io.fjord.raft.driver.QuorumDescription;
import io.fjord.raft.driver.RaftListener;
import io.fjord.raft.storage.QuorumStateFile;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three Raft nodes in one JVM over TCP on loopback, with disk storage: the IO edge end to end. */
class RaftServerClusterTest {
    @TempDir
    Path directory;

    private final Map<Integer, InetSocketAddress> voters = new LinkedHashMap<>();
    private final Map<Integer, RaftServer> servers = new LinkedHashMap<>();
    private final Map<Integer, List<String>> applied = new LinkedHashMap<>();

    @AfterEach
    void closeAll() throws IOException {
        for (RaftServer server : servers.values()) {
            server.close();
        }
    }

    @Test
    void threeNodesElectALeaderCommitInOrderAndSurviveALeaderCrashAndRestart() throws Exception {
        for (int id = 1; id <= 3; id++) {
            voters.put(id, new InetSocketAddress("127.0.0.1", freePort()));
        }
        for (int id = 1; id <= 3; id++) {
            start(id);
        }
        RaftServer leader = awaitLeader(-1);
        List<CompletableFuture<Long>> acks = new ArrayList<>();
        for (int index = 0; index < 200; index++) {
            acks.add(leader.propose(List.of(("a" + index).getBytes(StandardCharsets.UTF_8))));
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> applied.values().stream().allMatch(list -> list.size() == 200));
        assertThat(applied.get(1)).isEqualTo(applied.get(2)).isEqualTo(applied.get(3));

        for (int id : servers.keySet()) {
            QuorumStateFile.Stored stored = new QuorumStateFile(directory.resolve("node-" + id)).read();
            assertThat(stored.leaderId()).as("leader in node %d's quorum-state", id).isEqualTo(leader.nodeId());
            assertThat(stored.state().epoch()).isEqualTo(leader.status().epoch());
        }
        QuorumDescription quorum = leader.describeQuorum().get(5, TimeUnit.SECONDS);
        assertThat(quorum.leaderId()).isEqualTo(leader.nodeId());
        assertThat(quorum.voters()).hasSize(3);

        int crashed = leader.nodeId();
        servers.remove(crashed).close();
        RaftServer next = awaitLeader(crashed);
        assertThat(next.propose(List.of("after".getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS))
                .isGreaterThan(200);

        applied.get(crashed).clear();
        start(crashed);
        await().atMost(Duration.ofSeconds(10)).until(() -> applied.get(crashed).size() == 201);
        assertThat(applied.get(crashed)).isEqualTo(applied.get(next.nodeId()));
    }

    private void start(int id) throws Exception {
        RaftConfig config = RaftConfig.withDefaults(id, voters.keySet()).withTimeouts(300, 600, 300, 600, 200);
        List<String> log = applied.computeIfAbsent(id, key -> new CopyOnWriteArrayList<>());
        RaftListener listener = entry -> record(log, entry);
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
        return await().atMost(Duration.ofSeconds(10)).until(() -> servers.values().stream()
                .filter(server -> server.nodeId() != notId && server.status().role() == Role.LEADER)
                .findFirst().orElse(null), server -> server != null);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
