package io.fjord.server;

import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.config.ConfigException;
import io.fjord.broker.network.Endpoint;
import io.fjord.broker.network.tls.SslEngineFactory;
import io.fjord.broker.network.tls.SslSettings;
import io.fjord.broker.network.tls.TlsChannelSecurity;
import io.fjord.raft.transport.ChannelSecurity;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The security protocol of each listener, from Kafka's {@code listener.security.protocol.map}, and the protection of
 * its connections: PLAINTEXT, or TLS for SSL and SASL_SSL ({@link TlsChannelSecurity} from the listener's
 * {@code ssl.*} settings, {@code listener.name.<listener>.ssl.*} over {@code ssl.*}); on SASL_PLAINTEXT and SASL_SSL
 * listeners each connection authenticates with SASL above that transport ({@link SaslListeners}; on the controller
 * listener {@link ControllerSasl}). Listener names and protocols compare case-insensitively, as in Kafka. Stateless.
 */
final class ListenerSecurity {
    static final String MAP_KEY = "listener.security.protocol.map";
    /** Kafka's security protocols. */
    private static final Set<String> PROTOCOLS = Set.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");
    private static final String PLAINTEXT = "PLAINTEXT";
    private static final String SSL = "SSL";
    private static final String SASL_PLAINTEXT = "SASL_PLAINTEXT";
    private static final String SASL_SSL = "SASL_SSL";
    /** Kafka's security protocol ids (BrokerRegistration's {@code SecurityProtocol}). */
    private static final Map<String, Short> PROTOCOL_IDS = Map.of(PLAINTEXT, (short) 0, SSL, (short) 1,
            SASL_PLAINTEXT, (short) 2, SASL_SSL, (short) 3);

    private ListenerSecurity() {
    }

    /**
     * Checks that every listener and advertised listener maps to a known protocol, that no controller listener is SASL, and that
     * advertised listener names are among the listeners' (Kafka's checks).
     *
     * @throws ConfigException naming the key and the value at fault
     */
    static void check(BrokerConfig broker, List<Endpoint> listeners, List<Endpoint> advertised) {
        Map<String, String> protocols = protocolMap(broker);
        checkEndpoints("listeners", listeners, protocols, broker);
        checkEndpoints("advertised.listeners", advertised, protocols, broker);
        Set<String> listenerNames = new HashSet<>();
        listeners.forEach(endpoint -> listenerNames.add(normalised(endpoint.listenerName())));
        for (Endpoint endpoint : advertised) {
            if (!listenerNames.contains(normalised(endpoint.listenerName()))) {
                throw new ConfigException("advertised.listeners", endpoint, "listener name "
                        + endpoint.listenerName() + " is not one of the listeners' names");
            }
        }
    }

    /**
     * The map as configured, listener names upper-cased. When it is not set, Kafka's default plus PLAINTEXT for the
     * controller listeners (as Kafka adds in KRaft mode when the map is left to its default).
     */
    static Map<String, String> protocolMap(BrokerConfig broker) {
        String text = broker.listenerSecurityProtocolMap();
        Map<String, String> protocols = new HashMap<>();
        for (String entry : text.split(",")) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int colon = trimmed.indexOf(':');
            if (colon <= 0 || colon == trimmed.length() - 1) {
                throw new ConfigException(MAP_KEY, text, "entry '" + trimmed + "' is not of the form NAME:PROTOCOL");
            }
            String protocol = normalised(trimmed.substring(colon + 1).trim());
            if (!PROTOCOLS.contains(protocol)) {
                throw new ConfigException(MAP_KEY, text, "unknown security protocol " + protocol
                        + " (Kafka's are PLAINTEXT, SSL, SASL_PLAINTEXT and SASL_SSL)");
            }
            protocols.put(normalised(trimmed.substring(0, colon).trim()), protocol);
        }
        if (!broker.isSet(MAP_KEY)) {
            for (String controllerListener : broker.controllerListenerNames()) {
                protocols.putIfAbsent(normalised(controllerListener), PLAINTEXT);
            }
        }
        return protocols;
    }

    private static void checkEndpoints(String key, List<Endpoint> endpoints, Map<String, String> protocols,
                                       BrokerConfig broker) {
        for (Endpoint endpoint : endpoints) {
            String protocol = protocols.get(normalised(endpoint.listenerName()));
            if (protocol == null) {
                throw new ConfigException(key, endpoint, "listener name " + endpoint.listenerName()
                        + " is neither a security protocol nor a name in " + MAP_KEY);
            }
        }
    }

    /**
     * The protection of each listener this node serves or connects to, by upper-cased listener name: its
     * {@code listeners}, and the controller listeners it only connects to (a broker-only node's), which need no
     * keystore of their own unless the controllers ask for client certificates. Loads every SSL listener's stores,
     * so a misconfiguration (a missing keystore, a wrong password) is refused here with one line naming the key.
     */
    static Map<String, ChannelSecurity> channelSecurities(BrokerConfig broker, List<Endpoint> listeners) {
        Map<String, String> protocols = protocolMap(broker);
        Map<String, ChannelSecurity> securities = new HashMap<>();
        for (Endpoint listener : listeners) {
            String name = normalised(listener.listenerName());
            securities.put(name, security(broker, listener.listenerName(), protocols.get(name), true));
        }
        for (String controllerListener : broker.controllerListenerNames()) {
            String name = normalised(controllerListener);
            if (!securities.containsKey(name) && protocols.containsKey(name)) {
                securities.put(name, security(broker, controllerListener, protocols.get(name), false));
            }
        }
        return Map.copyOf(securities);
    }

    private static ChannelSecurity security(BrokerConfig broker, String listenerName, String protocol,
                                            boolean serving) {
        if (!SSL.equals(protocol) && !SASL_SSL.equals(protocol)) {
            return ChannelSecurity.PLAINTEXT;
        }
        return new TlsChannelSecurity(SslEngineFactory.create(SslSettings.of(broker, listenerName), serving));
    }

    /** Kafka's id of the listener's security protocol, for the broker's registration (PLAINTEXT when unknown). */
    static short protocolId(BrokerConfig broker, String listenerName) {
        return PROTOCOL_IDS.getOrDefault(protocolMap(broker).get(normalised(listenerName)), (short) 0);
    }

    private static String normalised(String name) {
        return name.toUpperCase(Locale.ROOT);
    }
}
