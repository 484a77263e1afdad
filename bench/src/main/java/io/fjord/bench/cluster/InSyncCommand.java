package io.fjord.bench.cluster;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code in-sync}: optionally creates topics and launches a command (a broker being restarted), then waits until
 * every partition of the topics has a leader and every replica in its ISR ({@code --broker}: that broker, at
 * least), as the Admin client's DescribeTopics shows it, and reports the time from the launch (or from the start,
 * without a command). With {@code --serving}, also when the launched broker first answers a Metadata request: the
 * part of the time that is the process starting and recovering its logs rather than catching up. The launched
 * process is left running. Runs on the main thread; not thread-safe, one run per process.
 */
@Command(name = "in-sync", mixinStandardHelpOptions = true,
        description = "Optionally create topics and launch a broker; wait until every replica is in sync.")
final class InSyncCommand implements Callable<Integer> {
    private static final long POLL_INTERVAL_MILLIS = 50;
    private static final int PROBE_TIMEOUT_MILLIS = 500;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--topic", required = true, description = "A topic to watch (repeat for more).")
    List<String> topics;

    @Option(names = "--create-partitions", defaultValue = "0",
            description = "Create the topics first with this many partitions each (default 0: they exist).")
    int createPartitions;

    @Option(names = "--replication-factor", defaultValue = "3",
            description = "Replication factor of created topics (default ${DEFAULT-VALUE}).")
    short replicationFactor;

    @Option(names = "--config", paramLabel = "KEY=VALUE", description = "A created topic's configuration.")
    Map<String, String> configs = new LinkedHashMap<>();

    @Option(names = "--broker", defaultValue = "-1",
            description = "Wait for this broker only to be in every ISR (default: every replica).")
    int broker;

    @Option(names = "--serving", paramLabel = "HOST:PORT",
            description = "The launched broker's client listener, to report when it first answers.")
    String serving;

    @Option(names = "--launch-log", paramLabel = "FILE", description = "Where a launched command's output goes.")
    Path launchLog;

    @Parameters(arity = "0..*", paramLabel = "COMMAND", description = "A command to launch first (after --).")
    List<String> command = new ArrayList<>();

    @Option(names = "--timeout-s", defaultValue = "600", description = "Give up after this long (default 600 s).")
    long timeoutSeconds;

    private final PrintStream out;
    private final PrintStream err;

    InSyncCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws InterruptedException, IOException {
        if (!command.isEmpty() && launchLog == null) {
            err.println("in-sync: a launched command needs --launch-log");
            return 2;
        }
        try (Admin admin = cluster.admin()) {
            if (createPartitions > 0) {
                List<NewTopic> created = topics.stream()
                        .map(topic -> new NewTopic(topic, createPartitions, replicationFactor).configs(configs))
                        .toList();
                admin.createTopics(created).all().get(timeoutSeconds, TimeUnit.SECONDS);
            }
            long launchedPid = -1;
            long startNanos = System.nanoTime();
            if (!command.isEmpty()) {
                Process launched = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(launchLog.toFile())).start();
                launchedPid = launched.pid();
            }
            long deadlineNanos = startNanos + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            NodeExchange exchange = new NodeExchange(PROBE_TIMEOUT_MILLIS);
            InetSocketAddress servingAddress = serving == null ? null : HostPorts.parse(serving);
            long servingNanos = -1;
            String lastReason = "";
            while (true) {
                long now = System.nanoTime();
                if (now > deadlineNanos) {
                    err.println("in-sync: not in sync within " + timeoutSeconds + " s: " + lastReason);
                    out.printf(Locale.ROOT, "RESULT mode=in-sync in_sync=false launched_pid=%d%n", launchedPid);
                    return 1;
                }
                if (servingAddress != null && servingNanos < 0 && answers(exchange, servingAddress)) {
                    servingNanos = System.nanoTime();
                }
                lastReason = notInSync(admin);
                if (lastReason.isEmpty() && (servingAddress == null || servingNanos >= 0)) {
                    break;
                }
                Thread.sleep(POLL_INTERVAL_MILLIS);
            }
            long inSyncNanos = System.nanoTime();
            out.printf(Locale.ROOT, "RESULT mode=in-sync in_sync=true seconds=%.3f serving_s=%.3f launched_pid=%d%n",
                    (inSyncNanos - startNanos) / 1e9, servingNanos < 0 ? -1 : (servingNanos - startNanos) / 1e9,
                    launchedPid);
            admin.close(Duration.ofSeconds(5));
            return 0;
        } catch (ExecutionException | TimeoutException e) {
            err.println("in-sync: " + e);
            return 1;
        }
    }

    private static boolean answers(NodeExchange exchange, InetSocketAddress address) {
        try {
            exchange.metadata(address);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Empty when every watched partition is in sync; otherwise the first one that is not, and why. */
    private String notInSync(Admin admin) throws InterruptedException {
        Map<String, TopicDescription> descriptions;
        try {
            descriptions = admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return "cannot describe the topics: " + e.getMessage();
        }
        for (TopicDescription description : descriptions.values()) {
            for (TopicPartitionInfo partition : description.partitions()) {
                String reason = InSyncRule.notInSync(partition.leader() == null ? -1 : partition.leader().id(),
                        partition.replicas().stream().map(Node::id).toList(),
                        partition.isr().stream().map(Node::id).toList(), broker);
                if (!reason.isEmpty()) {
                    return description.name() + "-" + partition.partition() + ": " + reason;
                }
            }
        }
        return "";
    }
}
