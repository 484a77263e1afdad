package io.fjord.server;

import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.config.ConfigException;
import io.fjord.broker.network.Endpoint;
import io.fjord.broker.security.sasl.JaasConfigParser;
import io.fjord.broker.security.sasl.JaasEntry;
import io.fjord.broker.security.sasl.ListenerSaslConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The SASL settings of the node's SASL_PLAINTEXT and SASL_SSL broker listeners, read with Kafka's names:
 * {@code listener.name.<l>.sasl.enabled.mechanisms} (else {@code sasl.enabled.mechanisms}), the JAAS entry of each
 * enabled mechanism from {@code listener.name.<l>.<mechanism>.sasl.jaas.config} (Kafka's PlainLoginModule and
 * ScramLoginModule syntax; required for PLAIN, whose users it lists; optional for SCRAM, whose users are in the
 * metadata log) and {@code connections.max.reauth.ms} (listener-prefixed too). A bad setting is a
 * {@link ConfigException} naming its key. Stateless.
 */
final class SaslListeners {
    private SaslListeners() {
    }

    static List<ListenerSaslConfig> of(BrokerConfig broker, List<Endpoint> listeners, Map<String, String> protocols) {
        List<ListenerSaslConfig> configs = new ArrayList<>();
        for (Endpoint listener : listeners) {
            String protocol = protocols.get(listener.listenerName().toUpperCase(Locale.ROOT));
            if (protocol != null && protocol.startsWith("SASL_")) {
                configs.add(listener(broker, listener.listenerName()));
            }
        }
        return configs;
    }

    private static ListenerSaslConfig listener(BrokerConfig broker, String listenerName) {
        String prefix = "listener.name." + listenerName.toLowerCase(Locale.ROOT) + ".";
        String mechanismsKey = broker.isSet(prefix + "sasl.enabled.mechanisms") ? prefix + "sasl.enabled.mechanisms"
                : "sasl.enabled.mechanisms";
        List<String> mechanisms = new ArrayList<>();
        for (String mechanism : broker.originals().getOrDefault(mechanismsKey,
                String.join(",", broker.list("sasl.enabled.mechanisms"))).split(",")) {
            if (!mechanism.isBlank()) {
                mechanisms.add(mechanism.trim());
            }
        }
        Map<String, JaasEntry> jaas = new HashMap<>();
        for (String mechanism : mechanisms) {
            String key = ListenerSaslConfig.jaasKey(listenerName, mechanism);
            String text = broker.originals().get(key);
            if (text == null) {
                continue;
            }
            try {
                jaas.put(mechanism, JaasConfigParser.parse(text));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(key, "[hidden]", e.getMessage());
            }
        }
        String reauthKey = broker.isSet(prefix + "connections.max.reauth.ms") ? prefix + "connections.max.reauth.ms"
                : "connections.max.reauth.ms";
        long reauthenticationMaxMs;
        try {
            reauthenticationMaxMs = Long.parseLong(broker.originals().getOrDefault(reauthKey, "0").trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(reauthKey, broker.originals().get(reauthKey), "not a number of milliseconds");
        }
        try {
            return new ListenerSaslConfig(listenerName, mechanisms, jaas, reauthenticationMaxMs);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(mechanismsKey, String.join(",", mechanisms), e.getMessage());
        }
    }
}
