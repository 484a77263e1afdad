package io.fjord.bench.raft;

import io.fjord.raft.RaftConfig;
import io.fjord.raft.Role;
import io.fjord.raft.driver.RaftListener;
import io.fjord.raft.tool.RaftServer;
import io.fjord.raft.transport.TransportConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Benchmark of a 3-node Raft quorum on loopback over TCP with disk storage (fsync before every acknowledgement):
 * three {@link RaftServer}s in this JVM, each with its own data directory, transport and driver thread.
 * <ol>
 *   <li>Commits: proposals of {@code --entry-bytes} from one client with up to {@code --in-flight} outstanding, for
 *       {@code --duration-s}; commits/s and the latency from propose to commit (HdrHistogram, p50/p99/max).</li>
 *   <li>Failover, {@code --failovers} times: the leader is stopped like a crash (no resignation sent; its
 *       connections close), a client proposes to whichever node leads, one entry at a time, and the time from the
 *       stop to the first commit by the new leader is measured; then the stopped node restarts and catches up.</li>
 * </ol>
 * {@code java -cp bench/target/fjord-bench.jar io.fjord.bench.raft.RaftQuorumBench}. The summary ends with a
 * {@code RESULT key=value ...} line. Not thread-safe; one run per process.
 */
@Command(name = "raft-quorum-bench", mixinStandardHelpOptions = true,
        description = "Commits/s, commit latency and failover time of a 3-node Raft quorum on loopback.")
public final class RaftQuorumBench implements Callable<Integer> {
    @Option(names = "--duration-s", defaultValue = "20", description = "Length of the commit phase.")
    int durationSeconds;
    @Option(names = "--in-flight", defaultValue = "1000", description = "Proposals outstanding at most.")
    int inFlight;
    @Option(names = "--entry-bytes", defaultValue = "100", description = "Payload of each entry.")
    int entryBytes;
    @Option(names = "--failovers", defaultValue = "5", description = "Leader crashes to measure.")
    int failovers;
    @Option(names = "--election-timeout-ms", defaultValue = "" + RaftConfig.DEFAULT_ELECTION_TIMEOUT_MS)
    int electionTimeoutMs;
    @Option(names = "--fetch-timeout-ms", defaultValue = "" + RaftConfig.DEFAULT_FETCH_TIMEOUT_MS)
    int fetchTimeoutMs;
    @Option(names = "--data-dir", description = "Where the nodes' directories go (default: a temporary directory).")
    Path dataDirectory;

    private final Map<Integer, InetSocketAddress> voters = new LinkedHashMap<>();
    private final Map<Integer, RaftServer> servers = new LinkedHashMap<>();
    private Path root;

    public static void main(String[] arguments) {
        System.exit(new CommandLine(new RaftQuorumBench()).execute(arguments));
    }

    @Override
    public Integer call() throws Exception {
        root = dataDirectory != null ? Files.createDirectories(dataDirectory) : Files.createTempDirectory("raft-bench");
        for (int id = 1; id <= 3; id++) {
            try (ServerSocket socket = new ServerSocket(0)) {
                voters.put(id, new InetSocketAddress("127.0.0.1", socket.getLocalPort()));
            }
        }
        try {
            for (int id : voters.keySet()) {
                start(id);
            }
            awaitLeader(-1, 30_000);
            Histogram latencies = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
            long commits = commitPhase(latencies);
            double seconds = durationSeconds;
            Histogram failoverMs = new Histogram(TimeUnit.MINUTES.toMillis(5), 3);
            for (int round = 0; round < failovers; round++) {
                long measured = failover();
                failoverMs.recordValue(measured);
                System.err.printf(Locale.ROOT, "failover %d: %d ms%n", round + 1, measured);
            }
            System.out.printf(Locale.ROOT, "3-node Raft quorum on loopback, fsync on, %d B entries, %d in flight, "
                            + "election timeout %d ms, fetch timeout %d ms%n", entryBytes, inFlight,
                    electionTimeoutMs, fetchTimeoutMs);
            System.out.printf(Locale.ROOT, "commits: %,d in %d s = %,.0f commits/s; latency p50 %.2f ms, p99 %.2f ms, "
                            + "max %.2f ms%n", commits, durationSeconds, commits / seconds,
                    latencies.getValueAtPercentile(50) / 1000.0, latencies.getValueAtPercentile(99) / 1000.0,
                    latencies.getMaxValue() / 1000.0);
            if (failovers > 0) {
                System.out.printf(Locale.ROOT, "failover (leader crash to first commit by the new leader), %d runs: "
                                + "min %d ms, p50 %d ms, max %d ms%n", failovers, failoverMs.getMinValue(),
                        failoverMs.getValueAtPercentile(50), failoverMs.getMaxValue());
            }
            System.out.printf(Locale.ROOT, "RESULT commitsPerSecond=%.0f latencyP50Ms=%.2f latencyP99Ms=%.2f%s%n",
                    commits / seconds, latencies.getValueAtPercentile(50) / 1000.0,
                    latencies.getValueAtPercentile(99) / 1000.0, failovers == 0 ? ""
                            : String.format(Locale.ROOT, " failoverMinMs=%d failoverP50Ms=%d failoverMaxMs=%d",
                                    failoverMs.getMinValue(), failoverMs.getValueAtPercentile(50),
                                    failoverMs.getMaxValue()));
            return 0;
        } finally {
            for (RaftServer server : servers.values()) {
                server.close();
            }
            if (dataDirectory == null) {
                deleteRecursively(root);
            }
        }
    }

