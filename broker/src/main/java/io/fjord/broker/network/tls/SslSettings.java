package io.fjord.broker.network.tls;

import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.config.BrokerConfigs;
import io.fjord.broker.config.ConfigException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code ssl.*} settings of one listener, Kafka's way: {@code listener.name.<listener lower-case>.ssl.X} when set,
 * else {@code ssl.X}, else Kafka's default. Each value remembers the key it came from, so that a refusal names the key
 * the user wrote. Immutable; thread-safe.
 */
public final class SslSettings {
    /** Kafka 4.4's defaults of the {@code ssl.*} keys that have one. */
    private static final Map<String, String> DEFAULTS = defaults();

    private final String listenerName;
    private final Map<String, String> values;
    private final Map<String, String> sources;

    private SslSettings(String listenerName, Map<String, String> values, Map<String, String> sources) {
        this.listenerName = listenerName;
        this.values = values;
        this.sources = sources;
    }

    /** Kafka's defaults of the keys that have one. */
    private static Map<String, String> defaults() {
        return Map.ofEntries(Map.entry("ssl.protocol", "TLSv1.3"),
                Map.entry("ssl.enabled.protocols", "TLSv1.2,TLSv1.3"),
                Map.entry("ssl.cipher.suites", ""),
                Map.entry("ssl.keystore.type", "JKS"),
                Map.entry("ssl.truststore.type", "JKS"),
                Map.entry("ssl.keymanager.algorithm", "SunX509"),
                Map.entry("ssl.trustmanager.algorithm", "PKIX"),
                Map.entry("ssl.client.auth", "none"),
                Map.entry("ssl.endpoint.identification.algorithm", "https"),
                Map.entry("ssl.principal.mapping.rules", "DEFAULT"));
    }

    /** The keys this class reads. */
    static List<String> keys() {
        return List.of("ssl.protocol", "ssl.enabled.protocols", "ssl.cipher.suites", "ssl.keystore.type",
                "ssl.keystore.location", "ssl.keystore.password", "ssl.key.password",
                "ssl.keystore.certificate.chain", "ssl.keystore.key", "ssl.truststore.type",
                "ssl.truststore.location", "ssl.truststore.password", "ssl.truststore.certificates",
                "ssl.keymanager.algorithm", "ssl.trustmanager.algorithm", "ssl.client.auth",
                "ssl.endpoint.identification.algorithm", "ssl.principal.mapping.rules");
    }

    /** The settings of listener {@code listenerName} in {@code broker}'s configuration. */
    public static SslSettings of(BrokerConfig broker, String listenerName) {
        return of(broker.originals(), listenerName);
    }

    /** The settings of listener {@code listenerName} from the configuration as written. */
    public static SslSettings of(Map<String, String> originals, String listenerName) {
        String prefix = BrokerConfigs.LISTENER_PREFIX + listenerName.toLowerCase(Locale.ROOT) + ".";
        Map<String, String> values = new HashMap<>();
        Map<String, String> sources = new HashMap<>();
        for (String key : keys()) {
            String source = originals.containsKey(prefix + key) ? prefix + key
                    : originals.containsKey(key) ? key : null;
            String value = source == null ? DEFAULTS.get(key) : originals.get(source);
            sources.put(key, source == null ? key : source);
            if (value != null) {
                values.put(key, value.trim());
            }
        }
        return new SslSettings(listenerName, Map.copyOf(values), Map.copyOf(sources));
    }

    public String listenerName() {
        return listenerName;
    }

    /** The value of {@code key} (an {@code ssl.*} key), trimmed; null when neither set nor defaulted. */
    public String value(String key) {
        if (!sources.containsKey(key)) {
            throw new IllegalArgumentException("not an SSL setting Fjord reads: " + key);
        }
        String value = values.get(key);
        return value == null || value.isEmpty() && !key.equals("ssl.cipher.suites") ? null : value;
    }

    /** The comma-separated list {@code key}, without empty entries. */
    public List<String> list(String key) {
        String value = value(key);
        return value == null ? List.of() : Arrays.stream(value.split(",")).map(String::trim)
                .filter(entry -> !entry.isEmpty()).toList();
    }

    /** Whether {@code other} has the same values (wherever they came from). */
    public boolean sameValuesAs(SslSettings other) {
        return values.equals(other.values);
    }

    /** The key {@code key}'s value came from: its listener-prefixed form when that was set. */
    public String sourceOf(String key) {
        return sources.getOrDefault(key, key);
    }

    /** A refusal of {@code key}'s value, naming the key as written. */
    public ConfigException refusal(String key, String reason) {
        return new ConfigException(sourceOf(key), isPassword(key) ? "[hidden]" : value(key), reason);
    }

    private static boolean isPassword(String key) {
        return key.endsWith(".password") || key.equals("ssl.keystore.key");
    }

    /** Kafka's {@code ssl.client.auth}. */
    public ClientAuthentication clientAuthentication() {
        String text = value("ssl.client.auth");
        return switch (text == null ? "none" : text.toLowerCase(Locale.ROOT)) {
            case "required" -> ClientAuthentication.REQUIRED;
            case "requested" -> ClientAuthentication.REQUESTED;
            case "none" -> ClientAuthentication.NONE;
            default -> throw refusal("ssl.client.auth", "must be one of required, requested, none");
        };
    }

    /** Whether clients must, may or do not present a certificate (Kafka's {@code ssl.client.auth}). */
    public enum ClientAuthentication {
        REQUIRED, REQUESTED, NONE
    }
}
