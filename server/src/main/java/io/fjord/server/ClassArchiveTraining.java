package io.fjord.server;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The training run of the build's class-data-sharing archive ({@code target/fjord-server.jsa}, AppCDS): the build runs
 * this class in a JVM started with {@code -XX:ArchiveClassesAtExit}, so that the classes a local cluster's launcher
 * and nodes load up to "ready" are archived, parsed and verified, and later JVMs map them instead of loading them from
 * the jars. It does what {@code fjord cluster --nodes 3} does, in one process: parses a command line, prepares and
 * formats a 3-node cluster directory, starts the 3 nodes (broker and controller, voters of one quorum) until each
 * serves the cluster, probes them as the launcher does, and stops them cleanly.
 *
 * <p>A failure only makes the archive smaller, never the build fail: it is reported in one line and the run exits 0.
 * Runs on the main thread; the nodes start on a pool of 3 threads.
 */
final class ClassArchiveTraining {
    private static final int NODES = 3;
    /** A liveness bound for a busy build machine; past it the archive holds what was loaded so far. */
    private static final long START_TIMEOUT_SECONDS = 120;
    private static final int PROBE_TIMEOUT_MILLIS = 5_000;

    private ClassArchiveTraining() {
    }

    /** @param args the working directory (made empty first) */
    public static void main(String[] args) {
        try {
            train(Path.of(args[0]));
        } catch (Exception | Error e) {
            System.out.println("fjord: class archive training incomplete (the archive holds what was loaded): " + e);
        }
        System.exit(0);
    }

    private static void train(Path directory) throws Exception {
        deleteRecursively(directory);
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
        NodeRun.withoutNettyFlightRecorderEvents(); // as in the nodes
        // The command line's classes (picocli parses every subcommand's options).
        FjordCli.run("version");
        ClusterLayout layout = ClusterLayout.of(NODES, directory.resolve("cluster"), freeBasePort(), Map.of());
        String clusterId = new ClusterDirectory(layout, UUID::randomUUID).prepare(discard);
        FileLog.install(directory);
        List<FjordNode> nodes = new ArrayList<>();
        for (ClusterLayout.Node node : layout.nodes()) {
            nodes.add(new FjordNode(NodeConfig.fromProperties(ServerProperties.read(node.propertiesFile())),
                    InstantSource.system()));
        }
        ExecutorService starters = Executors.newFixedThreadPool(NODES);
        try {
            List<Future<?>> started = new ArrayList<>();
            for (FjordNode node : nodes) {
                started.add(starters.submit(() -> {
                    node.start();
                    return null;
                }));
            }
            for (Future<?> start : started) {
                start.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
            NodeReadinessProbe probe = new NodeReadinessProbe(PROBE_TIMEOUT_MILLIS);
            List<Integer> brokerIds = layout.nodes().stream().map(ClusterLayout.Node::nodeId).toList();
            for (ClusterLayout.Node node : layout.nodes()) {
                probe.probe(new InetSocketAddress("localhost", node.clientPort()), clusterId, brokerIds);
            }
        } finally {
            starters.shutdownNow();
            // In parallel, as a cluster stops: controlled shutdowns need the quorum.
            nodes.parallelStream().forEach(FjordNode::stop);
        }
        System.out.println("fjord: class archive training: 3 nodes started and stopped");
    }

    /** 2 * NODES consecutive free ports below the ephemeral range (a race with other processes only costs classes). */
    private static int freeBasePort() throws IOException {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = 20_000 + 2 * ThreadLocalRandom.current().nextInt(6_000);
            List<ServerSocket> bound = new ArrayList<>();
            try {
                for (int port = base; port < base + 2 * NODES; port++) {
                    bound.add(new ServerSocket(port));
                }
                return base;
            } catch (IOException inUse) {
                // another base
            } finally {
                for (ServerSocket socket : bound) {
                    socket.close();
                }
            }
        }
        throw new IOException("no " + 2 * NODES + " consecutive free ports found");
    }

    private static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
