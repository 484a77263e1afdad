package io.fjord.server;

import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.config.ConfigException;
import io.fjord.broker.network.Endpoint;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The security protocol of each listener, from Kafka's {@code listener.security.protocol.map}, and the refusal of
 * every listener Fjord cannot protect as asked: SSL and SASL_SSL (no TLS yet), and SASL on a controller listener (the
 * metadata quorum's transport has no SASL yet); serving plaintext there would silently drop the protection asked for.
 * SASL_PLAINTEXT broker listeners are served ({@link SaslListeners}). Listener names and protocols compare case-insensitively, as
 * in Kafka. Stateless.
 */
final class ListenerSecurity {
    static final String MAP_KEY = "listener.security.protocol.map";
    /** Kafka's security protocols. */
    private static final Set<String> PROTOCOLS = Set.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");
    private static final String SUPPORTED = "PLAINTEXT";
    private static final String SASL_PLAINTEXT = "SASL_PLAINTEXT";

    private ListenerSecurity() {
    }

    /**
     * Checks that every listener and advertised listener maps to a known protocol, that it is PLAINTEXT, and that
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
                protocols.putIfAbsent(normalised(controllerListener), SUPPORTED);
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
            boolean controllerListener = broker.controllerListenerNames().stream()
                    .anyMatch(name -> name.equalsIgnoreCase(endpoint.listenerName()));
            if (protocol.equals(SASL_PLAINTEXT) && controllerListener) {
                throw new ConfigException(key, endpoint, "controller listener " + endpoint.listenerName()
                        + " has security protocol " + protocol + ", which Fjord's metadata quorum does not serve yet "
                        + "(SASL is served on broker listeners)");
            }
            if (!protocol.equals(SUPPORTED) && !protocol.equals(SASL_PLAINTEXT)) {
                throw new ConfigException(key, endpoint, "listener " + endpoint.listenerName()
                        + " has security protocol " + protocol + ", which Fjord does not have yet (it serves "
                        + "PLAINTEXT only, and will not serve unprotected traffic on a listener meant to be protected)");
            }
        }
    }

    private static String normalised(String name) {
        return name.toUpperCase(Locale.ROOT);
    }
}
