package io.fjord.server;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The child processes of a local cluster: starts one per node, waits until every node serves the whole cluster,
 * reports a node that exits on its own, and stops them all (SIGTERM, then SIGKILL past a bound).
 *
 * <p>Thread-safe: the main thread starts and waits; the shutdown hook may {@link #stop} at any time, after which
 * nothing new starts and the exits that follow are expected, not reported.
 */
final class LocalCluster {
    /** How often start-up asks the nodes again whether they are ready. */
    private static final long READY_POLL_MILLIS = 50;

    private final ClusterLayout layout;
    private final NodeCommandLine commandLine;
    private final InstantSource clock;
    private final PrintStream err;
    private final List<NodeProcess> processes = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean stopping;

    LocalCluster(ClusterLayout layout, NodeCommandLine commandLine, InstantSource clock, PrintStream err) {
        this.layout = layout;
        this.commandLine = commandLine;
        this.clock = clock;
        this.err = err;
    }

    /**
     * Starts every node's process.
     *
     * @throws IllegalStateException naming the node whose process could not be started (the others are running)
     */
    void start() {
        for (ClusterLayout.Node node : layout.nodes()) {
            synchronized (processes) {
                if (stopping) {
                    return;
                }
                try {
                    processes.add(NodeProcess.start(node, commandLine));
                } catch (IOException e) {
                    throw new IllegalStateException("cannot start node " + node.nodeId() + " ("
                            + commandLine.javaBinary() + "): " + IoErrors.reason(e), e);
                }
            }
        }
    }

    /**
     * Waits until every node has said it is ready (its ready file) and answers ApiVersions listing every node in its
     * Metadata.
     *
     * @return empty when ready; otherwise why not, in one line, followed (for a node that exited) by its last lines
     */
    Optional<String> awaitReady(NodeReadinessProbe probe, String clusterId, Duration timeout)
            throws InterruptedException {
        Instant deadline = clock.instant().plus(timeout);
        List<Integer> brokerIds = layout.nodes().stream().map(ClusterLayout.Node::nodeId).toList();
        Map<Integer, String> notReady = new HashMap<>();
        List<NodeProcess> waiting = new ArrayList<>(snapshot());
        while (!stopping) {
            for (NodeProcess process : List.copyOf(waiting)) {
                if (!process.isAlive()) {
                    return Optional.of(exitReport(process, "during start-up"));
                }
                // The node's own word first: a killed incarnation's registration may still be listed meanwhile.
                NodeReadinessProbe.Result result = !process.reportedReady()
                        ? NodeReadinessProbe.Result.notReady("it has not finished starting")
                        : probe.probe(process.clientAddress(), clusterId, brokerIds);
                if (result.ready()) {
                    waiting.remove(process);
                    notReady.remove(process.node().nodeId());
                } else {
                    notReady.put(process.node().nodeId(), result.reason());
                }
            }
            if (waiting.isEmpty()) {
                return Optional.empty();
            }
            if (!clock.instant().isBefore(deadline)) {
                StringBuilder reasons = new StringBuilder();
                waiting.forEach(process -> reasons.append(reasons.isEmpty() ? "" : "; ").append("node ")
                        .append(process.node().nodeId()).append(": ")
                        .append(notReady.get(process.node().nodeId())));
                return Optional.of("the cluster was not ready within " + timeout.toSeconds() + " s (" + reasons
                        + "); the nodes' logs are " + layout.directory() + "/node-*/server.log");
            }
            Thread.sleep(READY_POLL_MILLIS);
        }
        return Optional.of("stopping");
    }

    /**
     * Waits while the cluster runs, reporting each node that exits on its own (its exit code and last lines) while
     * the others keep running. Returns once every node has exited.
     */
    void awaitExits() throws InterruptedException {
        List<NodeProcess> running = snapshot();
        for (NodeProcess process : running) {
            process.waitForExitThen(() -> {
                if (!stopping) {
                    err.println(exitReport(process, "while the cluster runs; the other nodes keep running"));
                }
            });
        }
        for (NodeProcess process : running) {
            process.waitFor();
        }
    }

    /**
     * Stops every node: SIGTERM to all, then waits for them, sending SIGKILL to those still running after
     * {@code timeout}.
     *
     * @return whether every node stopped by itself within the bound
     */
    boolean stop(Duration timeout) throws InterruptedException {
        List<NodeProcess> started;
        synchronized (processes) {
            stopping = true;
            started = List.copyOf(processes);
        }
        started.forEach(NodeProcess::stop);
        Instant deadline = clock.instant().plus(timeout);
        boolean clean = true;
        for (NodeProcess process : started) {
            if (!process.waitFor(Duration.between(clock.instant(), deadline).toMillis())) {
                clean = false;
                err.println("fjord: cluster: node " + process.node().nodeId() + " did not stop within "
                        + timeout.toSeconds() + " s; killing it");
                process.kill();
                process.waitFor(timeout.toMillis());
            }
        }
        return clean;
    }

    boolean isStopping() {
        return stopping;
    }

    private List<NodeProcess> snapshot() {
        synchronized (processes) {
            return List.copyOf(processes);
        }
    }

    private static String exitReport(NodeProcess process, String when) {
        StringBuilder report = new StringBuilder("fjord: cluster: node " + process.node().nodeId()
                + " exited with code " + process.exitCode() + " " + when + "; its log is "
                + process.node().directory().resolve(FileLog.FILE_NAME) + ", its last lines:");
        try {
            process.lastConsoleLines().forEach(line -> report.append(System.lineSeparator()).append("  ")
                    .append(line));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return report.toString();
    }
}
