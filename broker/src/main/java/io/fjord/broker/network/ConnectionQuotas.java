package io.fjord.broker.network;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * Kafka's connection quotas (ConnectionQuotas; KIP-402, KIP-612) as a pure core: counts of open connections per
 * listener, per client address and in all, and connection creation rates per broker, per listener and per address.
 * The socket server asks, for each accepted connection, in Kafka's order:
 * <ol>
 *   <li>{@link #recordListenerConnection}: the connection counts against the listener's and the broker's creation
 *       rates (the inter-broker listener only against its own) and may have to wait the throttle time answered;</li>
 *   <li>{@link #slotAvailable}: it waits (is not refused) while its listener, or the broker, has its maximum of open
 *       connections; the inter-broker listener is allowed past the broker-wide maximum when there are other
 *       listeners;</li>
 *   <li>{@link #recordIpConnection}: above its address's {@code connection_creation_rate} quota it is closed after
 *       the throttle time answered;</li>
 *   <li>{@link #admit}: it is counted, unless its address has its {@code max.connections.per.ip} (or override)
 *       open, in which case it is closed at once;</li>
 *   <li>{@link #release} when it closes.</li>
 * </ol>
 * When the protected listener's connections take the broker past its maximum (or the maximum is lowered), the
 * {@link ConnectionEvictor} closes connections of the {@link #evictable} listeners.
 *
 * <p>Not thread-safe: owned by the thread that accepts connections; times are given by the caller.
 */
final class ConnectionQuotas {
    /** Addresses whose creation rate is tracked at once; idle ones are dropped first. */
    static final int TRACKED_ADDRESSES_MAX = 10_000;

    private ConnectionLimits limits;
    /** The quota windows, fixed at construction (Kafka reads them at start-up only). */
    private final int quotaWindowCount;
    private final long quotaWindowSizeMs;
    private final IpConnectionRateQuotas ipRates;
    private final Map<String, Integer> listenerCounts = new HashMap<>();
    private final Map<InetAddress, Integer> addressCounts = new HashMap<>();
    private final Map<String, ConnectionRate> listenerRates = new HashMap<>();
    private final Map<InetAddress, ConnectionRate> addressRates = new HashMap<>();
    private final ConnectionRate brokerRate;
    private int totalCount;

    /** @param listenerNames the socket server's listeners (the protected one counts only beside others) */
    ConnectionQuotas(ConnectionLimits limits, IpConnectionRateQuotas ipRates, Iterable<String> listenerNames) {
        this.limits = limits;
        this.quotaWindowCount = limits.quotaWindowCount();
        this.quotaWindowSizeMs = limits.quotaWindowSizeMs();
        this.ipRates = ipRates;
        this.brokerRate = newRate();
        for (String listener : listenerNames) {
            String name = key(listener);
            listenerCounts.put(name, 0);
            listenerRates.put(name, newRate());
        }
    }

    /**
     * Takes new limits (a dynamic config change), as Kafka's ConnectionQuotas updates its own: the counts of open
     * connections and the rates measured so far are kept, so a lowered maximum refuses or holds only the next
     * connections (open ones stay open). The quota windows stay those the rates were made with.
     */
    void updateLimits(ConnectionLimits newLimits) {
        limits = newLimits;
    }

    ConnectionLimits limits() {
        return limits;
    }

    /**
     * Counts a new connection against the creation rates: the milliseconds it must wait before it is served (0 within
     * the rates). The inter-broker listener is throttled by its own rate only.
     */
    long recordListenerConnection(String listener, long nowMs) {
        String name = key(listener);
        // Measured without a bound too, as Kafka's sensors are, so that a bound set at run time meets the real rate.
        long brokerThrottleMs = 0;
        if (!isProtected(name)) {
            brokerThrottleMs = brokerRate.recordAndThrottleMs(nowMs, limits.maxConnectionCreationRate());
        }
        long listenerThrottleMs = listenerRates.computeIfAbsent(name, ignored -> newRate())
                .recordAndThrottleMs(nowMs, limits.maxConnectionCreationRate(name));
        return Math.max(brokerThrottleMs, listenerThrottleMs);
    }

    /** Whether a connection of {@code listener} may be served now (else it waits for one to close). */
    boolean slotAvailable(String listener) {
        String name = key(listener);
        if (listenerCounts.getOrDefault(name, 0) >= limits.maxConnections(name)) {
            return false;
        }
        return isProtected(name) || totalCount < limits.maxConnections();
    }

    /**
     * Counts a connection from {@code address} against its {@code connection_creation_rate} quota: the milliseconds
     * after which it is closed, or 0 within the quota (or without one).
     */
    long recordIpConnection(InetAddress address, long nowMs) {
        int quota = ipRates.connectionCreationRate(address);
        if (quota == IpConnectionRateQuotas.UNLIMITED) {
            return 0;
        }
        ConnectionRate rate = addressRates.get(address);
        if (rate == null) {
            if (addressRates.size() >= TRACKED_ADDRESSES_MAX) {
                dropIdleAddressRates(nowMs);
            }
            if (addressRates.size() >= TRACKED_ADDRESSES_MAX) {
                // Every tracked address connected within the quota windows: an untracked one is not let through.
                return quotaWindowSizeMs;
            }
            rate = newRate();
            addressRates.put(address, rate);
        }
        return quota == 0 ? quotaWindowSizeMs : rate.recordAndThrottleMs(nowMs, quota);
    }

    /**
     * Counts an accepted connection as open, unless {@code address} already has its maximum of connections open:
     * then nothing is counted and the answer is that maximum (the connection is to be closed); else -1.
     */
    int admit(String listener, InetAddress address) {
        int maximum = limits.maxConnectionsPerIp(address);
        int open = addressCounts.getOrDefault(address, 0);
        if (open >= maximum) {
            return maximum;
        }
        addressCounts.put(address, open + 1);
        listenerCounts.merge(key(listener), 1, Integer::sum);
        totalCount++;
        return -1;
    }

    /** An admitted connection closed. */
    void release(String listener, InetAddress address) {
        addressCounts.computeIfPresent(address, (ignored, open) -> open <= 1 ? null : open - 1);
        listenerCounts.computeIfPresent(key(listener), (ignored, open) -> Math.max(open - 1, 0));
        totalCount = Math.max(totalCount - 1, 0);
    }

    int totalCount() {
        return totalCount;
    }

    int addressCount(InetAddress address) {
        return addressCounts.getOrDefault(address, 0);
    }

    /**
     * Whether a connection of {@code listener} may be closed to bring the broker back to its maximum (KIP-402): any
     * but the protected listener's.
     */
    boolean evictable(String listener) {
        return !isProtected(key(listener));
    }

    /** Kafka's protected listener: the inter-broker one, when the server has others. */
    private boolean isProtected(String name) {
        return name.equals(limits.interBrokerListener()) && listenerCounts.size() > 1;
    }

    private void dropIdleAddressRates(long nowMs) {
        for (Iterator<ConnectionRate> rates = addressRates.values().iterator(); rates.hasNext();) {
            if (rates.next().idle(nowMs)) {
                rates.remove();
            }
        }
    }

    private ConnectionRate newRate() {
        return new ConnectionRate(quotaWindowCount, quotaWindowSizeMs);
    }

    private static String key(String listener) {
        return listener.toUpperCase(Locale.ROOT);
    }
}
