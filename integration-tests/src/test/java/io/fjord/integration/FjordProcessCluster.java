package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fjord.storage.Base64Uuids;
import io.fjord.storage.MetaProperties;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeQuorumResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeQuorumRequest;
import org.apache.kafka.common.requests.DescribeQuorumResponse;

/**
 * A Fjord cluster of child processes on loopback, each node its own JVM ({@code fjord start}) with the broker and
 * controller roles and a voter of the metadata quorum (or, started {@link #startIsolated isolated}, controller-only
 * voters and broker-only nodes), so that a kill is a real SIGKILL of one node and SIGTERM runs
 * its real shutdown hook. Ports are chosen once, so a restarted node comes back on the same addresses; each start
 * writes its own output file ({@code node-N/run-K.out}). Started partitionable, its inter-node links go through a
 * {@link NetworkFaultProxy} (see {@link #startPartitionable}). Not thread-safe: one test thread drives it.
 */
final class FjordProcessCluster implements AutoCloseable {
    /** Liveness bound of a node's start (or restart after kill -9, which waits out its old lease) on a busy machine. */
    static final Duration START_BOUND = Duration.ofSeconds(120);
    private static final Duration STOP_BOUND = Duration.ofSeconds(90);

    private final Path root;
    private final String clusterId;
    private final int nodeCount;
    /**
     * In isolated mode (Kafka's production shape) the ids of the controller-only nodes, {@code 1..C}; the others are
     * broker-only. Empty when every node has both roles.
     */
    private final java.util.Set<Integer> controllerOnly = new java.util.TreeSet<>();
    private final Map<Integer, Integer> clientPorts = new HashMap<>();
    private final Map<Integer, Integer> controllerPorts = new HashMap<>();
    /** The replication listener's port of (source, destination): where the source's fetches arrive. */
    private final Map<List<Integer>, Integer> replicationPorts = new HashMap<>();
    private final Map<Integer, Process> processes = new HashMap<>();
    private final Map<Integer, Path> outputs = new HashMap<>();
    private final Map<Integer, Integer> runs = new HashMap<>();
    /** Between the nodes when started partitionable; null otherwise. */
    private NetworkFaultProxy proxy;

    private FjordProcessCluster(Path root, String clusterId, int nodeCount) {
        this.root = root;
        this.clusterId = clusterId;
        this.nodeCount = nodeCount;
    }

    /** Formats and starts {@code nodeCount} voters with the given extra settings; waits until every one is ready. */
    static FjordProcessCluster start(Path root, int nodeCount, Map<String, String> extra) throws Exception {
        return start(root, nodeCount, extra, false);
    }

    /**
     * As {@link #start(Path, int, Map)}, with every inter-node link through a {@link NetworkFaultProxy} so that
     * {@link #isolate}, {@link #cutReplication} and {@link #healNetwork} can partition the nodes; clients still reach
     * every node directly.
     *
     * <p>Why a proxy in the test JVM rather than network namespaces with veth pairs: it runs on any Linux (or other)
     * CI runner, as root or not, without {@code ip}, and a cut is per pair and per kind of traffic. Fjord's nodes dial
     * each other in two ways, and both are routed per (source, destination) pair without changing Fjord: Raft and the
     * broker-to-controller channel dial {@code controller.quorum.voters}, which each node gets with its own proxy
     * address per peer; replica fetchers dial the leader's advertised address on the fetching node's
     * {@code inter.broker.listener.name}, so every node listens on one replication listener per source node
     * ({@code REPLICATION_FROM_<source>}), advertises for it the proxy from that source, and fetches on its own
     * ({@code inter.broker.listener.name=REPLICATION_FROM_<id>}). Kafka allows brokers different inter-broker
     * listener names as long as every broker advertises each of them.
     */
    static FjordProcessCluster startPartitionable(Path root, int nodeCount, Map<String, String> extra)
            throws Exception {
        return start(root, nodeCount, extra, true);
    }

    /**
     * Kafka's isolated mode: {@code controllers} controller-only nodes (ids {@code 1..controllers}, listening on their
     * controller listener only, the voters of {@code controller.quorum.voters}) and {@code brokers} broker-only nodes
     * (the following ids, observers of the quorum); formats and starts them all and waits until each is ready.
     */
    static FjordProcessCluster startIsolated(Path root, int controllers, int brokers, Map<String, String> extra)
            throws Exception {
        return start(root, controllers + brokers, extra, false, controllers);
    }

