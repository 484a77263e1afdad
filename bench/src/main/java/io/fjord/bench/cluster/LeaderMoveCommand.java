package io.fjord.bench.cluster;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.requests.MetadataResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code leader-move}: creates a topic whose every partition has one broker (the victim: the lowest broker id that is
 * not the metadata quorum's leader, so that no controller failover is mixed in) as its preferred leader and the other
 * brokers as followers, waits until the victim has led all of them with the full ISR for a settling time (every
 * broker has heartbeated since the creation, so a cluster still digesting it shows here, not after the kill), kills
 * the victim's process with SIGKILL, then asks the surviving brokers' Metadata every few milliseconds and reports, from the kill, when the
 * first partition and when the last one was led by another broker. Runs on the main thread; not thread-safe, one run
 * per process.
 */
@Command(name = "leader-move", mixinStandardHelpOptions = true,
        description = "Kill -9 a broker leading N partitions; report the time until another broker leads them all.")
final class LeaderMoveCommand implements Callable<Integer> {
    private static final int PROBE_TIMEOUT_MILLIS = 2000;
    private static final long POLL_INTERVAL_MILLIS = 20;

    @Mixin
    ClusterOptions cluster;

    @Mixin
    QuorumOptions quorum;

    @Option(names = "--topic", required = true, description = "The topic to create (a new name).")
    String topic;

    @Option(names = "--partitions", defaultValue = "1000",
            description = "Partitions, all led by the victim (default ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--settle-s", defaultValue = "10",
            description = "How long the victim must lead every partition before the kill (default ${DEFAULT-VALUE}).")
    long settleSeconds;

    @Option(names = "--timeout-s", defaultValue = "300", description = "Give up after this long (default 300 s).")
    long timeoutSeconds;

    private final PrintStream out;
    private final PrintStream err;

    LeaderMoveCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws InterruptedException {
        NodeExchange exchange = new NodeExchange(PROBE_TIMEOUT_MILLIS);
        long deadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        // Creating 1,000 partitions' logs on three brokers of a loaded 2-core machine takes tens of seconds (the
        // creation is answered once published): the bench's 5 s request timeout would give up on it.
        String createTimeoutMs = Long.toString(TimeUnit.SECONDS.toMillis(timeoutSeconds));
        try (Admin admin = BenchAdmin.create(cluster.bootstrapServers, Map.of(
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, createTimeoutMs,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, createTimeoutMs))) {
            Collection<Node> brokers = admin.describeCluster().nodes().get(60, TimeUnit.SECONDS);
            int controller = quorumLeader(exchange);
            Optional<Node> victim = brokers.stream().filter(node -> node.id() != controller)
                    .filter(node -> quorum.pids.containsKey(node.id()))
                    .min((a, b) -> Integer.compare(a.id(), b.id()));
            if (victim.isEmpty() || brokers.size() < 2) {
                err.println("leader-move: no broker to kill besides the controller " + controller + " among "
                        + brokers + " with processes " + quorum.pids);
                return 1;
            }
            int victimId = victim.get().id();
            List<Integer> others = brokers.stream().map(Node::id).filter(id -> id != victimId).sorted().toList();
            admin.createTopics(List.of(new NewTopic(topic, LeaderAssignment.ledBy(victimId, others, partitions))))
                    .all().get(timeoutSeconds, TimeUnit.SECONDS);
            List<InetSocketAddress> survivors = brokers.stream().filter(node -> node.id() != victimId)
                    .map(node -> new InetSocketAddress(node.host(), node.port())).toList();
            String waitingFor = "";
            long settledSinceNanos = -1;
            int breaks = 0;
            while (settledSinceNanos < 0
                    || System.nanoTime() - settledSinceNanos < TimeUnit.SECONDS.toNanos(settleSeconds)) {
                if (System.nanoTime() > deadlineNanos) {
                    err.println("leader-move: before the kill, within " + timeoutSeconds + " s: " + waitingFor
                            + "; it held and broke " + breaks + " time(s)");
                    return 1;
                }
                LeaderCount count = count(exchange, survivors.get(0), victimId);
                if (count.ledByVictimInSync() == partitions) {
                    settledSinceNanos = settledSinceNanos < 0 ? System.nanoTime() : settledSinceNanos;
                } else {
                    breaks += settledSinceNanos < 0 ? 0 : 1;
                    settledSinceNanos = -1;
                    waitingFor = count.ledByVictimInSync() + " of " + partitions + " partitions led by " + victimId
                            + " with the full ISR (" + count.ledElsewhere() + " led by another broker)";
                }
                Thread.sleep(POLL_INTERVAL_MILLIS * 5);
            }
            if (breaks > 0) {
                err.println("leader-move: the victim's leaderships broke " + breaks + " time(s) before they held");
            }
            ProcessHandle process = ProcessHandle.of(quorum.pids.get(victimId)).orElse(null);
            if (process == null) {
                err.println("leader-move: the process of broker " + victimId + " is gone already");
                return 1;
            }
            // The wall-clock time of the kill, to line up with the nodes' logs (where the time went).
            err.println("leader-move: killing broker " + victimId + " at " + java.time.Instant.now());
            long killNanos = System.nanoTime();
            process.destroyForcibly();
            long firstMovedNanos = -1;
            long allMovedNanos = -1;
            LeaderCount last = null;
            while (allMovedNanos < 0) {
                if (System.nanoTime() > deadlineNanos) {
                    err.println("leader-move: after the kill, within " + timeoutSeconds + " s: " + last);
                    return 1;
                }
                for (InetSocketAddress survivor : survivors) {
                    LeaderCount count = count(exchange, survivor, victimId);
                    long now = System.nanoTime();
                    last = count;
                    if (firstMovedNanos < 0 && count.ledElsewhere() > 0) {
                        firstMovedNanos = now;
                    }
                    if (count.ledElsewhere() == partitions) {
                        allMovedNanos = now;
                        break;
                    }
                }
                Thread.sleep(POLL_INTERVAL_MILLIS);
            }
            out.printf(Locale.ROOT, "RESULT mode=leader-move victim=%d controller=%d partitions=%d first_moved_ms=%.1f"
                            + " all_moved_ms=%.1f broke_before_kill=%d%n", victimId, controller, partitions,
                    (firstMovedNanos - killNanos) / 1e6, (allMovedNanos - killNanos) / 1e6, breaks);
            admin.close(Duration.ofSeconds(1));
            return 0;
        } catch (ExecutionException | TimeoutException e) {
            err.println("leader-move: " + e);
            return 1;
        }
    }

    /** The partitions a node's Metadata shows led by the victim with every replica in sync, and led by another. */
    record LeaderCount(int ledByVictimInSync, int ledElsewhere) {
    }

    private LeaderCount count(NodeExchange exchange, InetSocketAddress node, int victimId) {
        MetadataResponse response;
        try {
            response = exchange.topicMetadata(node, List.of(topic));
        } catch (IOException e) {
            return new LeaderCount(0, 0);
        }
        int ledByVictimInSync = 0;
        int ledElsewhere = 0;
        for (MetadataResponse.TopicMetadata topicMetadata : response.topicMetadata()) {
            for (MetadataResponse.PartitionMetadata partition : topicMetadata.partitionMetadata()) {
                int leader = partition.leaderId.orElse(-1);
                if (leader == victimId && partition.inSyncReplicaIds.containsAll(partition.replicaIds)) {
                    ledByVictimInSync++;
                } else if (leader >= 0 && leader != victimId) {
                    ledElsewhere++;
                }
            }
        }
        return new LeaderCount(ledByVictimInSync, ledElsewhere);
    }

    private int quorumLeader(NodeExchange exchange) {
        for (InetSocketAddress voter : quorum.voters().values()) {
            try {
                int leader = exchange.quorumLeader(voter);
                if (leader >= 0) {
                    return leader;
                }
            } catch (IOException e) {
                // This voter does not answer: ask the next.
            }
        }
        return -1;
    }
}
