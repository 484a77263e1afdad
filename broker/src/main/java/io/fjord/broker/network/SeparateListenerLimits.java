package io.fjord.broker.network;

import io.netty.channel.ChannelHandler;
import java.util.List;

/**
 * The connection limits of a listener that a server other than the {@link SocketServer} serves: the controller
 * listener, whose Raft transport has its own server channel. Kafka's controller has its own socket server and
 * so its own ConnectionQuotas: its listeners' connections are counted apart from the broker's, against the same
 * settings ({@code max.connections}, {@code listener.name.<l>.max.connections}, {@code max.connections.per.ip} and
 * overrides, {@code max.connection.creation.rate} and the listener's own rate), with no protected listener (the
 * inter-broker listener is never a controller listener). The {@link #acceptGate()} goes on that server channel.
 *
 * <p>Thread-safe: built on any thread; the gate and the quotas it owns then run on the server channel's event loop.
 */
public final class SeparateListenerLimits {
    private final AcceptGate gate;

    /**
     * @param limits  the node's limits for {@code listenerName} (their inter-broker listener is ignored: none is
     *                protected here)
     * @param ipRates the per-address connection creation rate quotas
     */
    public SeparateListenerLimits(String listenerName, ConnectionLimits limits, IpConnectionRateQuotas ipRates) {
        ConnectionLimits unprotected = new ConnectionLimits(limits.maxConnections(), limits.listenerMaxConnections(),
                limits.maxConnectionsPerIp(), limits.maxConnectionsPerIpOverrides(),
                limits.maxConnectionCreationRate(), limits.listenerMaxConnectionCreationRates(), null,
                limits.quotaWindowCount(), limits.quotaWindowSizeMs());
        ConnectionQuotas quotas = new ConnectionQuotas(unprotected, ipRates, List.of(listenerName));
        ConnectionLog log = ConnectionLog.withDefaults();
        // The only gate on these quotas: a connection closed wakes only itself (null).
        gate = new AcceptGate(listenerName, quotas, new ConnectionEvictor(quotas, log), log,
                () -> System.nanoTime() / 1_000_000, System::nanoTime, null);
    }

    /** The handler for the listener's server channel(s). */
    public ChannelHandler acceptGate() {
        return gate;
    }
}
