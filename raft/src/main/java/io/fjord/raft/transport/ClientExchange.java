package io.fjord.raft.transport;

/**
 * The client side of one SASL exchange on a connection this node opens to a controller listener: the mechanism's
 * first message, then one answer per server message until {@link #isComplete()}. Not thread-safe: one per exchange,
 * used on the connection's event loop.
 */
public interface ClientExchange {
    /** The mechanism's name, as SaslHandshake asks for it. */
    String mechanism();

    /** Who logs in, for log lines. */
    String user();

    byte[] initialResponse();

    /**
     * The answer to the server's {@code challenge}, or null when nothing more is sent.
     *
     * @throws Exception the server's message is refused (the text says why)
     */
    byte[] evaluate(byte[] challenge) throws Exception;

    boolean isComplete();
}
