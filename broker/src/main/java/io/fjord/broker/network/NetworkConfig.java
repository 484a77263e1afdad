package io.fjord.broker.network;

import java.util.List;

/**
 * Settings of the socket server, with Kafka's broker names. Immutable.
 *
 * @param listeners               {@code listeners}
 * @param socketRequestMaxBytes   {@code socket.request.max.bytes}: largest request frame accepted
 * @param queuedMaxRequestBytes   {@code queued.max.request.bytes}: bytes of requests in flight across all
 *                                connections; -1 for no limit (Kafka's default)
 * @param connectionsMaxIdleMs    {@code connections.max.idle.ms}
 * @param maxConnections          {@code max.connections}
 * @param networkThreads          {@code num.network.threads}: event loop threads
 * @param queuedRequestsPerConnectionMax requests read ahead on one connection while one is in flight
 * @param socketSendBufferBytes   {@code socket.send.buffer.bytes}; -1 for the OS default
 * @param socketReceiveBufferBytes {@code socket.receive.buffer.bytes}; -1 for the OS default
 */
public record NetworkConfig(List<Endpoint> listeners, int socketRequestMaxBytes, long queuedMaxRequestBytes,
                            long connectionsMaxIdleMs, int maxConnections, int networkThreads,
                            int queuedRequestsPerConnectionMax, int socketSendBufferBytes,
                            int socketReceiveBufferBytes) {
    public NetworkConfig {
        listeners = List.copyOf(listeners);
        if (listeners.isEmpty()) {
            throw new IllegalArgumentException("at least one listener is needed");
        }
        if (socketRequestMaxBytes < 1) {
            throw new IllegalArgumentException("socket.request.max.bytes must be positive");
        }
        if (networkThreads < 1 || queuedRequestsPerConnectionMax < 1 || maxConnections < 1) {
            throw new IllegalArgumentException("thread, queue and connection limits must be positive");
        }
    }

    /** Kafka's defaults on the given listeners. */
    public static NetworkConfig defaults(List<Endpoint> listeners) {
        return new NetworkConfig(listeners, 104_857_600, -1, 600_000, Integer.MAX_VALUE, 3, 16, 102_400, 102_400);
    }
}
