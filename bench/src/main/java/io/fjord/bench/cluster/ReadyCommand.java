package io.fjord.bench.cluster;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.requests.MetadataResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ready}: launches the command that starts a cluster, then waits until every node answers a Metadata request
 * (through its own client listener) with a cluster id and every expected broker, and reports the time from the launch
 * (this tool's own start-up is not counted). The same criterion as {@code fjord cluster}'s readiness probe. The
 * launched process is left running. Not thread-safe; one run per process.
 */
@Command(name = "ready", mixinStandardHelpOptions = true,
        description = "Launch a cluster; wait until every node lists every broker; report the time taken.")
final class ReadyCommand implements Callable<Integer> {
    private static final long POLL_INTERVAL_MILLIS = 20;
    private static final int PROBE_TIMEOUT_MILLIS = 1000;

    @Option(names = "--nodes", required = true, split = ",", paramLabel = "HOST:PORT",
            description = "Each node's client listener, comma-separated.")
    List<String> nodes;

    @Option(names = "--launch-log", required = true, paramLabel = "FILE",
            description = "Where the launched command's output goes (appended).")
    Path launchLog;

    @Parameters(arity = "1..*", paramLabel = "COMMAND",
            description = "The command that starts the cluster (after --); it may keep running or start the nodes"
                    + " in the background and exit.")
    List<String> command;

    @Option(names = "--timeout-s", defaultValue = "120", description = "Give up after this long (default 120 s).")
    long timeoutSeconds;

    private final PrintStream out;
    private final PrintStream err;

    ReadyCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws InterruptedException, IOException {
        ProcessBuilder launcher = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(launchLog.toFile()));
        // The clock starts as the command is launched, after this tool's own start-up.
        long sinceEpochMillis = System.currentTimeMillis();
        Process launched = launcher.start();
        NodeExchange exchange = new NodeExchange(PROBE_TIMEOUT_MILLIS);
        long deadlineMillis = sinceEpochMillis + TimeUnit.SECONDS.toMillis(timeoutSeconds);
        List<String> waiting = new ArrayList<>(nodes);
        List<String> readyAt = new ArrayList<>();
        String lastReason = "";
        while (!waiting.isEmpty()) {
            if (System.currentTimeMillis() > deadlineMillis || !launchedAlive(launched)) {
                err.println("ready: not ready within " + timeoutSeconds + " s or the launcher failed: " + waiting + " (" + lastReason + ")");
                return 1;
            }
            for (var iterator = waiting.iterator(); iterator.hasNext(); ) {
                String node = iterator.next();
                String reason = probe(exchange, HostPorts.parse(node));
                if (reason.isEmpty()) {
                    iterator.remove();
                    readyAt.add(String.format(Locale.ROOT, "%s=%.3f s", node,
                            (System.currentTimeMillis() - sinceEpochMillis) / 1e3));
                } else {
                    lastReason = node + ": " + reason;
                }
            }
            if (!waiting.isEmpty()) {
                Thread.sleep(POLL_INTERVAL_MILLIS);
            }
        }
        double seconds = (System.currentTimeMillis() - sinceEpochMillis) / 1e3;
        err.println("ready: nodes ready at " + readyAt);
        out.printf(Locale.ROOT, "RESULT mode=ready nodes=%d ready_s=%.3f launched_pid=%d%n", nodes.size(), seconds,
                launched.pid());
        return 0;
    }

    /** A launcher may exit once its nodes run in the background (exit code 0); a failure ends the wait. */
    private boolean launchedAlive(Process launched) {
        return launched.isAlive() || launched.exitValue() == 0;
    }

    /** Empty when the node lists every expected broker under a cluster id; otherwise why not. */
    private String probe(NodeExchange exchange, InetSocketAddress node) {
        try {
            MetadataResponse metadata = exchange.metadata(node);
            if (metadata.clusterId() == null || metadata.clusterId().isEmpty()) {
                return "no cluster id";
            }
            return metadata.brokers().size() >= nodes.size() ? "" : "lists " + metadata.brokers().size()
                    + " brokers";
        } catch (IOException e) {
            return e.toString();
        }
    }
}
