package io.fjord.broker.security.sasl;

import java.nio.charset.StandardCharsets;

/**
 * PLAIN's client side (RFC 4616): one message, {@code NUL user NUL password} with no authorization id (as Kafka's
 * PlainLoginModule client sends it), complete once the server accepts it. Not thread-safe.
 */
final class PlainClientMechanism implements SaslClientMechanism {
    private final String username;
    private final String password;
    private boolean sent;
    private boolean complete;

    PlainClientMechanism(String username, String password) {
        this.username = username;
        this.password = password;
    }

    @Override
    public String name() {
        return PlainServerMechanism.NAME;
    }

    @Override
    public byte[] initialResponse() {
        sent = true;
        return ("\0" + username + "\0" + password).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] evaluate(byte[] challenge) throws SaslAuthenticationFailure {
        if (!sent || complete) {
            throw SaslAuthenticationFailure.invalidCredentials("PLAIN: unexpected server message");
        }
        if (challenge != null && challenge.length > 0) {
            throw SaslAuthenticationFailure.invalidCredentials("PLAIN: the server sent a challenge");
        }
        complete = true;
        return null;
    }

    @Override
    public boolean isComplete() {
        return complete;
    }
}
