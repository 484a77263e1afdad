package io.fjord.broker.network;

import java.net.SocketAddress;

/**
 * Who sent a request and on which listener. Immutable.
 *
 * @param connectionId a number unique to the connection while the server runs
 * @param principal    who the connection authenticated as (for authorization): the SASL user on a SASL listener, the
 *                     certificate's mapped name on an SSL listener; ANONYMOUS when it proved nothing
 * @param throttle     mutes the connection after this request's response (quota enforcement)
 */
public record RequestContext(long connectionId, String listenerName, SocketAddress clientAddress,
                             long receivedNanos, Principal principal, ConnectionThrottle throttle) {
    /** A request of a connection whose muting nobody watches (tests, internal requests). */
    public RequestContext(long connectionId, String listenerName, SocketAddress clientAddress, long receivedNanos,
                          Principal principal) {
        this(connectionId, listenerName, clientAddress, receivedNanos, principal, new ConnectionThrottle());
    }

    /** A request of an anonymous connection. */
    public RequestContext(long connectionId, String listenerName, SocketAddress clientAddress, long receivedNanos) {
        this(connectionId, listenerName, clientAddress, receivedNanos, Principal.ANONYMOUS);
    }
}
