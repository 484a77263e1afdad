package io.fjord.broker.security.sasl;

import io.fjord.metadata.scram.ScramMechanism;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Random;

/**
 * How this node authenticates the connections it opens to a SASL listener of another node: the mechanism
 * ({@code sasl.mechanism.inter.broker.protocol}) and the user name and password of the listener's JAAS entry for
 * it, as Kafka's broker uses its own {@code listener.name.<l>.<mechanism>.sasl.jaas.config} as a client. Immutable;
 * thread-safe. Its text hides the password.
 */
public record SaslClientCredentials(String mechanism, String username, String password) {
    public SaslClientCredentials {
        if (!ListenerSaslConfig.SUPPORTED_MECHANISMS.contains(mechanism)) {
            throw new IllegalArgumentException("SASL mechanism " + mechanism + " is not supported by Fjord");
        }
        if (username == null || username.isEmpty() || password == null) {
            throw new IllegalArgumentException("SASL client credentials need a username and a password");
        }
    }

    /** A client side for one exchange; {@code random} makes the SCRAM client nonce. */
    public SaslClientMechanism newMechanism(Random random) {
        if (mechanism.equals(PlainServerMechanism.NAME)) {
            return new PlainClientMechanism(username, password);
        }
        byte[] nonce = new byte[24];
        random.nextBytes(nonce);
        return new ScramClientMechanism(ScramMechanism.fromMechanismName(mechanism).orElseThrow(), username,
                password, Base64.getUrlEncoder().withoutPadding().encodeToString(nonce));
    }

    /** A client side for one exchange, with a nonce from a {@link SecureRandom}. */
    public SaslClientMechanism newMechanism() {
        return newMechanism(new SecureRandom());
    }

    @Override
    public String toString() {
        return "SaslClientCredentials[mechanism=" + mechanism + ", username=" + username + ", password=[hidden]]";
    }
}
