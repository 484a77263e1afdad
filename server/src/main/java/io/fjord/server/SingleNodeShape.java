package io.fjord.server;

import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.config.ConfigException;
import io.fjord.broker.network.Endpoint;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Refuses the settings of a multi-node cluster, which a node cannot honour until clusters exist: it would otherwise
 * format itself as its own single-node cluster and start. A single node honours {@code process.roles=broker,controller},
 * a {@code controller.quorum.voters} naming only itself, and {@code controller.quorum.bootstrap.servers} naming only
 * its own listeners (Kafka's own single-node {@code server.properties}). Stateless.
 */
final class SingleNodeShape {
    private static final String UNTIL_CLUSTERS = "Fjord runs single-node clusters only, until multi-node clusters exist";

    private SingleNodeShape() {
    }

    /**
     * @param listeners the node's parsed {@code listeners}
     * @throws ConfigException naming the key and the value that a single node cannot honour
     */
    static void check(BrokerConfig broker, List<Endpoint> listeners) {
        List<String> roles = broker.processRoles();
        if (!Set.copyOf(roles).equals(Set.of("broker", "controller"))) {
            throw new ConfigException("process.roles", String.join(",", roles),
                    "a node needs both roles, broker,controller: " + UNTIL_CLUSTERS);
        }
        checkVoters(broker);
        checkBootstrapServers(broker, listeners);
    }

    /** Voters are {@code id@host:port}; a single node may only name itself. */
    private static void checkVoters(BrokerConfig broker) {
        String key = "controller.quorum.voters";
        List<String> voters = broker.list(key);
        String value = String.join(",", voters);
        for (String voter : voters) {
            int at = voter.indexOf('@');
            int id;
            try {
                id = Integer.parseInt(voter.substring(0, Math.max(at, 0)).trim());
                Endpoint.parse("VOTER://" + voter.substring(at + 1).trim());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(key, value, "entry '" + voter + "' is not of the form id@host:port");
            }
            if (id != broker.nodeId()) {
                throw new ConfigException(key, value, "voter " + id + " is not this node (node.id=" + broker.nodeId()
                        + "): " + UNTIL_CLUSTERS);
            }
        }
        if (voters.size() > 1) {
            throw new ConfigException(key, value, "more than one voter: " + UNTIL_CLUSTERS);
        }
    }

    /** Bootstrap servers are {@code host:port}; a single node may only name an address it listens on. */
    private static void checkBootstrapServers(BrokerConfig broker, List<Endpoint> listeners) {
        String key = "controller.quorum.bootstrap.servers";
        List<String> servers = broker.list(key);
        String value = String.join(",", servers);
        for (String server : servers) {
            Endpoint address;
            try {
                address = Endpoint.parse("BOOTSTRAP://" + server.trim());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(key, value, "entry '" + server + "' is not of the form host:port");
            }
            if (listeners.stream().noneMatch(listener -> listensOn(listener, address))) {
                throw new ConfigException(key, value, server.trim() + " is not one of this node's listeners: "
                        + UNTIL_CLUSTERS);
            }
        }
    }

    /** Same port, and the same host or a listener on every interface. */
    private static boolean listensOn(Endpoint listener, Endpoint address) {
        return listener.port() == address.port() && (listener.host().isEmpty()
                || listener.host().toLowerCase(Locale.ROOT).equals(address.host().toLowerCase(Locale.ROOT)));
    }
}
