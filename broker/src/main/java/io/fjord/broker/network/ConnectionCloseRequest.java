package io.fjord.broker.network;

/**
 * A handler's answer when the request must get no response and the connection must be closed instead, Kafka's
 * {@code requestChannel.closeConnection}: a Produce with acks=0 that failed, whose client learns of the failure only
 * by the close (it then refreshes its metadata). The connection handler logs the reason at INFO and closes.
 *
 * <p>Immutable; carries no stack trace (it is an answer, not a fault).
 */
public final class ConnectionCloseRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param reason why the connection is closed, logged */
    public ConnectionCloseRequest(String reason) {
        super(reason, null, false, false);
    }
}
