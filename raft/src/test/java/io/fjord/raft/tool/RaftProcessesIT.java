package io.fjord.raft.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fjord.raft.RaftConfig;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three Raft nodes in three JVMs on loopback over TCP, with Kafka's default timeouts: kill -9 the leader under a
 * stream of proposals, a new leader commits within the bound, no acknowledged entry is lost, and the killed node
 * restarts from its disk and catches up to the same log — from the survivors' snapshot, taken after the kill.
 *
 * <p>Failover time is a performance figure, measured by {@code RaftQuorumBench --failovers N} (docs/performance.md:
 * p50 100 ms, max 291 ms on a quiet machine); this test prints the time it saw and asserts only liveness: a new
 * leader commits within a generous bound that holds on a busy 2-core machine running two suites at once. The
 * survivors' transports see the killed leader's connections close at once and tell their cores
 * ({@code RaftNode.onPeerUnreachable}), so a new leader is normally elected in well under a second.
 */
class RaftProcessesIT {
    /** A liveness bound, not a performance claim: 30 x Kafka's default election timeout. */
    private static final Duration FAILOVER_LIVENESS_BOUND =
            Duration.ofMillis(30L * RaftConfig.DEFAULT_ELECTION_TIMEOUT_MS);

    /** Where the nodes' logs are kept after each test, for a failure's post-mortem. */
    private static final Path KEPT_LOGS = Path.of("target", "raft-processes-it");

