package io.fjord.broker.network;

import java.net.InetAddress;

/**
 * The per-IP connection creation rate quotas (KIP-612: the client quota {@code connection_creation_rate} of the
 * {@code ip} entity, a named address over the default entity): connections from an address above its rate are closed
 * after their throttle time. Implementations are read on the accepting thread for each new connection: they must be
 * thread-safe and cheap.
 */
@FunctionalInterface
public interface IpConnectionRateQuotas {
    /** Kafka's value when no quota applies. */
    int UNLIMITED = Integer.MAX_VALUE;

    /** No IP quotas: every address is {@link #UNLIMITED}. */
    IpConnectionRateQuotas NONE = address -> UNLIMITED;

    /** Connections per second allowed from {@code address}; {@link #UNLIMITED} for no quota. */
    int connectionCreationRate(InetAddress address);
}
