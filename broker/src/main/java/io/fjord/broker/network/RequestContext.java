package io.fjord.broker.network;

import java.net.SocketAddress;

/**
 * Who sent a request and on which listener. Immutable.
 *
 * @param connectionId a number unique to the connection while the server runs
 */
public record RequestContext(long connectionId, String listenerName, SocketAddress clientAddress,
                             long receivedNanos) {
}
