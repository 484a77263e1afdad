package io.fjord.server;

import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.config.ConfigException;
import io.fjord.broker.network.Endpoint;
import io.fjord.raft.RaftConfig;
import io.fjord.raft.VoterEndpoint;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A node's place in the cluster, from Kafka's settings, checked as Kafka checks them: its roles
 * ({@code process.roles}: broker, controller or both), the static voters of the metadata quorum
 * ({@code controller.quorum.voters}, {@code id@host:port}) and its controller listener
 * ({@code controller.listener.names}). Without voters and without bootstrap servers naming other nodes a node is a
 * quorum of one, which needs both roles (the zero-configuration single node; also Kafka's own single-node file, whose
 * {@code controller.quorum.bootstrap.servers} names the node itself). A dynamic quorum (KIP-853: no voters,
 * {@code controller.quorum.bootstrap.servers} naming other nodes) takes its voters from the metadata log: the node
 * finds the leader through the bootstrap servers. A controller listens on a controller listener; a broker-only node
 * is an observer of the quorum and does not listen on one; a controller-only node listens on nothing else.
 * Immutable.
 *
 * @param voters the voters' controller listeners by node id, in configuration order; empty for a quorum of one and
 *     a dynamic quorum
 * @param bootstrapServers {@code controller.quorum.bootstrap.servers} but this node's own listeners, in configuration
 *     order
 * @param controllerListener this node's controller listener, null if it has none
 */
