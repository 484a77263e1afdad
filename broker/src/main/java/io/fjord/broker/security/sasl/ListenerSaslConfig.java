package io.fjord.broker.security.sasl;

import io.fjord.metadata.scram.ScramMechanism;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The SASL settings of one SASL_PLAINTEXT or SASL_SSL listener: its enabled mechanisms
 * ({@code listener.name.<l>.sasl.enabled.mechanisms}, else {@code sasl.enabled.mechanisms}), the JAAS entry of each
 * ({@code listener.name.<l>.<mechanism>.sasl.jaas.config}) and {@code connections.max.reauth.ms} (0: sessions do not
 * expire). Immutable.
 */
public record ListenerSaslConfig(String listenerName, List<String> enabledMechanisms,
                                 Map<String, JaasEntry> jaasByMechanism, long reauthenticationMaxMs) {
    /** The mechanisms Fjord serves. */
    public static final Set<String> SUPPORTED_MECHANISMS = Set.of(PlainServerMechanism.NAME,
            ScramMechanism.SCRAM_SHA_256.mechanismName(), ScramMechanism.SCRAM_SHA_512.mechanismName());

    public ListenerSaslConfig {
        enabledMechanisms = List.copyOf(enabledMechanisms);
        jaasByMechanism = Map.copyOf(jaasByMechanism);
        if (enabledMechanisms.isEmpty()) {
            throw new IllegalArgumentException("No SASL mechanisms are enabled on listener " + listenerName);
        }
        for (String mechanism : enabledMechanisms) {
            if (!SUPPORTED_MECHANISMS.contains(mechanism)) {
                throw new IllegalArgumentException("SASL mechanism " + mechanism + " of listener " + listenerName
                        + " is not supported by Fjord (it serves PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512)");
            }
        }
        JaasEntry plain = jaasByMechanism.get(PlainServerMechanism.NAME);
        if (enabledMechanisms.contains(PlainServerMechanism.NAME) && plain == null) {
            throw new IllegalArgumentException("listener " + listenerName + " enables PLAIN but has no "
                    + jaasKey(listenerName, PlainServerMechanism.NAME));
        }
        if (reauthenticationMaxMs < 0) {
            throw new IllegalArgumentException("connections.max.reauth.ms must not be negative");
        }
    }

    /** Kafka's key of a listener's JAAS configuration for a mechanism. */
    public static String jaasKey(String listenerName, String mechanism) {
        return "listener.name." + listenerName.toLowerCase(Locale.ROOT) + "." + mechanism.toLowerCase(Locale.ROOT)
                + ".sasl.jaas.config";
    }

    /** A new server side for one exchange of an enabled mechanism. */
    SaslServerMechanism newServer(String mechanism, ScramCredentialLookup credentials, Supplier<String> nonces) {
        if (mechanism.equals(PlainServerMechanism.NAME)) {
            return new PlainServerMechanism(jaasByMechanism.get(PlainServerMechanism.NAME).options());
        }
        return new ScramServerMechanism(ScramMechanism.fromMechanismName(mechanism).orElseThrow(), credentials,
                nonces);
    }
}
