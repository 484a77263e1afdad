package io.fjord.integration;

import static org.awaitility.Awaitility.await;

import io.fjord.server.FjordNode;
import io.fjord.server.NodeConfig;
import io.fjord.storage.Base64Uuids;
import io.fjord.storage.MetaProperties;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A cluster of Fjord nodes in this JVM, each a broker and a voter of the metadata quorum
 * ({@code process.roles=broker,controller}), on loopback: client listeners on free ports, controller listeners on
 * ports chosen before the start (the voters' addresses are configuration). Nodes start together, since a voter waits
 * for a majority to elect a leader. Not thread-safe.
 */
final class FjordTestCluster implements AutoCloseable {
    /** Liveness bound of a node's start on a busy machine. */
    private static final long START_BOUND_SECONDS = 120;

    private final Map<Integer, FjordNode> nodes = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<Integer, Map<String, String>> properties = new HashMap<>();
    private String clusterId;
    private String voters;
    private Path root;

    private FjordTestCluster() {
    }

    static FjordTestCluster start(Path root, int nodeCount, Map<String, String> extra) throws Exception {
        return start(root, nodeCount, extra, Map.of());
    }

    /** As {@link #start(Path, int, Map)}, node {@code id} also getting {@code perNode.get(id)} (a rack, say). */
    static FjordTestCluster start(Path root, int nodeCount, Map<String, String> extra,
                                  Map<Integer, Map<String, String>> perNode) throws Exception {
        return start(root, nodeCount, extra, perNode, List.of());
    }

    /**
     * As {@link #start(Path, int, Map, Map)}, every node formatted with {@code fjord format --add-scram} and these
     * values (Kafka's {@code kafka-storage format --add-scram} syntax), so SCRAM users, a SCRAM inter-broker user
     * included, exist from the cluster's first committed metadata. A {@code listeners} entry of {@code extra} is the
     * nodes' broker listeners (ports 0); the fixture adds each node's controller listener.
     */
    static FjordTestCluster start(Path root, int nodeCount, Map<String, String> extra,
                                  Map<Integer, Map<String, String>> perNode, List<String> addScram) throws Exception {
        List<Integer> ports = freePorts(nodeCount);
        StringBuilder voters = new StringBuilder();
        for (int id = 1; id <= nodeCount; id++) {
            voters.append(id == 1 ? "" : ",").append(id).append("@127.0.0.1:").append(ports.get(id - 1));
        }
        FjordTestCluster cluster = new FjordTestCluster();
        // Every node formatted with the cluster's id, as fjord format does.
        String clusterId = Base64Uuids.encode(UUID.randomUUID());
        cluster.clusterId = clusterId;
        cluster.voters = voters.toString();
        cluster.root = root;
        for (int id = 1; id <= nodeCount; id++) {
            Map<String, String> node = new HashMap<>();
            node.put("node.id", Integer.toString(id));
            node.put("process.roles", "broker,controller");
            node.put("controller.listener.names", "CONTROLLER");
            node.put("controller.quorum.voters", voters.toString());
            node.put("log.dirs", root.resolve("node-" + id).toString());
            node.putAll(extra);
            node.putAll(perNode.getOrDefault(id, Map.of()));
            node.put("listeners", extra.getOrDefault("listeners", "PLAINTEXT://127.0.0.1:0") + ",CONTROLLER://127.0.0.1:"
                    + ports.get(id - 1));
            cluster.properties.put(id, node);
            if (addScram.isEmpty()) {
                MetaProperties.of(clusterId, id, UUID.randomUUID()).write(
                        java.nio.file.Files.createDirectories(root.resolve("node-" + id)));
            } else {
                format(root, clusterId, node, addScram);
            }
        }
        try {
            cluster.startNodes(cluster.properties.keySet());
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** Formats a node as {@code fjord format --add-scram} does (every controller keeps the bootstrap records). */
    private static void format(Path root, String clusterId, Map<String, String> node, List<String> addScram)
            throws IOException {
        StringBuilder text = new StringBuilder();
        node.forEach((key, value) -> text.append(key).append('=').append(value.replace("\\", "\\\\"))
                .append('\n'));
        Path config = java.nio.file.Files.writeString(java.nio.file.Files.createDirectories(root)
                .resolve("node-" + node.get("node.id") + ".properties"), text);
        List<String> arguments = new ArrayList<>(List.of("format", "--cluster-id", clusterId, "--config",
                config.toString()));
        for (String credential : addScram) {
            arguments.add("--add-scram");
            arguments.add(credential);
        }
        if (io.fjord.server.FjordCli.run(arguments.toArray(String[]::new)) != 0) {
            throw new IllegalStateException("fjord format failed for node " + node.get("node.id"));
        }
    }

    /** Starts the given (stopped) nodes together and waits until each is ready. */
    void startNodes(Iterable<Integer> ids) throws Exception {
        ExecutorService starters = Executors.newCachedThreadPool();
        try {
            Map<Integer, Future<FjordNode>> starting = new LinkedHashMap<>();
            for (int id : ids) {
                Map<String, String> config = properties.get(id);
                starting.put(id, starters.submit(() -> {
                    FjordNode node = new FjordNode(NodeConfig.fromProperties(config), InstantSource.system());
                    node.start();
                    return node;
                }));
            }
            for (Map.Entry<Integer, Future<FjordNode>> entry : starting.entrySet()) {
                nodes.put(entry.getKey(), entry.getValue().get(START_BOUND_SECONDS, TimeUnit.SECONDS));
            }
        } finally {
            starters.shutdownNow();
        }
    }

    /**
     * Adds a broker-only node (an observer of the quorum, no controller listener), formatted with the cluster's id,
     * and waits until it is ready.
     */
    void addBroker(int id, Map<String, String> extra) throws Exception {
        MetaProperties.of(clusterId, id, UUID.randomUUID()).write(
                java.nio.file.Files.createDirectories(root.resolve("node-" + id)));
        Map<String, String> node = new HashMap<>();
        node.put("node.id", Integer.toString(id));
        node.put("process.roles", "broker");
        node.put("listeners", "PLAINTEXT://127.0.0.1:0");
        node.put("controller.listener.names", "CONTROLLER");
        node.put("controller.quorum.voters", voters);
        node.put("log.dirs", root.resolve("node-" + id).toString());
        node.putAll(extra);
        properties.put(id, node);
        startNodes(List.of(id));
    }

    FjordNode node(int id) {
        return nodes.get(id);
    }

    /** The running nodes' ids. */
    List<Integer> running() {
        return new ArrayList<>(nodes.keySet());
    }

    /** The node the metadata quorum's leader is, as the given node knows it (-1 if none). */
    int controllerId(int askedNodeId) {
        return nodes.get(askedNodeId).metadataQuorum().status().leaderId();
    }

    /**
     * Waits until every running node knows the same metadata quorum leader, and returns its id: what a test does
     * before it asks for anything the controller decides.
     */
    int awaitOneController(Duration bound) {
        await().atMost(bound).until(() -> running().stream().map(this::controllerId).distinct().count() == 1
                && controllerId(running().get(0)) > 0);
        return controllerId(running().get(0));
    }

    /** Stops one node (cleanly); the others keep running. */
    void stop(int id) {
        FjordNode node = nodes.remove(id);
        if (node != null) {
            node.stop();
        }
    }

    /** Node {@code id}'s controller listener, {@code host:port}. */
    String controllerAddress(int id) {
        String listeners = properties.get(id).get("listeners");
        return listeners.substring(listeners.indexOf("CONTROLLER://") + "CONTROLLER://".length());
    }

    String bootstrapServers(int id) {
        return "127.0.0.1:" + nodes.get(id).boundAddress("PLAINTEXT").getPort();
    }

    /** An Admin client that knows only node {@code id} (it learns the others from it). */
    Admin admin(int id) {
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(id));
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 20_000);
        return Admin.create(config);
    }

    /** {@code count} loopback ports free a moment ago (bound together, then released). */
    static List<Integer> freePorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            List<Integer> ports = new ArrayList<>();
            for (int index = 0; index < count; index++) {
                ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                sockets.add(socket);
                ports.add(socket.getLocalPort());
            }
            return ports;
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }

    /**
     * Stops every node at once, as {@code fjord cluster} does on Ctrl-C: one after the other, the last ones' controlled
     * shutdowns would wait out their bound on a quorum that lost its majority.
     */
    @Override
    public void close() {
        // Broker-only nodes first, while the quorum can still take their controlled shutdowns.
        stopTogether(nodes.keySet().stream().filter(id -> "broker".equals(properties.get(id).get("process.roles")))
                .toList());
        stopTogether(new ArrayList<>(nodes.keySet()));
    }

    private void stopTogether(List<Integer> ids) {
        List<Thread> stopping = new ArrayList<>();
        for (int id : ids) {
            Thread thread = new Thread(() -> stop(id), "stop-node-" + id);
            thread.start();
            stopping.add(thread);
        }
        for (Thread thread : stopping) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(START_BOUND_SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