    /**
     * As {@link #startIsolated}, on a dynamic quorum (KIP-853): every node finds the controllers through
     * {@code controller.quorum.bootstrap.servers} (no {@code controller.quorum.voters}), and each node is formatted by
     * {@code fjord format}, the controllers with {@code --initial-controllers} naming all three with their directory
     * ids.
     */
    static FjordProcessCluster startIsolatedDynamic(Path root, int controllers, int brokers,
            Map<String, String> extra) throws Exception {
        return start(root, controllers + brokers, extra, false, controllers, true);
    }

    private static FjordProcessCluster start(Path root, int nodeCount, Map<String, String> extra,
                                             boolean partitionable) throws Exception {
        return start(root, nodeCount, extra, partitionable, 0, false);
    }

    private static FjordProcessCluster start(Path root, int nodeCount, Map<String, String> extra,
            boolean partitionable, int controllerOnlyCount) throws Exception {
        return start(root, nodeCount, extra, partitionable, controllerOnlyCount, false);
    }

    private static FjordProcessCluster start(Path root, int nodeCount, Map<String, String> extra,
            boolean partitionable, int controllerOnlyCount, boolean dynamicQuorum) throws Exception {
        assertThat(partitionable && dynamicQuorum).as("a dynamic quorum is not partitionable").isFalse();
        FjordProcessCluster cluster = new FjordProcessCluster(root, Base64Uuids.encode(UUID.randomUUID()), nodeCount);
        for (int id = 1; id <= controllerOnlyCount; id++) {
            cluster.controllerOnly.add(id);
        }
        int links = partitionable ? nodeCount * (nodeCount - 1) : 0;
        int replicationListeners = partitionable ? nodeCount : 0;
        int perNode = 2 + replicationListeners;
        // One call, so that every port (the nodes' and the proxy's) is free at the same moment.
        List<Integer> ports = FjordTestCluster.freePorts(perNode * nodeCount + 2 * links);
        for (int id = 1; id <= nodeCount; id++) {
            int base = perNode * (id - 1);
            cluster.clientPorts.put(id, ports.get(base));
            cluster.controllerPorts.put(id, ports.get(base + 1));
            for (int source = 1; source <= replicationListeners; source++) {
                cluster.replicationPorts.put(List.of(source, id), ports.get(base + 1 + source));
            }
        }
        Map<List<Integer>, Integer> controllerProxyPorts = new HashMap<>();
        Map<List<Integer>, Integer> replicationProxyPorts = new HashMap<>();
        try {
            if (partitionable) {
                cluster.proxy = NetworkFaultProxy.start();
                int next = perNode * nodeCount;
                for (int source = 1; source <= nodeCount; source++) {
                    for (int destination = 1; destination <= nodeCount; destination++) {
                        if (source != destination) {
                            List<Integer> pair = List.of(source, destination);
                            controllerProxyPorts.put(pair, ports.get(next++));
                            replicationProxyPorts.put(pair, ports.get(next++));
                            cluster.proxy.open(controllerLink(source, destination), controllerProxyPorts.get(pair),
                                    loopback(cluster.controllerPorts.get(destination)));
                            cluster.proxy.open(replicationLink(source, destination),
                                    replicationProxyPorts.get(pair), loopback(cluster.replicationPorts.get(pair)));
                        }
                    }
                }
            }
            // INFO to standard output: the ready line and the lifecycle lines are what the tests read.
            Files.writeString(root.resolve("logback.xml"), "<configuration><appender name=\"OUT\" "
                    + "class=\"ch.qos.logback.core.ConsoleAppender\"><encoder><pattern>%d{HH:mm:ss.SSS} %level "
                    + "%logger - %msg%n</pattern></encoder></appender><root level=\"INFO\"><appender-ref "
                    + "ref=\"OUT\"/></root></configuration>");
            for (int id = 1; id <= nodeCount; id++) {
                Path node = Files.createDirectories(root.resolve("node-" + id));
                Path data = Files.createDirectories(node.resolve("data"));
                if (!dynamicQuorum) {
                    // What fjord format writes: one cluster id on every node.
                    MetaProperties.of(cluster.clusterId, id, UUID.randomUUID()).write(data);
                }
                Map<String, String> config = new HashMap<>();
                config.put("node.id", Integer.toString(id));
                config.put("process.roles", cluster.controllerOnly.isEmpty() ? "broker,controller"
                        : cluster.isController(id) ? "controller" : "broker");
                StringBuilder voters = new StringBuilder();
                for (int voter = 1; voter <= nodeCount; voter++) {
                    if (!cluster.isController(voter)) {
                        continue;
                    }
                    int port = partitionable && voter != id ? controllerProxyPorts.get(List.of(id, voter))
                            : cluster.controllerPorts.get(voter);
                    voters.append(voter == 1 ? "" : ",").append(voter).append("@127.0.0.1:").append(port);
                }
                String clientListener = "PLAINTEXT://127.0.0.1:" + cluster.clientPorts.get(id);
                String controllerListener = "CONTROLLER://127.0.0.1:" + cluster.controllerPorts.get(id);
                String listeners = !cluster.isBroker(id) ? controllerListener
                        : !cluster.isController(id) ? clientListener : clientListener + "," + controllerListener;
                if (partitionable) {
                    StringBuilder advertised = new StringBuilder("PLAINTEXT://127.0.0.1:")
                            .append(cluster.clientPorts.get(id));
                    StringBuilder protocols = new StringBuilder("PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
                    for (int source = 1; source <= nodeCount; source++) {
                        List<Integer> pair = List.of(source, id);
                        String name = replicationListener(source);
                        listeners += "," + name + "://127.0.0.1:" + cluster.replicationPorts.get(pair);
                        advertised.append(',').append(name).append("://127.0.0.1:").append(source == id
                                ? cluster.replicationPorts.get(pair) : replicationProxyPorts.get(pair));
                        protocols.append(',').append(name).append(":PLAINTEXT");
                    }
                    config.put("advertised.listeners", advertised.toString());
                    config.put("listener.security.protocol.map", protocols.toString());
                    config.put("inter.broker.listener.name", replicationListener(id));
                }
                config.put("listeners", listeners);
                config.put("controller.listener.names", "CONTROLLER");
                config.put(dynamicQuorum ? "controller.quorum.bootstrap.servers" : "controller.quorum.voters",
                        dynamicQuorum ? cluster.controllerAddresses() : voters.toString());
                config.put("log.dirs", data.toString());
                config.putAll(extra);
                Files.writeString(node.resolve("server.properties"), config.entrySet().stream()
                        .map(entry -> entry.getKey() + "=" + entry.getValue()).sorted()
                        .collect(Collectors.joining("\n", "", "\n")));
            }
            if (dynamicQuorum) {
                cluster.formatDynamic();
            }
            // Together: a voter waits for a majority to elect a leader.
            for (int id = 1; id <= nodeCount; id++) {
                cluster.startNode(id);
            }
            for (int id = 1; id <= nodeCount; id++) {
                cluster.awaitReady(id);
            }
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** The controllers' listener addresses, comma-separated (a dynamic quorum's bootstrap servers). */
    private String controllerAddresses() {
        return controllerPorts.keySet().stream().filter(this::isController).sorted().map(this::controllerAddress)
                .collect(Collectors.joining(","));
    }

    /** {@code fjord format} of every node: the controllers as the initial voters with new directory ids. */
    private void formatDynamic() {
        String initialControllers = controllerPorts.keySet().stream().filter(this::isController).sorted()
                .map(id -> id + "@" + controllerAddress(id) + ":" + Base64Uuids.encode(UUID.randomUUID()))
                .collect(Collectors.joining(","));
        for (int id = 1; id <= nodeCount; id++) {
            List<String> arguments = new ArrayList<>(List.of("format", "--cluster-id=" + clusterId, "--config",
                    root.resolve("node-" + id).resolve("server.properties").toString()));
            if (isController(id)) {
                arguments.addAll(List.of("--initial-controllers", initialControllers));
            }
            assertThat(io.fjord.server.FjordCli.run(arguments.toArray(String[]::new))).as("fjord format of node %d", id)
                    .isZero();
        }
    }

    /** Whether the node runs a controller (a voter): every node but the broker-only ones of isolated mode. */
    boolean isController(int id) {
        return controllerOnly.isEmpty() || controllerOnly.contains(id);
    }

    /** Whether the node runs a broker: every node but the controller-only ones of isolated mode. */
    boolean isBroker(int id) {
        return !controllerOnly.contains(id);
    }

    private static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    private static String replicationListener(int source) {
        return "REPLICATION_FROM_" + source;
    }

    private static String controllerLink(int source, int destination) {
        return "controller " + source + "->" + destination;
    }

    private static String replicationLink(int source, int destination) {
        return "replication " + source + "->" + destination;
    }

    /**
     * Cuts every inter-node link to and from the node (Raft, the controller channel, replication); its clients still
     * reach it. Needs {@link #startPartitionable}.
     */
    void isolate(int id) {
        for (int peer = 1; peer <= nodeCount; peer++) {
            if (peer != id) {
                setLinks(id, peer, true);
                setLinks(peer, id, true);
            }
        }
    }

    /** Cuts the follower's replica fetches from the leader only (Raft and the controller channel keep working). */
    void cutReplication(int follower, int leader) {
        partitionableProxy().cut(replicationLink(follower, leader));
    }

    /** Heals every cut link. */
    void healNetwork() {
        for (int source = 1; source <= nodeCount; source++) {
            for (int destination = 1; destination <= nodeCount; destination++) {
                if (source != destination) {
                    setLinks(source, destination, false);
                }
            }
        }
    }

    private void setLinks(int source, int destination, boolean cut) {
        NetworkFaultProxy faults = partitionableProxy();
        for (String link : List.of(controllerLink(source, destination), replicationLink(source, destination))) {
            if (cut) {
                faults.cut(link);
            } else {
                faults.heal(link);
            }
        }
    }

    private NetworkFaultProxy partitionableProxy() {
        assertThat(proxy).as("the cluster was started with startPartitionable").isNotNull();
        return proxy;
    }

    /** Starts a stopped node on its data and addresses (its output goes to a new file); does not wait. */
    void startNode(int id) throws IOException {
        assertThat(processes.get(id)).as("node %d is not running", id).matches(p -> p == null || !p.isAlive());
        int run = runs.merge(id, 1, Integer::sum);
        Path node = root.resolve("node-" + id);
        Path output = node.resolve("run-" + run + ".out");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dlogback.configurationFile=" + root.resolve("logback.xml"), "-cp",
                System.getProperty("java.class.path"), "io.fjord.server.FjordCli", "start", "--config",
                node.resolve("server.properties").toString());
        outputs.put(id, output);
        processes.put(id, new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                .start());
    }

    /** Waits for the node's ready line, which a broker prints once the controller has unfenced it. */
    void awaitReady(int id) throws IOException {
        String ready = "Fjord node " + id + " of cluster " + clusterId + " is ready";
        Process process = processes.get(id);
        await().atMost(START_BOUND).pollInterval(Duration.ofMillis(200))
                .until(() -> !process.isAlive() || output(id).contains(ready));
        assertThat(process.isAlive()).as("node %d is running:%n%s", id, output(id)).isTrue();
    }

    /** kill -9 of the node's JVM; returns once the process is gone. */
    void kill(int id) throws Exception {
        ProcessHandle handle = processes.get(id).toHandle();
        assertThat(handle.destroyForcibly()).as("SIGKILL sent to node %d", id).isTrue();
        handle.onExit().get(STOP_BOUND.toSeconds(), TimeUnit.SECONDS);
    }

    /** SIGTERM, as a service manager stops a node; returns the exit code once the process is gone. */
    int terminate(int id) throws Exception {
        Process process = processes.get(id);
        assertThat(process.toHandle().destroy()).as("SIGTERM sent to node %d", id).isTrue();
        assertThat(process.waitFor(STOP_BOUND.toSeconds(), TimeUnit.SECONDS)).as("node %d exited", id).isTrue();
        return process.exitValue();
    }

    /** SIGSTOP: the node's JVM freezes (no heartbeats, no fetches, no answers) until {@link #resume}. */
    void pause(int id) throws Exception {
        signal(id, "STOP");
    }

    /** SIGCONT of a paused node. */
    void resume(int id) throws Exception {
        signal(id, "CONT");
    }

    private void signal(int id, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(processes.get(id).pid()))
                .redirectErrorStream(true).start();
        assertThat(kill.waitFor(STOP_BOUND.toSeconds(), TimeUnit.SECONDS) && kill.exitValue() == 0)
                .as("SIG%s sent to node %d", signal, id).isTrue();
    }

