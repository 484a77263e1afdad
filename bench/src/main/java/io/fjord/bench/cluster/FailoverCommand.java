package io.fjord.bench.cluster;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code failover}: a client creates a one-partition topic every interval (a metadata change each); once creations
 * succeed steadily, the process of the metadata quorum's leader (the active controller, found with DescribeQuorum on
 * the controller listeners) is killed with SIGKILL, and the tool reports the time from the kill to the first
 * successful creation <em>sent after</em> the kill (so it was committed by the new controller), and the time until a
 * surviving controller names a new leader. Runs on the main thread, a scheduler thread sends the creations, and the
 * Admin client's thread records their outcomes in thread-safe holders.
 */
@Command(name = "failover", mixinStandardHelpOptions = true,
        description = "Kill -9 the active controller while creating topics; report the time to the next creation.")
final class FailoverCommand implements Callable<Integer> {
    private static final int PROBE_TIMEOUT_MILLIS = 500;
    private static final long POLL_INTERVAL_MILLIS = 10;

    @Option(names = {"-b", "--bootstrap-server"}, required = true, paramLabel = "HOST:PORT,...",
            description = "The cluster's client listeners.")
    String bootstrapServers;

    @Option(names = "--controller", required = true, paramLabel = "ID@HOST:PORT",
            description = "A voter's controller listener (repeat for each voter).")
    List<String> controllers;

    @Option(names = "--pid", required = true, paramLabel = "ID=PID",
            description = "The process of a node (repeat for each voter).")
    Map<Integer, Long> pids;

    @Option(names = "--interval-ms", defaultValue = "50",
            description = "One creation every this many milliseconds (default ${DEFAULT-VALUE}).")
    long intervalMillis;

    @Option(names = "--steady-creations", defaultValue = "20",
            description = "Successful creations before the kill (default ${DEFAULT-VALUE}).")
    int steadyCreations;

    @Option(names = "--prefix", required = true, description = "Topic name prefix (unique per run).")
    String prefix;

    @Option(names = "--timeout-s", defaultValue = "60", description = "Give up after this long (default 60 s).")
    long timeoutSeconds;

    private final PrintStream out;
    private final PrintStream err;

    FailoverCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws InterruptedException {
        Map<Integer, java.net.InetSocketAddress> voters = new HashMap<>();
        for (String controller : controllers) {
            int at = controller.indexOf('@');
            voters.put(Integer.parseInt(controller.substring(0, at)), HostPorts.parse(controller.substring(at + 1)));
        }
        NodeExchange exchange = new NodeExchange(PROBE_TIMEOUT_MILLIS);
        Optional<Integer> leader = leaderSeenBy(exchange, voters, -1);
        if (leader.isEmpty() || !pids.containsKey(leader.get())) {
            err.println("failover: no known leader with a known process (leader " + leader + ", pids " + pids + ")");
            return 1;
        }
        AtomicLong killNanos = new AtomicLong(Long.MAX_VALUE);
        AtomicLong firstSuccessAfterKillNanos = new AtomicLong(Long.MAX_VALUE);
        AtomicInteger successes = new AtomicInteger();
        AtomicInteger failuresAfterKill = new AtomicInteger();
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        AtomicInteger sequence = new AtomicInteger();
        ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor(
                runnable -> new Thread(runnable, "failover-creations"));
        try (Admin admin = BenchAdmin.create(bootstrapServers, Map.of())) {
            sender.scheduleAtFixedRate(() -> {
                long sentNanos = System.nanoTime();
                admin.createTopics(List.of(new NewTopic(prefix + "-" + sequence.getAndIncrement(), 1, (short) 1)))
                        .all().whenComplete((ignored, failure) -> {
                            long now = System.nanoTime();
                            if (failure == null) {
                                successes.incrementAndGet();
                                if (sentNanos > killNanos.get()) {
                                    firstSuccessAfterKillNanos.accumulateAndGet(now, Math::min);
                                }
                            } else if (sentNanos > killNanos.get() || now > killNanos.get()) {
                                failuresAfterKill.incrementAndGet();
                                if (errors.size() < 3) {
                                    errors.add(String.valueOf(failure));
                                }
                            }
                        });
            }, 0, intervalMillis, TimeUnit.MILLISECONDS);
            long deadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            while (successes.get() < steadyCreations) {
                if (System.nanoTime() > deadlineNanos) {
                    err.println("failover: only " + successes.get() + " creations succeeded before the kill");
                    return 1;
                }
                Thread.sleep(POLL_INTERVAL_MILLIS);
            }
            int killed = leader.get();
            ProcessHandle process = ProcessHandle.of(pids.get(killed)).orElse(null);
            if (process == null) {
                err.println("failover: process " + pids.get(killed) + " of node " + killed + " is gone already");
                return 1;
            }
            killNanos.set(System.nanoTime());
            process.destroyForcibly();
            voters.remove(killed);
            long electedNanos = awaitNewLeader(exchange, voters, killed, deadlineNanos);
            while (firstSuccessAfterKillNanos.get() == Long.MAX_VALUE) {
                if (System.nanoTime() > deadlineNanos) {
                    errors.forEach(error -> err.println("failover: failed: " + error));
                    err.println("failover: no creation succeeded within " + timeoutSeconds + " s after the kill");
                    return 1;
                }
                Thread.sleep(POLL_INTERVAL_MILLIS);
            }
            sender.shutdownNow();
            errors.forEach(error -> err.println("failover: failed after the kill: " + error));
            Optional<Integer> newLeader = leaderSeenBy(exchange, voters, killed);
            out.printf(Locale.ROOT, "RESULT mode=failover killed=%d new_leader=%d election_ms=%.1f failover_ms=%.1f"
                            + " failed_after_kill=%d%n", killed, newLeader.orElse(-1),
                    electedNanos < 0 ? -1 : (electedNanos - killNanos.get()) / 1e6,
                    (firstSuccessAfterKillNanos.get() - killNanos.get()) / 1e6, failuresAfterKill.get());
            admin.close(Duration.ofSeconds(1));
            return 0;
        } finally {
            sender.shutdownNow();
        }
    }

    /** When a surviving voter first names a leader other than the killed node; -1 if none did in time. */
    private long awaitNewLeader(NodeExchange exchange, Map<Integer, java.net.InetSocketAddress> voters, int killed,
            long deadlineNanos) throws InterruptedException {
        while (System.nanoTime() < deadlineNanos) {
            if (leaderSeenBy(exchange, voters, killed).isPresent()) {
                return System.nanoTime();
            }
            Thread.sleep(POLL_INTERVAL_MILLIS);
        }
        return -1;
    }

    /** The leader a voter names, other than {@code excluded} and -1; empty when none does. */
    private static Optional<Integer> leaderSeenBy(NodeExchange exchange,
            Map<Integer, java.net.InetSocketAddress> voters, int excluded) {
        for (java.net.InetSocketAddress voter : voters.values()) {
            try {
                int leader = exchange.quorumLeader(voter);
                if (leader >= 0 && leader != excluded) {
                    return Optional.of(leader);
                }
            } catch (IOException e) {
                // This voter is down or does not know yet: ask the next.
            }
        }
        return Optional.empty();
    }
}
