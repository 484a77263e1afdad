package io.fjord.server;

import io.fjord.metadata.records.MetadataRecord;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fjord cluster}: a local cluster of N nodes in one command, each a child JVM running {@code fjord start} with
 * its own ports, data and log under one directory ({@link ClusterLayout}, {@link ClusterDirectory}); prints the
 * bootstrap servers once every node is ready ({@link LocalCluster}, {@link NodeReadinessProbe}); Ctrl-C or SIGTERM
 * stops them all. Runs on the main thread; the shutdown hook stops the nodes.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true, versionProvider = FjordVersion.class,
        description = {"Run a local cluster of N nodes until Ctrl-C or SIGTERM, which stops them all.",
                "Each node is a child process with the broker and controller roles, a voter of the metadata quorum.",
                "Node i listens on localhost:P+2(i-1) for clients and on the next port for the quorum; its data,",
                "server.properties (rewritten at every run) and server.log are in DIR/node-i. The first run makes",
                "a cluster id (DIR/cluster.id) and formats the nodes with it; later runs reuse both.",
                "Prints the bootstrap servers once every node is ready. FJORD_HEAP_OPTS sets each node's heap",
                "(-Xmx512m by default), FJORD_JAVA_OPTS their other JVM options."})
final class ClusterCommand implements Callable<Integer> {
    /** How long start-up waits for every node to be ready: a liveness bound for a busy machine. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    /** How long the nodes get to stop cleanly before they are killed. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final int PROBE_TIMEOUT_MILLIS = 5_000;
    /** A --config file is a few settings; a huge one is a mistake. */
    private static final long CONFIG_FILE_SIZE_MAX_BYTES = 1024 * 1024;

    @Option(names = "--nodes", paramLabel = "N", defaultValue = "3",
            description = "How many nodes, 1 to " + ClusterLayout.NODES_MAX + " (default: ${DEFAULT-VALUE}).")
    int nodeCount;

    @Option(names = "--directory", paramLabel = "DIR", defaultValue = "cluster",
            description = "The cluster's directory (default: ./${DEFAULT-VALUE} under the current directory).")
    Path directory;

    @Option(names = "--base-port", paramLabel = "P", defaultValue = "9092",
            description = "Node 1's client port; node i gets P+2(i-1), and the next port for the quorum"
                    + " (default: ${DEFAULT-VALUE}).")
    int basePort;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Extra server.properties settings for every node (not node.id, listeners, log.dirs or the"
                    + " quorum's, which the command sets).")
    Path configFile;

    @Option(names = "--add-scram", paramLabel = "CREDENTIAL",
            description = {"A SCRAM credential for a new cluster, as fjord format --add-scram (e.g. a SCRAM",
                "inter-broker user: 'SCRAM-SHA-512=[name=broker,password=broker-secret]'); repeatable. Only",
                "nodes formatted by this run get it."})
    List<String> addScram = new ArrayList<>();

    private final PrintStream out = System.out;
    private final PrintStream err = System.err;

    @Override
    public Integer call() throws InterruptedException {
        long startedNanos = System.nanoTime();
        ClusterLayout layout;
        String clusterId;
        try {
            layout = ClusterLayout.of(nodeCount, directory, basePort, extraProperties());
            List<MetadataRecord> scramRecords = new ArrayList<>();
            SecureRandom random = new SecureRandom();
            for (String credential : addScram) {
                scramRecords.add(ScramBootstrap.parse(credential, random));
            }
            clusterId = new ClusterDirectory(layout, UUID::randomUUID, scramRecords).prepare(out);
        } catch (IllegalArgumentException | IllegalStateException e) {
            err.println("fjord: cluster: " + e.getMessage());
            return 1;
        }
        LocalCluster cluster = new LocalCluster(layout, NodeCommandLine.ofThisProcess(), InstantSource.system(),
                err);
        Thread shutdownHook = new Thread(() -> stopOnSignal(cluster), "fjord-cluster-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        Optional<String> failure;
        try {
            cluster.start();
            failure = cluster.awaitReady(new NodeReadinessProbe(PROBE_TIMEOUT_MILLIS), clusterId, READY_TIMEOUT);
        } catch (IllegalStateException e) {
            failure = Optional.of("fjord: cluster: " + e.getMessage());
        }
        if (failure.isPresent()) {
            if (!cluster.isStopping()) {
                err.println(failure.get().startsWith("fjord: ") ? failure.get() : "fjord: cluster: " + failure.get());
                cluster.stop(STOP_TIMEOUT);
            }
            return exitWithoutHook(shutdownHook);
        }
        out.printf(Locale.ROOT, "Fjord cluster ready: bootstrap servers %s (%d node%s of cluster %s in %s, ready in"
                        + " %.1f s)%n", layout.bootstrapServers(), layout.nodeCount(),
                layout.nodeCount() == 1 ? "" : "s", clusterId, layout.directory(),
                (System.nanoTime() - startedNanos) / 1e9);
        cluster.awaitExits();
        if (!cluster.isStopping()) {
            err.println("fjord: cluster: every node has exited");
        }
        return exitWithoutHook(shutdownHook);
    }

    /**
     * The shutdown hook: stops the nodes, then ends the process with 0 when they all stopped cleanly. The JVM would
     * otherwise report the signal (143 for SIGTERM) although the cluster stopped as asked.
     */
    private void stopOnSignal(LocalCluster cluster) {
        boolean clean = false;
        try {
            clean = cluster.stop(STOP_TIMEOUT);
            out.println(clean ? "Fjord cluster stopped" : "Fjord cluster stopped; some nodes had to be killed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            out.flush();
            err.flush();
            Runtime.getRuntime().halt(clean ? 0 : 1);
        }
    }

    /** Exit code 1 after the nodes stopped without a signal; the hook, if running already, decides otherwise. */
    private static int exitWithoutHook(Thread shutdownHook) {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // A signal arrived: the hook is stopping the nodes and ends the process itself.
        }
        return 1;
    }

    /** The settings of {@code --config}, values trimmed as {@link ServerProperties} trims them; none without. */
    private Map<String, String> extraProperties() {
        Map<String, String> values = new HashMap<>();
        if (configFile == null) {
            return values;
        }
        Properties properties = new Properties();
        try {
            if (Files.size(configFile) > CONFIG_FILE_SIZE_MAX_BYTES) {
                throw new IllegalArgumentException("the configuration file " + configFile + " holds more than "
                        + CONFIG_FILE_SIZE_MAX_BYTES + " bytes");
            }
            try (Reader reader = Files.newBufferedReader(configFile, StandardCharsets.UTF_8)) {
                properties.load(reader);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the configuration file " + configFile + ": "
                    + IoErrors.reason(e), e);
        }
        properties.stringPropertyNames().forEach(name -> values.put(name, properties.getProperty(name).trim()));
        return values;
    }
}
