package io.fjord.bench.cluster;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
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
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code failover}: a client creates one-partition topics (a metadata change each), one at a time and at most one per
 * interval, so that no backlog builds up on a loaded machine; once creations succeed steadily, the process of the metadata quorum's leader (the active controller, found with DescribeQuorum on
 * the controller listeners) is killed with SIGKILL. Reported, from the kill: when a surviving voter names a new leader
 * ({@code election_ms}); when a surviving node's Metadata first lists a topic whose creation was <em>sent after</em> the
 * kill, so the new controller committed it ({@code committed_ms}, "the next committed metadata change"); and when
 * the client first gets a successful answer to such a creation ({@code answered_ms}, which adds the client's own
 * routing and retries). Runs on the main thread, a scheduler thread sends the creations, and the
 * Admin client's thread records their outcomes in thread-safe holders.
 */
@Command(name = "failover", mixinStandardHelpOptions = true,
        description = "Kill -9 the active controller while creating topics; report the time to the next creation.")
final class FailoverCommand implements Callable<Integer> {
    private static final int PROBE_TIMEOUT_MILLIS = 500;
    private static final long POLL_INTERVAL_MILLIS = 10;
    private static final int TRACE_LINES_MAX = 200;
    /** Creations in flight at once after the kill: a few, so that one stuck on the killed node does not stall. */
    private static final int IN_FLIGHT_AFTER_KILL = 4;
    /** Topics asked about per visibility probe: the first creations after the kill are enough. */
    private static final int VISIBILITY_NAMES_MAX = 200;

    @Mixin
    ClusterOptions cluster;

    @Mixin
    QuorumOptions quorum;

