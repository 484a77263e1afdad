package io.fjord.server;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The shape of a local cluster ({@code fjord cluster}): node {@code i} (1..N) listens for clients on
 * {@code localhost:basePort+2(i-1)} and for the metadata quorum on the next port, keeps its data in
 * {@code DIR/node-i/data} and its {@code server.properties} and {@code server.log} in {@code DIR/node-i}. Every node
 * has both roles and is a voter. Pure: computes names, ports and file contents, touches no file. Immutable.
 *
 * @param directory the cluster's directory, absolute and normalized
 * @param extraProperties settings from {@code --config} applied to every node, never one this class owns
 */
record ClusterLayout(int nodeCount, Path directory, int basePort, Map<String, String> extraProperties) {
    static final String READY_FILE = "ready";
    static final int NODES_MAX = 9;
    static final String CLUSTER_ID_FILE = "cluster.id";
    static final String PROPERTIES_FILE = "server.properties";
    private static final String HOST = "localhost";
    private static final int PORT_MAX = 65_535;
    /** Settings that make the layout; one from {@code --config} would break it, so it is refused. */
    static final Set<String> OWNED_KEYS = Set.of("node.id", "broker.id", "process.roles", "listeners",
            "advertised.listeners", "listener.security.protocol.map", "inter.broker.listener.name",
            "controller.listener.names", "controller.quorum.voters", "controller.quorum.bootstrap.servers",
            "log.dirs", "log.dir", "metadata.log.dir");

    /** One node of the layout. */
    record Node(int nodeId, int clientPort, int controllerPort, Path directory) {
        Path dataDirectory() {
            return directory.resolve("data");
        }

        Path propertiesFile() {
            return directory.resolve(PROPERTIES_FILE);
        }

        /** The file the node's process writes once it is ready and deletes when it begins to stop. */
        Path readyFile() {
            return directory.resolve(READY_FILE);
        }

        String bootstrapServer() {
            return HOST + ":" + clientPort;
        }
    }

    ClusterLayout {
        extraProperties = Collections.unmodifiableMap(new TreeMap<>(extraProperties));
    }

    /**
     * Checks the options and builds the layout.
     *
     * @throws IllegalArgumentException with a one-line message naming the option and what is wrong
     */
    static ClusterLayout of(int nodeCount, Path directory, int basePort, Map<String, String> extraProperties) {
        if (nodeCount < 1 || nodeCount > NODES_MAX) {
            throw new IllegalArgumentException("--nodes must be between 1 and " + NODES_MAX + ", not " + nodeCount);
        }
        int lastPort = PORT_MAX - 2 * nodeCount + 1;
        if (basePort < 1 || basePort > lastPort) {
            throw new IllegalArgumentException("--base-port must be between 1 and " + lastPort + " for "
                    + nodeCount + " node" + (nodeCount == 1 ? "" : "s") + " (two ports each), not " + basePort);
        }
        List<String> owned = extraProperties.keySet().stream()
                .filter(key -> OWNED_KEYS.contains(key.toLowerCase(Locale.ROOT))).sorted().toList();
        if (!owned.isEmpty()) {
            throw new IllegalArgumentException("--config must not set " + String.join(", ", owned)
                    + ": fjord cluster sets " + (owned.size() == 1 ? "it" : "them") + " for each node");
        }
        return new ClusterLayout(nodeCount, directory.toAbsolutePath().normalize(), basePort, extraProperties);
    }

    List<Node> nodes() {
        List<Node> nodes = new ArrayList<>(nodeCount);
        for (int nodeId = 1; nodeId <= nodeCount; nodeId++) {
            int clientPort = basePort + 2 * (nodeId - 1);
            nodes.add(new Node(nodeId, clientPort, clientPort + 1, directory.resolve("node-" + nodeId)));
        }
        return nodes;
    }

    Path clusterIdFile() {
        return directory.resolve(CLUSTER_ID_FILE);
    }

    /** {@code localhost:port} of every node's client listener, comma-separated, as clients take them. */
    String bootstrapServers() {
        return nodes().stream().map(Node::bootstrapServer).collect(Collectors.joining(","));
    }

    /** The settings of one node: the layout's, then {@code --config}'s (which cannot touch the layout's). */
    Map<String, String> properties(Node node) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("node.id", Integer.toString(node.nodeId()));
        properties.put("process.roles", "broker,controller");
        properties.put("listeners", "PLAINTEXT://" + HOST + ":" + node.clientPort() + ",CONTROLLER://" + HOST + ":"
                + node.controllerPort());
        properties.put("advertised.listeners", "PLAINTEXT://" + node.bootstrapServer());
        properties.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        properties.put("inter.broker.listener.name", "PLAINTEXT");
        properties.put("controller.listener.names", "CONTROLLER");
        properties.put("controller.quorum.voters", nodes().stream()
                .map(voter -> voter.nodeId() + "@" + HOST + ":" + voter.controllerPort())
                .collect(Collectors.joining(",")));
        properties.put("log.dirs", node.dataDirectory().toString());
        // Kafka's default is 3: a smaller local cluster gets one replica per node, so its coordinator is available.
        properties.put("offsets.topic.replication.factor", Integer.toString(Math.min(3, nodeCount)));
        properties.put("transaction.state.log.replication.factor", Integer.toString(Math.min(3, nodeCount)));
        properties.put("transaction.state.log.min.isr", Integer.toString(Math.min(2, nodeCount)));
        properties.putAll(extraProperties);
        return properties;
    }

    /** The text of a node's {@code server.properties}: {@link #properties} with comments saying where each came from. */
    String serverProperties(Node node) {
        StringBuilder text = new StringBuilder();
        text.append("# Written by fjord cluster for node ").append(node.nodeId()).append(" of ").append(nodeCount)
                .append(" at every run, from its options: change those (or the --config file), not this file.\n");
        Map<String, String> properties = properties(node);
        properties.forEach((key, value) -> {
            if (extraProperties.containsKey(key)) {
                return;
            }
            if (key.equals("offsets.topic.replication.factor")
                    || key.equals("transaction.state.log.replication.factor")) {
                text.append("# Kafka's default (3), or one replica per node in a smaller cluster.\n");
            }
            text.append(key).append('=').append(escapeValue(value)).append('\n');
        });
        if (!extraProperties.isEmpty()) {
            text.append("# From --config, for every node:\n");
            extraProperties.forEach((key, value) -> text.append(escapeKey(key)).append('=').append(escapeValue(value))
                    .append('\n'));
        }
        return text.toString();
    }

    /** A value as java.util.Properties reads it back: only line breaks and backslashes need escaping. */
    private static String escapeValue(String text) {
        return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
    }

    /** A key also ends at a separator or white space, and a leading # or ! would make the line a comment. */
    private static String escapeKey(String text) {
        StringBuilder escaped = new StringBuilder(text.length());
        for (char character : escapeValue(text).toCharArray()) {
            if (character == '=' || character == ':' || character == ' ' || character == '#' || character == '!') {
                escaped.append('\\');
            }
            escaped.append(character);
        }
        return escaped.toString();
    }
}