record QuorumShape(Set<String> roles, Map<Integer, InetSocketAddress> voters, List<InetSocketAddress> bootstrapServers,
        boolean bootstrapNamesOthers, Endpoint controllerListener) {
    static final String BROKER = "broker";
    static final String CONTROLLER = "controller";

    QuorumShape {
        roles = Set.copyOf(roles);
        voters = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(voters));
        bootstrapServers = List.copyOf(bootstrapServers);
    }

    boolean isBroker() {
        return roles.contains(BROKER);
    }

    boolean isController() {
        return roles.contains(CONTROLLER);
    }

    /** Whether the node is a quorum of one (no voters, no bootstrap servers but its own listeners). */
    boolean isStandalone() {
        return voters.isEmpty() && !bootstrapNamesOthers;
    }

    /** Whether the quorum is dynamic (KIP-853): no voters configured, bootstrap servers naming other nodes. */
    boolean isDynamic() {
        return voters.isEmpty() && bootstrapNamesOthers;
    }

    /**
     * @param listeners the node's parsed {@code listeners}
     * @throws ConfigException naming the key and the value that cannot be honoured
     */
    static QuorumShape of(BrokerConfig broker, List<Endpoint> listeners) {
        Set<String> roles = roles(broker);
        Map<Integer, InetSocketAddress> voters = voters(broker);
        String votersText = String.join(",", broker.list("controller.quorum.voters"));
        // This node's own listeners among the bootstrap servers are left out: it does not ask itself.
        List<InetSocketAddress> bootstrapServers = bootstrapServers(broker).stream()
                .filter(server -> listeners.stream().noneMatch(listener -> listensOn(listener, server))).toList();
        boolean namesOthers = voters.isEmpty() && !bootstrapServers.isEmpty();
        List<String> controllerNames = broker.controllerListenerNames().stream()
                .map(name -> name.toUpperCase(Locale.ROOT)).toList();
        Endpoint controllerListener = listeners.stream()
                .filter(listener -> controllerNames.contains(listener.listenerName().toUpperCase(Locale.ROOT)))
                .findFirst().orElse(null);
        int nodeId = broker.nodeId();
        // Kafka's config/controller.properties: a controller-only quorum of one names itself as bootstrap server.
        boolean controllerOfItsOwn = roles.equals(Set.of(CONTROLLER)) && !broker.list(
                "controller.quorum.bootstrap.servers").isEmpty();
        if (voters.isEmpty() && !namesOthers && !controllerOfItsOwn) {
            if (!roles.equals(Set.of(BROKER, CONTROLLER))) {
                throw new ConfigException("controller.quorum.voters", "", "a node with process.roles="
                        + String.join(",", new TreeSet<>(roles)) + " needs the voters of the metadata quorum,"
                        + " or controller.quorum.bootstrap.servers naming the controllers of a dynamic quorum");
            }
            return new QuorumShape(roles, voters, bootstrapServers, false, controllerListener);
        }
        if (voters.isEmpty()) {
            // A dynamic quorum: the voters are the log's; the node's roles are checked against the listeners below.
        } else if (roles.contains(CONTROLLER) && !voters.containsKey(nodeId)) {
            throw new ConfigException("controller.quorum.voters", votersText, "if process.roles contains controller,"
                    + " the node id " + nodeId + " must be included in the set of voters");
        }
        if (!roles.contains(CONTROLLER) && voters.containsKey(nodeId)) {
            throw new ConfigException("controller.quorum.voters", votersText, "if process.roles contains just the"
                    + " 'broker' role, the node id " + nodeId + " must not be included in the set of voters");
        }
        if (controllerNames.isEmpty()) {
            throw new ConfigException("controller.listener.names", "", "must not be empty when running in KRaft mode");
        }
        if (!roles.contains(BROKER)) {
            checkControllerOnly(broker, listeners, controllerNames);
        }
        if (roles.contains(CONTROLLER) && controllerListener == null) {
            throw new ConfigException("controller.listener.names", String.join(",", controllerNames),
                    "must contain at least one value appearing in the 'listeners' configuration when running the"
                    + " KRaft controller role");
        }
        if (!roles.contains(CONTROLLER) && controllerListener != null) {
            throw new ConfigException("controller.listener.names", String.join(",", controllerNames),
                    "must not contain a value appearing in the 'listeners' configuration when running KRaft with"
                    + " just the broker role");
        }
        return new QuorumShape(roles, voters, bootstrapServers, namesOthers, controllerListener);
    }

    /**
     * Kafka's checks of a controller-only node, in its order: it listens on controller listeners only (no client
     * listener, nothing to register as a broker), and an explicitly set {@code inter.broker.listener.name} is not
     * one of them.
     */
    private static void checkControllerOnly(BrokerConfig broker, List<Endpoint> listeners,
            List<String> controllerNames) {
        if (listeners.stream().anyMatch(listener -> !controllerNames.contains(
                listener.listenerName().toUpperCase(Locale.ROOT)))) {
            throw new ConfigException("listeners", String.join(",", broker.listeners()), "the listeners config must"
                    + " only contain KRaft controller listeners from controller.listener.names when"
                    + " process.roles=controller");
        }
        String interBrokerListener = broker.interBrokerListenerName();
        if (broker.isSet("inter.broker.listener.name") && interBrokerListener != null
                && controllerNames.contains(interBrokerListener.toUpperCase(Locale.ROOT))) {
            throw new ConfigException("controller.listener.names", String.join(",", controllerNames), "must not"
                    + " contain an explicitly set inter.broker.listener.name configuration value when"
                    + " process.roles=controller");
        }
    }

    private static Set<String> roles(BrokerConfig broker) {
        List<String> roles = broker.processRoles().stream().map(role -> role.trim().toLowerCase(Locale.ROOT))
                .toList();
        String value = String.join(",", broker.processRoles());
        if (roles.isEmpty() || !Set.of(BROKER, CONTROLLER).containsAll(roles)
                || Set.copyOf(roles).size() != roles.size()) {
            throw new ConfigException("process.roles", value, "must be broker, controller, or broker,controller");
        }
        return Set.copyOf(roles);
    }

    /** Voters are {@code id@host:port}. */
    private static Map<Integer, InetSocketAddress> voters(BrokerConfig broker) {
        String key = "controller.quorum.voters";
        List<String> entries = broker.list(key);
        String value = String.join(",", entries);
        Map<Integer, InetSocketAddress> voters = new LinkedHashMap<>();
        for (String voter : entries) {
            int at = voter.indexOf('@');
            int id;
            Endpoint address;
            try {
                id = Integer.parseInt(voter.substring(0, Math.max(at, 0)).trim());
                address = Endpoint.parse("VOTER://" + voter.substring(at + 1).trim());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(key, value, "entry '" + voter + "' is not of the form id@host:port");
            }
            if (id < 0 || address.host().isEmpty() || address.port() <= 0) {
                throw new ConfigException(key, value, "entry '" + voter + "' needs a node id, a host and a port");
            }
            if (voters.put(id, InetSocketAddress.createUnresolved(address.host(), address.port())) != null) {
                throw new ConfigException(key, value, "voter " + id + " appears twice");
            }
        }
        return voters;
    }

    /**
     * Where other nodes reach this node's controller listener: its entry in {@code advertised.listeners}, else the
     * listener itself (a listener on every interface is advertised with this host's name, as Kafka does); null
     * without a controller listener.
     */
    VoterEndpoint advertisedControllerEndpoint(BrokerConfig broker) {
        if (controllerListener == null) {
            return null;
        }
        Endpoint chosen = controllerListener;
        for (String text : broker.advertisedListeners()) {
            try {
                Endpoint advertised = Endpoint.parse(text);
                if (advertised.listenerName().equalsIgnoreCase(controllerListener.listenerName())) {
                    chosen = advertised;
                    break;
                }
            } catch (IllegalArgumentException e) {
                // advertised.listeners was checked when the configuration was read
            }
        }
        String host = chosen.host();
        if (host.isEmpty()) {
            try {
                host = java.net.InetAddress.getLocalHost().getCanonicalHostName();
            } catch (java.net.UnknownHostException e) {
                host = "localhost";
            }
        }
        return new VoterEndpoint(controllerListener.listenerName().toUpperCase(Locale.ROOT), host,
                chosen.port() == 0 ? controllerListener.port() : chosen.port());
    }

    /** Bootstrap servers are {@code host:port}, at most {@link RaftConfig#BOOTSTRAP_SERVERS_MAX}. */
    private static List<InetSocketAddress> bootstrapServers(BrokerConfig broker) {
        String key = "controller.quorum.bootstrap.servers";
        List<String> servers = broker.list(key);
        String value = String.join(",", servers);
        if (servers.size() > RaftConfig.BOOTSTRAP_SERVERS_MAX) {
            throw new ConfigException(key, value, "names " + servers.size() + " servers; Fjord takes at most "
                    + RaftConfig.BOOTSTRAP_SERVERS_MAX);
        }
        List<InetSocketAddress> result = new ArrayList<>();
        for (String server : servers) {
            Endpoint address;
            try {
                address = Endpoint.parse("BOOTSTRAP://" + server.trim());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(key, value, "entry '" + server + "' is not of the form host:port");
            }
            if (address.host().isEmpty() || address.port() <= 0) {
                throw new ConfigException(key, value, "entry '" + server + "' needs a host and a port");
            }
            result.add(InetSocketAddress.createUnresolved(address.host(), address.port()));
        }
        return result;
    }

    /**
     * Whether {@code listener} is {@code address}: the same port, and the same host, or a listener on every
     * interface and a host of this machine (localhost, a loopback or local address, its host name; no name is
     * looked up, so other controllers on the same port are never taken for this one).
     */
    static boolean listensOn(Endpoint listener, InetSocketAddress address) {
        if (listener.port() != address.getPort()) {
            return false;
        }
        String host = address.getHostString();
        return listener.host().isEmpty() ? isThisMachine(host) : listener.host().equalsIgnoreCase(host);
    }

    private static boolean isThisMachine(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (host.matches("[0-9.]+") || host.contains(":")) {
            try {
                java.net.InetAddress literal = java.net.InetAddress.getByName(host); // a literal: no lookup
                return literal.isLoopbackAddress() || literal.isAnyLocalAddress()
                        || java.net.NetworkInterface.getByInetAddress(literal) != null;
            } catch (java.io.IOException e) {
                return false;
            }
        }
        try {
            java.net.InetAddress local = java.net.InetAddress.getLocalHost();
            return host.equalsIgnoreCase(local.getHostName()) || host.equalsIgnoreCase(local.getCanonicalHostName());
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
