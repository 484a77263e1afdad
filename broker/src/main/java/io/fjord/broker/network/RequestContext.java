package io.fjord.broker.network;

import java.net.SocketAddress;

/**
 * Who sent a request and on which listener. Immutable.
 *
 * @param connectionId a number unique to the connection while the server runs
 * @param principal    {@code User:<name>} on a SASL listener once authenticated, else {@code User:ANONYMOUS}
 */
public record RequestContext(long connectionId, String listenerName, SocketAddress clientAddress,
                             long receivedNanos, String principal) {
    /** The principal of a connection without authentication. */
    public static final String ANONYMOUS = "User:ANONYMOUS";

    /** A request of a connection without authentication. */
    public RequestContext(long connectionId, String listenerName, SocketAddress clientAddress, long receivedNanos) {
        this(connectionId, listenerName, clientAddress, receivedNanos, ANONYMOUS);
    }
}
