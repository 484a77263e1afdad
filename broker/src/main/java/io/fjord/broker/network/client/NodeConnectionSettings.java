package io.fjord.broker.network.client;

import io.fjord.broker.security.sasl.SaslClientCredentials;

/**
 * The limits of one {@link NodeConnection}, and how it authenticates. Immutable; thread-safe.
 *
 * @param connectTimeoutMs a connection not made and through its ApiVersions exchange (and SASL authentication)
 *     within this is dropped (Kafka's {@code socket.connection.setup.timeout.ms}: 10,000)
 * @param inFlightRequestsMax requests awaiting their response on the connection, at most
 * @param frameBytesMax the largest response frame read; a larger one closes the connection
 * @param sasl the credentials for a SASL listener, or null for a PLAINTEXT one
 */
public record NodeConnectionSettings(int connectTimeoutMs, int inFlightRequestsMax, int frameBytesMax,
        SaslClientCredentials sasl) {
    public NodeConnectionSettings {
        if (connectTimeoutMs <= 0 || inFlightRequestsMax <= 0 || frameBytesMax <= 0) {
            throw new IllegalArgumentException("invalid connection settings: connectTimeoutMs=" + connectTimeoutMs
                    + ", inFlightRequestsMax=" + inFlightRequestsMax + ", frameBytesMax=" + frameBytesMax);
        }
    }

    /** Settings for a PLAINTEXT listener. */
    public NodeConnectionSettings(int connectTimeoutMs, int inFlightRequestsMax, int frameBytesMax) {
        this(connectTimeoutMs, inFlightRequestsMax, frameBytesMax, null);
    }

    /** The same limits, authenticating with {@code credentials} (null: none). */
    public NodeConnectionSettings withSasl(SaslClientCredentials credentials) {
        return new NodeConnectionSettings(connectTimeoutMs, inFlightRequestsMax, frameBytesMax, credentials);
    }
}