    @Option(names = "--interval-ms", defaultValue = "50",
            description = "At most one creation every this many milliseconds (default ${DEFAULT-VALUE}).")
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
        Map<Integer, InetSocketAddress> voters = quorum.voters();
        NodeExchange exchange = new NodeExchange(PROBE_TIMEOUT_MILLIS);
        Optional<Integer> leader = leaderSeenBy(exchange, voters, -1);
        if (leader.isEmpty() || !quorum.pids.containsKey(leader.get())) {
            err.println("failover: no known leader with a known process (leader " + leader + ", pids " + quorum.pids
                    + ")");
            return 1;
        }
        AtomicLong killNanos = new AtomicLong(Long.MAX_VALUE);
        AtomicLong firstSuccessAfterKillNanos = new AtomicLong(Long.MAX_VALUE);
        AtomicInteger successes = new AtomicInteger();
        AtomicInteger failuresAfterKill = new AtomicInteger();
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        AtomicInteger sequence = new AtomicInteger();
        ConcurrentLinkedQueue<String> trace = new ConcurrentLinkedQueue<>();
        AtomicInteger outstandingBeforeKill = new AtomicInteger();
        AtomicInteger outstandingAfterKill = new AtomicInteger();
        ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor(
                runnable -> new Thread(runnable, "failover-creations"));
        try (Admin admin = cluster.admin()) {
            sender.scheduleAtFixedRate(() -> {
                // Never a backlog: one creation at a time before the kill, a few after it (one may be stuck on the
                // killed node). A backlog would be worked off first and delay the creations sent after the kill.
                boolean afterKill = System.nanoTime() > killNanos.get();
                AtomicInteger outstanding = afterKill ? outstandingAfterKill : outstandingBeforeKill;
                if (outstanding.get() >= (afterKill ? IN_FLIGHT_AFTER_KILL : 1)) {
                    return;
                }
                outstanding.incrementAndGet();
                // The number first, then the time: a topic numbered at or after the kill's number was sent after it.
                String topic = prefix + "-" + sequence.getAndIncrement();
                long sentNanos = System.nanoTime();
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
                        .all().whenComplete((ignored, failure) -> {
                            long now = System.nanoTime();
                            outstanding.decrementAndGet();
                            traceAfterKill(trace, topic, sentNanos, now, killNanos.get(), failure);
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
            ProcessHandle process = ProcessHandle.of(quorum.pids.get(killed)).orElse(null);
            if (process == null) {
                err.println("failover: process " + quorum.pids.get(killed) + " of node " + killed
                        + " is gone already");
                return 1;
            }
            killNanos.set(System.nanoTime());
            int killSequence = sequence.get();
            process.destroyForcibly();
            voters.remove(killed);
            long electedNanos = -1;
            long visibleNanos = -1;
            while (electedNanos < 0 || visibleNanos < 0 || firstSuccessAfterKillNanos.get() == Long.MAX_VALUE) {
                if (System.nanoTime() > deadlineNanos) {
                    errors.forEach(error -> err.println("failover: failed: " + error));
                    trace.forEach(line -> err.println("failover: " + line));
                    err.println("failover: within " + timeoutSeconds + " s after the kill: new leader "
                            + (electedNanos >= 0) + ", a creation visible " + (visibleNanos >= 0)
                            + ", a creation answered " + (firstSuccessAfterKillNanos.get() != Long.MAX_VALUE));
                    return 1;
                }
                if (electedNanos < 0 && leaderSeenBy(exchange, voters, killed).isPresent()) {
                    electedNanos = System.nanoTime();
                }
                if (visibleNanos < 0 && createdAfter(exchange, killSequence, sequence.get())) {
                    visibleNanos = System.nanoTime();
                }
                Thread.sleep(POLL_INTERVAL_MILLIS);
            }
            sender.shutdownNow();
            errors.forEach(error -> err.println("failover: failed after the kill: " + error));
            trace.forEach(line -> err.println("failover: " + line));
            Optional<Integer> newLeader = leaderSeenBy(exchange, voters, killed);
            out.printf(Locale.ROOT, "RESULT mode=failover killed=%d new_leader=%d election_ms=%.1f committed_ms=%.1f"
                            + " answered_ms=%.1f failed_after_kill=%d%n", killed, newLeader.orElse(-1),
                    (electedNanos - killNanos.get()) / 1e6, (visibleNanos - killNanos.get()) / 1e6,
                    (firstSuccessAfterKillNanos.get() - killNanos.get()) / 1e6, failuresAfterKill.get());
            admin.close(Duration.ofSeconds(1));
            return 0;
        } finally {
            sender.shutdownNow();
        }
    }

    /** Each outcome after the kill, for the log: which creations waited, and how they ended. */
    private static void traceAfterKill(ConcurrentLinkedQueue<String> trace, String topic, long sentNanos,
            long doneNanos, long killNanos, Throwable failure) {
        if (doneNanos > killNanos && trace.size() < TRACE_LINES_MAX) {
            trace.add(String.format(Locale.ROOT, "%s sent at %+.0f ms, answered at %+.0f ms from the kill: %s", topic,
                    (sentNanos - killNanos) / 1e6, (doneNanos - killNanos) / 1e6,
                    failure == null ? "created" : failure.getClass().getSimpleName()));
        }
    }

    /**
     * Whether a surviving node's Metadata lists a topic numbered from {@code firstNumber} (sent after the kill) up to
     * {@code endNumber}: the new controller has committed a metadata change and a node has applied it.
     */
    private boolean createdAfter(NodeExchange exchange, int firstNumber, int endNumber) {
        List<String> names = new ArrayList<>();
        for (int number = firstNumber; number < endNumber && names.size() < VISIBILITY_NAMES_MAX; number++) {
            names.add(prefix + "-" + number);
        }
        if (names.isEmpty()) {
            return false;
        }
        for (String node : cluster.bootstrapServers.split(",")) {
            try {
                if (!exchange.existingTopics(HostPorts.parse(node.trim()), names).isEmpty()) {
                    return true;
                }
            } catch (IOException e) {
                // The killed node, or one that does not answer yet: ask the next.
            }
        }
        return false;
    }

    /** The leader a voter names, other than {@code excluded} and -1; empty when none does. */
    private static Optional<Integer> leaderSeenBy(NodeExchange exchange,
            Map<Integer, InetSocketAddress> voters, int excluded) {
        for (InetSocketAddress voter : voters.values()) {
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
