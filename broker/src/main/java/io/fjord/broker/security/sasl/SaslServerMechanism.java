package io.fjord.broker.security.sasl;

/**
 * The server side of one SASL mechanism for one exchange: each client message in, the server's challenge out, until
 * {@link #isComplete()}. Not thread-safe: one instance per exchange, used by the connection's thread.
 */
public interface SaslServerMechanism {
    /** Takes the client's next message and returns the server's answer (empty when it has none). */
    byte[] evaluate(byte[] clientMessage) throws SaslAuthenticationFailure;

    boolean isComplete();

    /** The authenticated user name; only once complete. */
    String authenticatedUser();
}
