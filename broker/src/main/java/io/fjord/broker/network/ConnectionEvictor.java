package io.fjord.broker.network;

import io.netty.channel.Channel;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Kafka's answer to a broker with more than {@code max.connections} open (KIP-402): the inter-broker listener is let
 * past the broker-wide maximum, and then the least recently used connection of another listener is closed, one at a
 * time, until the broker is back at its maximum. A maximum lowered at run time closes connections the same way (Kafka's
 * processors check the excess on every poll). Connections of the protected listener are never chosen.
 *
 * <p>Knows every connection the socket server admitted, in admission order, with its {@link ConnectionActivity}; the
 * choice is the connection of an unprotected listener that read or wrote least recently (the first admitted on a tie).
 * The connections it closed count as gone from the moment they are chosen, so one excess closes one connection even
 * before its close completes. Bounded by the open connections (each is forgotten when it closes).
 *
 * <p>Not thread-safe: owned by the socket server's acceptor thread, as the {@link ConnectionQuotas}.
 */
final class ConnectionEvictor {
    private record Open(String listener, ConnectionActivity activity) {
    }

    private final ConnectionQuotas quotas;
    private final ConnectionLog log;
    private final Map<Channel, Open> open = new LinkedHashMap<>();
    private final Set<Channel> evicting = new HashSet<>();

    ConnectionEvictor(ConnectionQuotas quotas, ConnectionLog log) {
        this.quotas = quotas;
        this.log = log;
    }

    /** A connection was admitted (counted by the quotas) on {@code listener}. */
    void opened(Channel channel, String listener, ConnectionActivity activity) {
        open.put(channel, new Open(listener, activity));
    }

    /** An admitted connection closed (before the quotas release it). */
    void closed(Channel channel) {
        open.remove(channel);
        evicting.remove(channel);
    }

    /** Closes least recently used connections while the broker has more than its maximum open: how many it closed. */
    int evictExcess() {
        int closed = 0;
        while (quotas.totalCount() - evicting.size() > quotas.limits().maxConnections()) {
            Channel victim = leastRecentlyUsed();
            if (victim == null) {
                break; // only protected connections are open: they stay
            }
            evicting.add(victim);
            log.info(ConnectionLog.Cause.MAX_CONNECTIONS_EVICTION, victim.remoteAddress(),
                    "Closing the least recently used connection, from {} on listener {}: the broker has more than "
                            + "max.connections={} open", victim.remoteAddress(), open.get(victim).listener(),
                    quotas.limits().maxConnections());
            victim.close();
            closed++;
        }
        return closed;
    }

    /** Connections chosen and closing, not yet released. */
    int evictingCount() {
        return evicting.size();
    }

    private Channel leastRecentlyUsed() {
        Channel oldest = null;
        long oldestNanos = 0;
        for (Map.Entry<Channel, Open> entry : open.entrySet()) {
            Open connection = entry.getValue();
            if (evicting.contains(entry.getKey()) || !quotas.evictable(connection.listener())) {
                continue;
            }
            long activeNanos = connection.activity().lastActiveNanos();
            // nanoTime values are compared by difference: they may wrap.
            if (oldest == null || activeNanos - oldestNanos < 0) {
                oldest = entry.getKey();
                oldestNanos = activeNanos;
            }
        }
        return oldest;
    }
}
