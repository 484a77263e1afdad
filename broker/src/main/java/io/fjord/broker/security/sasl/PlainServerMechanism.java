package io.fjord.broker.security.sasl;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * SASL/PLAIN, server side (RFC 4616): one message {@code [authzid] NUL authcid NUL passwd}, checked against the
 * {@code user_<name>="<password>"} options of the listener's {@code PlainLoginModule} entry, with Kafka's messages.
 * An authorization id, when given, must equal the user name. Passwords compare in constant time. Not thread-safe:
 * one instance per exchange.
 */
public final class PlainServerMechanism implements SaslServerMechanism {
    public static final String NAME = "PLAIN";
    private static final String USER_PREFIX = "user_";

    private final Map<String, String> jaasOptions;
    private String user;

    /** @param jaasOptions the options of the listener's PlainLoginModule entry ({@code user_alice=...}) */
    public PlainServerMechanism(Map<String, String> jaasOptions) {
        this.jaasOptions = jaasOptions;
    }

    @Override
    public byte[] evaluate(byte[] clientMessage) throws SaslAuthenticationFailure {
        if (user != null) {
            throw SaslAuthenticationFailure.invalidCredentials("PLAIN exchange already complete");
        }
        List<String> tokens = split(new String(clientMessage, StandardCharsets.UTF_8));
        if (tokens.size() != 3) {
            throw SaslAuthenticationFailure.invalidCredentials("Invalid SASL/PLAIN response: expected 3 tokens, got "
                    + tokens.size());
        }
        String authorizationId = tokens.get(0);
        String username = tokens.get(1);
        String password = tokens.get(2);
        if (username.isEmpty()) {
            throw SaslAuthenticationFailure.toldToClient("Authentication failed: username not specified");
        }
        if (password.isEmpty()) {
            throw SaslAuthenticationFailure.toldToClient("Authentication failed: password not specified");
        }
        String expected = jaasOptions.get(USER_PREFIX + username);
        if (expected == null || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                password.getBytes(StandardCharsets.UTF_8))) {
            throw SaslAuthenticationFailure.toldToClient("Authentication failed: Invalid username or password");
        }
        if (!authorizationId.isEmpty() && !authorizationId.equals(username)) {
            throw SaslAuthenticationFailure.toldToClient(
                    "Authentication failed: Client requested an authorization id that is different from username");
        }
        user = username;
        return new byte[0];
    }

    private static List<String> split(String message) {
        List<String> tokens = new ArrayList<>(3);
        int start = 0;
        int separator;
        while ((separator = message.indexOf('\u0000', start)) >= 0) {
            tokens.add(message.substring(start, separator));
            start = separator + 1;
        }
        tokens.add(message.substring(start));
        return tokens;
    }

    @Override
    public boolean isComplete() {
        return user != null;
    }

    @Override
    public String authenticatedUser() {
        if (user == null) {
            throw new IllegalStateException("Authentication exchange has not completed");
        }
        return user;
    }
}
