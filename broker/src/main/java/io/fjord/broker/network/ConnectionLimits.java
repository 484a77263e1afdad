package io.fjord.broker.network;

import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.config.BrokerConfigs;
import io.fjord.broker.config.ConfigException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The connection limits of the socket server, with Kafka's names (KIP-402, KIP-612): {@code max.connections} for the
 * broker and per listener ({@code listener.name.<l>.max.connections}), {@code max.connections.per.ip} with
 * {@code max.connections.per.ip.overrides} (host names resolved once, when read), {@code max.connection.creation.rate}
 * for the broker and per listener, and the quota windows ({@code quota.window.num}, {@code quota.window.size.seconds})
 * the rates are measured over. Listener names are kept in upper case. Immutable.
 *
 * @param interBrokerListener the listener allowed past the broker-wide limits (Kafka's protected listener), or null
 */
public record ConnectionLimits(int maxConnections, Map<String, Integer> listenerMaxConnections,
                               int maxConnectionsPerIp, Map<InetAddress, Integer> maxConnectionsPerIpOverrides,
                               int maxConnectionCreationRate, Map<String, Integer> listenerMaxConnectionCreationRates,
                               String interBrokerListener, int quotaWindowCount, long quotaWindowSizeMs) {
    private static final int UNLIMITED = Integer.MAX_VALUE;

    public ConnectionLimits {
        listenerMaxConnections = upperCaseKeys(listenerMaxConnections);
        maxConnectionsPerIpOverrides = Map.copyOf(maxConnectionsPerIpOverrides);
        listenerMaxConnectionCreationRates = upperCaseKeys(listenerMaxConnectionCreationRates);
        interBrokerListener = interBrokerListener == null ? null : interBrokerListener.toUpperCase(Locale.ROOT);
        if (quotaWindowCount < 1 || quotaWindowSizeMs < 1) {
            throw new IllegalArgumentException("quota windows must be at least one of at least 1 ms");
        }
    }

    /** No limits (Kafka's defaults), with Kafka's quota windows: 11 of 1 s. */
    public static ConnectionLimits unlimited() {
        return new ConnectionLimits(UNLIMITED, Map.of(), UNLIMITED, Map.of(), UNLIMITED, Map.of(), null, 11, 1_000);
    }

    /**
     * The limits of a broker's configuration for its listeners.
     *
     * @throws ConfigException naming the key of a malformed override, a host name that does not resolve, or
     *     {@code max.connections.per.ip} 0 without overrides (Kafka's rule)
     */
    public static ConnectionLimits of(BrokerConfig config, List<String> listenerNames, String interBrokerListener) {
        Map<String, Integer> listenerMaxConnections = new HashMap<>();
        Map<String, Integer> listenerRates = new HashMap<>();
        for (String listener : listenerNames) {
            String prefix = BrokerConfigs.LISTENER_PREFIX + listener.toLowerCase(Locale.ROOT) + ".";
            listenerInt(config, prefix + "max.connections").ifPresent(value ->
                    listenerMaxConnections.put(listener, value));
            listenerInt(config, prefix + "max.connection.creation.rate").ifPresent(value ->
                    listenerRates.put(listener, value));
        }
        String overrides = config.string("max.connections.per.ip.overrides");
        Map<InetAddress, Integer> perIp = parseOverrides(overrides == null ? "" : overrides);
        int maxPerIp = config.intValue("max.connections.per.ip");
        if (maxPerIp == 0 && perIp.isEmpty()) {
            throw new ConfigException("max.connections.per.ip", "0",
                    "max.connections.per.ip can be set to zero only if max.connections.per.ip.overrides is set");
        }
        return new ConnectionLimits(config.intValue("max.connections"), listenerMaxConnections, maxPerIp, perIp,
                config.intValue("max.connection.creation.rate"), listenerRates, interBrokerListener,
                windowSetting(config, "quota.window.num", 11),
                windowSetting(config, "quota.window.size.seconds", 1) * 1000L);
    }

    /**
     * A quota window setting as written, else Kafka's default (read from the file as written: the client quotas
     * define these keys).
     */
    private static int windowSetting(BrokerConfig config, String key, int defaultValue) {
        String value = config.originals().get(key);
        if (value == null) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed >= 1) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // Refused below.
        }
        throw new ConfigException(key, value, "Value must be at least 1");
    }

    /** A listener-prefixed count as written (BrokerConfig keeps prefixed keys as strings). */
    private static java.util.Optional<Integer> listenerInt(BrokerConfig config, String key) {
        String value = config.originals().get(key);
        if (value == null) {
            return java.util.Optional.empty();
        }
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed < 0) {
                throw new ConfigException(key, value, "Value must be at least 0");
            }
            return java.util.Optional.of(parsed);
        } catch (NumberFormatException e) {
            throw new ConfigException(key, value, "Expected value to be a 32-bit integer, but it was a String");
        }
    }

    /**
     * Kafka's {@code host:count,...} list; the last colon separates the count, so IPv6 addresses work. Host names are
     * resolved now, as Kafka does.
     */
    static Map<InetAddress, Integer> parseOverrides(String value) {
        Map<InetAddress, Integer> result = new HashMap<>();
        if (value.isBlank()) {
            return result;
        }
        for (String entry : value.split(",")) {
            String trimmed = entry.trim();
            int colon = trimmed.lastIndexOf(':');
            if (colon <= 0 || colon == trimmed.length() - 1) {
                throw new ConfigException("max.connections.per.ip.overrides", value,
                        "each entry must be host:count, not " + trimmed);
            }
            String host = trimmed.substring(0, colon).trim();
            int count;
            try {
                count = Integer.parseInt(trimmed.substring(colon + 1).trim());
            } catch (NumberFormatException e) {
                throw new ConfigException("max.connections.per.ip.overrides", value, "the count of " + host
                        + " is not a number");
            }
            if (count < 0) {
                throw new ConfigException("max.connections.per.ip.overrides", value, "the count of " + host
                        + " is negative");
            }
            try {
                result.put(InetAddress.getByName(host), count);
            } catch (UnknownHostException e) {
                throw new ConfigException("max.connections.per.ip.overrides", value, "unknown host " + host);
            }
        }
        return result;
    }

    /** These limits with another broker-wide {@code max.connections}. */
    public ConnectionLimits withMaxConnections(int value) {
        return new ConnectionLimits(value, listenerMaxConnections, maxConnectionsPerIp, maxConnectionsPerIpOverrides,
                maxConnectionCreationRate, listenerMaxConnectionCreationRates, interBrokerListener, quotaWindowCount,
                quotaWindowSizeMs);
    }

    /** The limit of one listener: its own or none. */
    int maxConnections(String listener) {
        return listenerMaxConnections.getOrDefault(listener, UNLIMITED);
    }

    /** The connection count allowed from {@code address}. */
    int maxConnectionsPerIp(InetAddress address) {
        return maxConnectionsPerIpOverrides.getOrDefault(address, maxConnectionsPerIp);
    }

    /** The creation rate of one listener: its own or none. */
    int maxConnectionCreationRate(String listener) {
        return listenerMaxConnectionCreationRates.getOrDefault(listener, UNLIMITED);
    }

    private static Map<String, Integer> upperCaseKeys(Map<String, Integer> byListener) {
        Map<String, Integer> result = new HashMap<>();
        byListener.forEach((listener, value) -> result.put(listener.toUpperCase(Locale.ROOT), value));
        return Map.copyOf(result);
    }
}
