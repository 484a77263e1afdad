package io.fjord.broker.security.sasl;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Makes each new connection's {@link SaslAuthenticator} on the node's SASL listeners; connections on other listeners
 * get none. SCRAM server nonces are 24 bytes of a {@link SecureRandom}, base64url-encoded (printable, no commas).
 * Thread-safe: immutable but for the SecureRandom, which is.
 */
public final class SaslAuthenticators {
    private final Map<String, ListenerSaslConfig> listeners = new HashMap<>();
    private final ScramCredentialLookup credentials;
    private final SecureRandom random;

    public SaslAuthenticators(Iterable<ListenerSaslConfig> listeners, ScramCredentialLookup credentials,
                              SecureRandom random) {
        listeners.forEach(listener -> this.listeners.put(normalised(listener.listenerName()), listener));
        this.credentials = credentials;
        this.random = random;
    }

    /** No SASL listener. */
    public static SaslAuthenticators none() {
        return new SaslAuthenticators(java.util.List.of(), (user, mechanism) -> java.util.Optional.empty(),
                new SecureRandom());
    }

    public boolean isSasl(String listenerName) {
        return listeners.containsKey(normalised(listenerName));
    }

    /** A new connection's authenticator, or null on a listener without SASL. */
    public SaslAuthenticator newAuthenticator(String listenerName) {
        ListenerSaslConfig config = listeners.get(normalised(listenerName));
        return config == null ? null : new SaslAuthenticator(config, credentials, this::nonce);
    }

    private String nonce() {
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String normalised(String listenerName) {
        return listenerName.toUpperCase(Locale.ROOT);
    }
}