    /** A failure prints the nodes' logs into the test report, so that a CI run's report alone shows the cause. */
    @RegisterExtension
    static final TestWatcher PRINT_LOGS_ON_FAILURE = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            try (DirectoryStream<Path> logs = Files.newDirectoryStream(KEPT_LOGS, "node-*.log")) {
                for (Path log : logs) {
                    System.out.println("==== " + log);
                    Files.readAllLines(log).forEach(System.out::println);
                }
            } catch (IOException e) {
                System.out.println("cannot print the nodes' logs: " + e);
            }
        }
    };

    @TempDir
    Path directory;

    private final Map<Integer, RaftNodeProcess> nodes = new LinkedHashMap<>();

    @AfterEach
    void killAll() throws IOException {
        for (RaftNodeProcess node : nodes.values()) {
            node.close();
        }
        // The nodes' logs outlive the temporary directory, for a failure's post-mortem.
        Files.createDirectories(KEPT_LOGS);
        try (DirectoryStream<Path> logs = Files.newDirectoryStream(directory, "node-*.log")) {
            for (Path log : logs) {
                Files.copy(log, KEPT_LOGS.resolve(log.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    @Test
    void killNineOfTheLeaderUnderProposalsLosesNothingAndTheNodeCatchesUp() throws Exception {
        List<String> addresses = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            addresses.add(id + "@127.0.0.1:" + RaftServerClusterTest.freePort());
        }
        String voters = String.join(",", addresses);
        for (int id = 1; id <= 3; id++) {
            nodes.put(id, RaftNodeProcess.start(id, voters, directory.resolve("node-" + id), List.of()));
        }
        RaftNodeProcess first = awaitLeader();

        AtomicBoolean proposing = new AtomicBoolean(true);
        Thread proposer = new Thread(() -> {
            for (int index = 0; proposing.get(); index++) {
                RaftNodeProcess leader = currentLeader();
                if (leader != null) {
                    leader.command("propose p" + index);
                }
                // Pacing of the proposal stream (about 500 a second), not synchronisation.
                LockSupport.parkNanos(2_000_000);
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
            }
        }, "proposer");
        proposer.start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> first.acks.size() >= 200);
            long killNanos = System.nanoTime();
            first.killNine();
            awaitOrDescribe(FAILOVER_LIVENESS_BOUND, "a commit after the kill",
                    () -> firstAckAfter(killNanos, first) > 0);
            long failoverMs = (firstAckAfter(killNanos, first) - killNanos) / 1_000_000;
            System.out.printf("failover: first commit by the new leader %d ms after kill -9 of node %d%n",
                    failoverMs, first.nodeId);
            long acksAtFailover = acksOfSurvivors(first);
            awaitOrDescribe(Duration.ofSeconds(60), "200 more commits",
                    () -> acksOfSurvivors(first) >= acksAtFailover + 200);
        } finally {
            proposing.set(false);
            proposer.join();
        }

        // The survivors snapshot what they applied: the log then starts beyond the killed node's end, so it catches
        // up from the leader's snapshot (FetchSnapshot over TCP) and then from the log.
        for (RaftNodeProcess node : nodes.values()) {
            if (node != first) {
                node.command("snapshot");
            }
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> nodes.values().stream()
                .filter(node -> node != first).allMatch(node -> node.snapshotsCreated.get() == 1));
        RaftNodeProcess restarted = RaftNodeProcess.start(first.nodeId, voters,
                directory.resolve("node-" + first.nodeId), List.of());
        Map<String, Long> acknowledged = new HashMap<>(first.acks);
        nodes.put(first.nodeId, restarted);
        nodes.values().forEach(node -> acknowledged.putAll(node.acks));

        await().atMost(Duration.ofSeconds(60)).until(() -> nodes.values().stream()
                .allMatch(node -> node.applied.size() >= appliedOfSurvivorsMax()) && sameLogs());
        List<String> log = nodes.values().iterator().next().applied;
        Map<String, Long> offsetOfText = new HashMap<>();
        for (String entry : log) {
            String[] fields = entry.split(" ");
            assertThat(offsetOfText.put(fields[2], Long.parseLong(fields[0]))).as("entry %s applied once", fields[2])
                    .isNull();
        }
        assertThat(acknowledged).as("acknowledged proposals").hasSizeGreaterThanOrEqualTo(400);
        acknowledged.forEach((text, offset) -> assertThat(offsetOfText.get(text))
                .as("acknowledged %s at offset %d", text, offset).isEqualTo(offset));
        assertThat(restarted.snapshotsLoaded.get()).as("snapshots the restarted node loaded").isEqualTo(1);
        System.out.printf("%d entries applied by all three nodes, %d acknowledged, none lost; the restarted node "
                + "caught up from a snapshot%n", log.size(), acknowledged.size());
    }

    /** Awaits the condition; a timeout fails with each node's state. */
    private void awaitOrDescribe(Duration bound, String what, Callable<Boolean> condition) {
        try {
            await().atMost(bound).until(condition);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no " + what + " within " + bound + "; the nodes:" + describeNodes(), e);
        }
    }

    /** Each node's role, epoch, liveness and counts, for a failure's message. */
    private String describeNodes() {
        StringBuilder description = new StringBuilder();
        for (RaftNodeProcess node : nodes.values()) {
            description.append(String.format("%n  node %d: %s", node.nodeId, node.describe()));
        }
        return description.toString();
    }

    private RaftNodeProcess awaitLeader() {
        return await().atMost(Duration.ofSeconds(120)).until(this::currentLeader, leader -> leader != null);
    }

    /** The live node that reported leadership of the highest epoch, if any. */
    private RaftNodeProcess currentLeader() {
        RaftNodeProcess best = null;
        for (RaftNodeProcess node : nodes.values()) {
            if (node.isLeader() && (best == null || node.epoch() > best.epoch())) {
                best = node;
            }
        }
        return best;
    }

    private long firstAckAfter(long killNanos, RaftNodeProcess killed) {
        long first = Long.MAX_VALUE;
        for (RaftNodeProcess node : nodes.values()) {
            if (node != killed) {
                for (long nanos : node.ackNanos.values()) {
                    if (nanos > killNanos) {
                        first = Math.min(first, nanos);
                    }
                }
            }
        }
        return first == Long.MAX_VALUE ? -1 : first;
    }

    private long acksOfSurvivors(RaftNodeProcess killed) {
        return nodes.values().stream().filter(node -> node != killed).mapToLong(node -> node.acks.size()).sum();
    }

    private int appliedOfSurvivorsMax() {
        return nodes.values().stream().mapToInt(node -> node.applied.size()).max().orElse(0);
    }

    private boolean sameLogs() {
        List<List<String>> logs = nodes.values().stream().map(node -> List.copyOf(node.applied)).toList();
        return logs.stream().allMatch(logs.get(0)::equals);
    }
}