    /** The node's log directory ({@code log.dirs}). */
    Path dataDirectory(int id) {
        return root.resolve("node-" + id).resolve("data");
    }

    boolean isRunning(int id) {
        Process process = processes.get(id);
        return process != null && process.isAlive();
    }

    /** What the node's current (or last) run printed. */
    String output(int id) throws IOException {
        return Files.readString(outputs.get(id), StandardCharsets.UTF_8);
    }

    /** Every WARN and ERROR line of every run of every node, each prefixed with its output file. */
    List<String> warningsAndErrors() throws IOException {
        List<String> lines = new ArrayList<>();
        for (int id = 1; id <= nodeCount; id++) {
            for (int run = 1; run <= runs.getOrDefault(id, 0); run++) {
                Path output = root.resolve("node-" + id).resolve("run-" + run + ".out");
                for (String line : Files.readAllLines(output, StandardCharsets.UTF_8)) {
                    if (line.contains(" WARN ") || line.contains(" ERROR ")) {
                        lines.add("node-" + id + "/run-" + run + ": " + line);
                    }
                }
            }
        }
        return lines;
    }

    /** The node's controller listener address, {@code 127.0.0.1:port}. */
    String controllerAddress(int id) {
        return "127.0.0.1:" + controllerPorts.get(id);
    }

