package io.fjord.broker.security.sasl;

/**
 * The client side of one SASL exchange, as this node runs it on the connections it opens to other nodes: the
 * first message, then one answer per server challenge until {@link #isComplete()}. Pure (randomness comes in);
 * not thread-safe: one instance per exchange, used by one thread.
 */
public interface SaslClientMechanism {
    /** The mechanism's name, as SaslHandshake asks for it. */
    String name();

    /** The client's first message (SaslAuthenticate's {@code auth_bytes}). */
    byte[] initialResponse();

    /**
     * The answer to the server's {@code challenge}, or null when the exchange is complete and nothing more is sent.
     *
     * @throws SaslAuthenticationFailure the server's message is malformed, fails a check or reports an error
     */
    byte[] evaluate(byte[] challenge) throws SaslAuthenticationFailure;

    /** Whether the server has been verified and nothing remains to send. */
    boolean isComplete();
}
