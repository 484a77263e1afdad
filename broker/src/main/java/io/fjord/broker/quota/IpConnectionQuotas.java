package io.fjord.broker.quota;

import java.util.OptionalDouble;

/**
 * The {@code connection_creation_rate} quotas of ip entities, for the connection limits that enforce them: the rate of
 * an address's own entity, else of the default ip entity, else none. Implementations are thread-safe.
 */
@FunctionalInterface
public interface IpConnectionQuotas {
    /** Connections per second {@code address} (an IP literal, as the socket reports it) may open; empty: no quota. */
    OptionalDouble connectionCreationRate(String address);
}
