package io.fjord.broker.network;

import java.net.SocketAddress;

/**
 * Who sent a request and on which listener. Immutable.
 *
 * @param connectionId a number unique to the connection while the server runs
 * @param principal    who the connection authenticated as (for authorization): the SASL user on a SASL listener, the
 *                     certificate's mapped name on an SSL listener; ANONYMOUS when it proved nothing
 */
public record RequestContext(long connectionId, String listenerName, SocketAddress clientAddress,
                             long receivedNanos, Principal principal) {
    /** A request of an anonymous connection. */
    public RequestContext(long connectionId, String listenerName, SocketAddress clientAddress, long receivedNanos) {
        this(connectionId, listenerName, clientAddress, receivedNanos, Principal.ANONYMOUS);
    }
}
