package io.fjord.server;

import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.config.ConfigException;
import io.fjord.broker.coordinator.driver.GroupCoordinatorConfigs;
import io.fjord.broker.network.Endpoint;
import io.fjord.broker.network.NetworkConfig;
import io.fjord.raft.transport.ChannelSecurity;
import io.fjord.storage.LogManagerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings a node starts with, taken from one validated {@link BrokerConfig} (Kafka's names, types, defaults and
 * checks): identity ({@code node.id}), listeners, data directories ({@code log.dirs}, {@code metadata.log.dir}) and
 * the topic defaults the controller applies. Immutable.
 *
 * @param networkConfig        the broker's socket server on the listeners but the controller's; null on a
 *                             controller-only node, which listens on its controller listener only
 * @param metadataLogDirectory {@code metadata.log.dir}, by default the first of {@code log.dirs}
 * @param quorum               the node's roles, the quorum's voters and its controller listener
 * @param brokerConfig         every setting, for the parts of the node that read their own
 * @param channelSecurities    the protection of each listener the node serves or connects to, by upper-cased
 *                             listener name (TLS on SSL listeners, stores loaded and checked)
 */
public record NodeConfig(int nodeId, List<Endpoint> listeners, List<Endpoint> advertisedListeners,
                         NetworkConfig networkConfig,
                         LogManagerConfig logManagerConfig, Path metadataLogDirectory, QuorumShape quorum,
                         int numPartitions,
                         short defaultReplicationFactor, boolean autoCreateTopics, boolean deleteTopicEnable,
                         BrokerConfig brokerConfig, Map<String, ChannelSecurity> channelSecurities) {

    /**
     * The protection of connections to and from listener {@code listenerName}: PLAINTEXT for a listener the node
     * neither serves nor connects to.
     */
    public ChannelSecurity channelSecurity(String listenerName) {
        return channelSecurities.getOrDefault(listenerName.toUpperCase(java.util.Locale.ROOT),
                ChannelSecurity.PLAINTEXT);
    }

    /** The single-node defaults a node runs with when the file does not say: node 1, broker and controller. */
    static final Map<String, String> SINGLE_NODE_DEFAULTS = Map.of(
            "node.id", "1",
            "process.roles", "broker,controller",
            "listeners", "PLAINTEXT://localhost:9092");

    /**
     * Validates the properties with the single-node defaults filled in; a bad value raises {@link ConfigException}
     * naming its key.
     */
    public static NodeConfig fromProperties(Map<String, String> properties) {
        Map<String, String> withDefaults = new HashMap<>(SINGLE_NODE_DEFAULTS);
        String voters = properties.get("controller.quorum.voters");
        if ((voters == null || voters.isBlank()) && !namesOtherBootstrapServers(properties)) {
            // A quorum of one: Kafka's own single-node file sets the internal topics' replication factor to 1.
            withDefaults.put("offsets.topic.replication.factor", "1");
            withDefaults.put("transaction.state.log.replication.factor", "1");
            withDefaults.put("transaction.state.log.min.isr", "1");
        }
        withDefaults.putAll(properties);
        return from(BrokerConfig.fromMap(withDefaults));
    }

    /**
     * Reads a validated configuration; a listener that does not parse, group settings that do not fit together
     * (Kafka's start-up checks), a listener that is neither PLAINTEXT nor SSL, an SSL listener's unusable stores and
     * multi-node settings raise
     * {@link ConfigException}.
     */
    public static NodeConfig from(BrokerConfig broker) {
        GroupCoordinatorConfigs.validate(broker);
        List<Endpoint> listeners = endpoints("listeners", broker.listeners());
        List<Endpoint> advertised = endpoints("advertised.listeners", broker.advertisedListeners());
        // Kafka's role checks first: a controller-only node has controller listeners only, and no broker listener.
        QuorumShape quorum = QuorumShape.of(broker, listeners);
        if (!broker.isSet("advertised.listeners")) {
            // Kafka advertises the listeners but the controller's: clients do not bootstrap from those.
            advertised = advertised.stream().filter(endpoint -> broker.controllerListenerNames().stream()
                    .noneMatch(name -> name.equalsIgnoreCase(endpoint.listenerName()))).toList();
            if (advertised.isEmpty() && quorum.isBroker()) {
                throw new ConfigException("listeners", String.join(",", broker.listeners()),
                        "every listener is in controller.listener.names; the broker needs one for clients");
            }
        }
        ListenerSecurity.check(broker, listeners, advertised);
        SaslListeners.of(broker, listeners, ListenerSecurity.protocolMap(broker)); // refuses bad SASL settings
        InterBrokerSasl.credentials(broker, listeners, quorum.isBroker()); // refuses bad inter-broker SASL settings
        ControllerSasl.of(broker, listeners); // and bad controller listener SASL settings
        LogManagerConfig logs = LogManagerConfig.fromProperties(broker.logManagerProperties());
        Path metadataDirectory = broker.isSet("metadata.log.dir")
                ? Path.of(broker.metadataLogDir()).toAbsolutePath().normalize() : logs.logDirs().get(0);
        // The controller listener is the metadata quorum's (its Raft transport serves it), never the broker's.
        List<Endpoint> brokerListeners = listeners.stream()
                .filter(listener -> quorum.controllerListener() == null
                        || !listener.listenerName().equalsIgnoreCase(quorum.controllerListener().listenerName())
                        && broker.controllerListenerNames().stream().noneMatch(
                                name -> name.equalsIgnoreCase(listener.listenerName())))
                .toList();
        // A controller-only node has no socket server: its one listener is the quorum's.
        NetworkConfig network = brokerListeners.isEmpty() ? null : new NetworkConfig(brokerListeners,
                broker.intValue("socket.request.max.bytes"),
                broker.longValue("queued.max.request.bytes"),
                broker.longValue("connections.max.idle.ms"),
                broker.intValue("max.connections"),
                broker.intValue("num.network.threads"),
                NetworkConfig.defaults(brokerListeners).queuedRequestsPerConnectionMax(),
                broker.intValue("socket.send.buffer.bytes"),
                broker.intValue("socket.receive.buffer.bytes"));
        if (network != null) {
            BrokerSocketServer.connectionLimits(broker, brokerListeners); // refuses malformed connection limits
        }
        return new NodeConfig(broker.nodeId(), listeners, advertised, network, logs, metadataDirectory, quorum,
                broker.intValue("num.partitions"),
                (short) broker.intValue("default.replication.factor"),
                broker.booleanValue("auto.create.topics.enable"),
                broker.booleanValue("delete.topic.enable"), broker,
                ListenerSecurity.channelSecurities(broker, listeners));
    }

    /**
     * Whether {@code controller.quorum.bootstrap.servers} names a server that is not one of {@code listeners} (a
     * dynamic quorum of several nodes, which keeps Kafka's internal-topic replication factor of 3). Malformed values
     * are left to the checks that follow.
     */
    private static boolean namesOtherBootstrapServers(Map<String, String> properties) {
        String servers = properties.getOrDefault("controller.quorum.bootstrap.servers", "");
        String listenerList = properties.getOrDefault("listeners", SINGLE_NODE_DEFAULTS.get("listeners"));
        List<Endpoint> listeners = new ArrayList<>();
        try {
            for (String listener : listenerList.split(",")) {
                listeners.add(Endpoint.parse(listener.trim()));
            }
            for (String server : servers.split(",")) {
                if (!server.isBlank()) {
                    Endpoint address = Endpoint.parse("BOOTSTRAP://" + server.trim());
                    java.net.InetSocketAddress socket = java.net.InetSocketAddress.createUnresolved(address.host(),
                            address.port());
                    if (listeners.stream().noneMatch(listener -> QuorumShape.listensOn(listener, socket))) {
                        return true;
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            return false;
        }
        return false;
    }

    private static List<Endpoint> endpoints(String key, List<String> texts) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (String text : texts) {
            try {
                endpoints.add(Endpoint.parse(text));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(key, text, e.getMessage());
            }
        }
        return endpoints;
    }
}
