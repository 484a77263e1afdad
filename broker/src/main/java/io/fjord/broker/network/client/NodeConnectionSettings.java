package io.fjord.broker.network.client;

/**
 * The limits of one {@link NodeConnection}. Immutable; thread-safe.
 *
 * @param connectTimeoutMs a connection not made and through its ApiVersions exchange within this is dropped (Kafka's
 *     {@code socket.connection.setup.timeout.ms}: 10,000)
 * @param inFlightRequestsMax requests awaiting their response on the connection, at most
 * @param frameBytesMax the largest response frame read; a larger one closes the connection
 */
public record NodeConnectionSettings(int connectTimeoutMs, int inFlightRequestsMax, int frameBytesMax) {
    public NodeConnectionSettings {
        if (connectTimeoutMs <= 0 || inFlightRequestsMax <= 0 || frameBytesMax <= 0) {
            throw new IllegalArgumentException("invalid connection settings: connectTimeoutMs=" + connectTimeoutMs
                    + ", inFlightRequestsMax=" + inFlightRequestsMax + ", frameBytesMax=" + frameBytesMax);
        }
    }
}