    private long commitPhase(Histogram latencies) throws Exception {
        byte[] payload = new byte[entryBytes];
        Semaphore window = new Semaphore(inFlight);
        AtomicLong committed = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long endNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(durationSeconds);
        RaftServer leader = awaitLeader(-1, 30_000);
        while (System.nanoTime() < endNanos) {
            if (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                continue;
            }
            long startNanos = System.nanoTime();
            leader.propose(List.of(payload)).whenComplete((offset, failure) -> {
                if (failure == null) {
                    if (System.nanoTime() <= endNanos) {
                        committed.incrementAndGet();
                    }
                    synchronized (latencies) {
                        latencies.recordValue((System.nanoTime() - startNanos) / 1000);
                    }
                } else {
                    failed.incrementAndGet();
                }
                window.release();
            });
        }
        window.acquire(inFlight);
        window.release(inFlight);
        if (failed.get() > 0) {
            System.err.printf("%d proposals failed during the commit phase%n", failed.get());
        }
        return committed.get();
    }

    /** Crashes the leader; returns the milliseconds to the first commit by its successor; restarts it. */
    private long failover() throws Exception {
        RaftServer leader = awaitLeader(-1, 30_000);
        int crashed = leader.nodeId();
        long killNanos = System.nanoTime();
        servers.remove(crashed).close();
        long firstCommitNanos = -1;
        while (firstCommitNanos < 0) {
            RaftServer next = servers.values().stream().filter(server -> server.status().role() == Role.LEADER)
                    .findFirst().orElse(null);
            if (next == null) {
                Thread.onSpinWait();
                continue;
            }
            CompletableFuture<Long> commit = next.propose(List.of(new byte[entryBytes]));
            try {
                commit.get(30, TimeUnit.SECONDS);
                firstCommitNanos = System.nanoTime();
            } catch (java.util.concurrent.ExecutionException refused) {
                // not the leader any more or not yet committed: ask whoever leads now
            } catch (java.util.concurrent.TimeoutException stuck) {
                servers.values().forEach(server -> System.err.println("no commit in 30 s; node "
                        + server.nodeId() + ": " + server.status()));
            }
        }
        start(crashed);
        RaftServer restarted = servers.get(crashed);
        long target = servers.values().stream().mapToLong(server -> server.status().highWatermark()).max()
                .orElse(0);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (restarted.status().appliedOffset() < target && System.nanoTime() < deadline) {
            Thread.sleep(10); // a benchmark's pacing, not a test's synchronisation
        }
        return (firstCommitNanos - killNanos) / 1_000_000;
    }

    private void start(int id) throws Exception {
        RaftConfig config = RaftConfig.withDefaults(id, voters.keySet()).withTimeouts(electionTimeoutMs,
                fetchTimeoutMs, Math.min(RaftConfig.DEFAULT_ELECTION_BACKOFF_MAX_MS, electionTimeoutMs),
                RaftConfig.DEFAULT_REQUEST_TIMEOUT_MS, Math.min(RaftConfig.DEFAULT_FETCH_MAX_WAIT_MS,
                        fetchTimeoutMs / 2));
        RaftListener listener = entry -> {
        };
        RaftServer server = new RaftServer(config, TransportConfig.withDefaults(voters.get(id), voters, "bench"),
                root.resolve("node-" + id), listener);
        server.start();
        servers.put(id, server);
    }

    private RaftServer awaitLeader(int notId, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline) {
            for (RaftServer server : servers.values()) {
                if (server.nodeId() != notId && server.status().role() == Role.LEADER) {
                    return server;
                }
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("no leader within " + timeoutMs + " ms");
    }

    private static void deleteRecursively(Path directory) throws IOException {
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