    /** The node's client address, {@code 127.0.0.1:port}. */
    String bootstrapServers(int id) {
        return "127.0.0.1:" + clientPorts.get(id);
    }

    /** The node's client address. */
    InetSocketAddress clientAddress(int id) {
        return loopback(clientPorts.get(id));
    }

    /** The client addresses of the running brokers. */
    String runningBootstrapServers() {
        return running().stream().filter(this::isBroker).map(this::bootstrapServers)
                .collect(Collectors.joining(","));
    }

    List<Integer> running() {
        List<Integer> ids = new ArrayList<>();
        for (int id = 1; id <= nodeCount; id++) {
            if (isRunning(id)) {
                ids.add(id);
            }
        }
        return ids;
    }

    /**
     * The active controller (the Raft leader of the metadata quorum), found as {@code kafka-metadata-quorum} finds
     * it: DescribeQuorum on each running node's controller listener, which only the leader answers (the others say
     * NOT_LEADER_OR_FOLLOWER, as Kafka's do); -1 while no running node leads.
     */
    int activeController() throws IOException {
        DescribeQuorumRequest request = new DescribeQuorumRequest.Builder(DescribeQuorumRequest.singletonRequest(
                new TopicPartition("__cluster_metadata", 0))).build((short) 1);
        for (int id : running().stream().filter(this::isController).toList()) {
            DescribeQuorumResponse response = new RawClient(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    controllerPorts.get(id))).send(request, ApiKeys.DESCRIBE_QUORUM);
            assertThat(Errors.forCode(response.data().errorCode())).isEqualTo(Errors.NONE);
            DescribeQuorumResponseData.PartitionData partition = response.data().topics().get(0).partitions().get(0);
            if (partition.errorCode() == Errors.NONE.code()) {
                assertThat(partition.leaderId()).as("the leader names itself").isEqualTo(id);
                return id;
            }
            assertThat(Errors.forCode(partition.errorCode())).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
        }
        return -1;
    }

    /** An Admin client that knows the given nodes only. */
    Admin admin(String bootstrapServers) {
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 20_000);
        return Admin.create(config);
    }

    /**
     * SIGTERM to every running node at once (one after the other, the last ones' controlled shutdowns would wait on a
     * quorum without a majority), then SIGKILL to any still running after the bound.
     */
    @Override
    public void close() {
        if (proxy != null) {
            // A controlled shutdown needs the active controller.
            healNetwork();
        }
        List<ProcessHandle> handles = processes.values().stream().map(Process::toHandle)
                .filter(ProcessHandle::isAlive).toList();
        handles.forEach(ProcessHandle::destroy);
        for (ProcessHandle handle : handles) {
            try {
                handle.onExit().get(STOP_BOUND.toSeconds(), TimeUnit.SECONDS);
            } catch (Exception e) {
                handle.destroyForcibly();
            }
        }
        if (proxy != null) {
            proxy.close();
            proxy = null;
        }
    }
}
