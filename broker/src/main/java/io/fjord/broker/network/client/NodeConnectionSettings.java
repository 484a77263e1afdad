package io.fjord.broker.network.client;

import io.fjord.broker.security.sasl.SaslClientCredentials;
import io.fjord.raft.transport.ChannelSecurity;
import java.util.Objects;

/**
 * The limits of one {@link NodeConnection}, how it is protected and how it authenticates. Immutable; thread-safe.
 *
 * @param connectTimeoutMs a connection not made and through its ApiVersions exchange (and SASL authentication)
 *     within this is dropped (Kafka's {@code socket.connection.setup.timeout.ms}: 10,000)
 * @param inFlightRequestsMax requests awaiting their response on the connection, at most
 * @param frameBytesMax the largest response frame read; a larger one closes the connection
 * @param security how the connection is protected: as the listener it connects to (TLS on an SSL listener)
 * @param sasl the credentials for a SASL listener (SASL_PLAINTEXT, SASL_SSL), or null for another one
 */
public record NodeConnectionSettings(int connectTimeoutMs, int inFlightRequestsMax, int frameBytesMax,
                                     ChannelSecurity security, SaslClientCredentials sasl) {
    public NodeConnectionSettings {
        if (connectTimeoutMs <= 0 || inFlightRequestsMax <= 0 || frameBytesMax <= 0) {
            throw new IllegalArgumentException("invalid connection settings: connectTimeoutMs=" + connectTimeoutMs
                    + ", inFlightRequestsMax=" + inFlightRequestsMax + ", frameBytesMax=" + frameBytesMax);
        }
        Objects.requireNonNull(security, "security");
    }

    /** Settings of a plaintext connection. */
    public NodeConnectionSettings(int connectTimeoutMs, int inFlightRequestsMax, int frameBytesMax) {
        this(connectTimeoutMs, inFlightRequestsMax, frameBytesMax, ChannelSecurity.PLAINTEXT, null);
    }

    /** Settings of a connection protected by {@code security}, without SASL. */
    public NodeConnectionSettings(int connectTimeoutMs, int inFlightRequestsMax, int frameBytesMax,
            ChannelSecurity security) {
        this(connectTimeoutMs, inFlightRequestsMax, frameBytesMax, security, null);
    }

    /** These settings with the connection protected by {@code channelSecurity}. */
    public NodeConnectionSettings withSecurity(ChannelSecurity channelSecurity) {
        return new NodeConnectionSettings(connectTimeoutMs, inFlightRequestsMax, frameBytesMax, channelSecurity,
                sasl);
    }

    /** These settings, authenticating with {@code credentials} (null: none). */
    public NodeConnectionSettings withSasl(SaslClientCredentials credentials) {
        return new NodeConnectionSettings(connectTimeoutMs, inFlightRequestsMax, frameBytesMax, security,
                credentials);
    }
}
