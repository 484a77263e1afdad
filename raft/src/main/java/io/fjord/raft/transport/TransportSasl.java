package io.fjord.raft.transport;

import java.net.SocketAddress;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * How a Raft transport authenticates on a SASL controller listener: {@code inbound} makes the gate of each connection
 * the listener accepts (from its remote address; null when this node serves no controller listener), and
 * {@code outbound} the client exchange of each connection it opens to a peer. Immutable; thread-safe when its
 * functions are.
 */
public record TransportSasl(Function<SocketAddress, InboundGate> inbound, Supplier<ClientExchange> outbound) {
    public TransportSasl {
        if (outbound == null) {
            throw new IllegalArgumentException("a SASL controller listener needs the client side");
        }
    }
}
