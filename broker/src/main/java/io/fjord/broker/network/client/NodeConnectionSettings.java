package io.fjord.broker.network.client;

import io.fjord.raft.transport.ChannelSecurity;
import java.util.Objects;

/**
 * The limits of one {@link NodeConnection}. Immutable; thread-safe.
 *
 * @param connectTimeoutMs a connection not made and through its ApiVersions exchange within this is dropped (Kafka's
 *     {@code socket.connection.setup.timeout.ms}: 10,000)
 * @param inFlightRequestsMax requests awaiting their response on the connection, at most
 * @param frameBytesMax the largest response frame read; a larger one closes the connection
 * @param security how the connection is protected: as the listener it connects to (TLS on an SSL listener)
 */
public record NodeConnectionSettings(int connectTimeoutMs, int inFlightRequestsMax, int frameBytesMax,
                                     ChannelSecurity security) {
    public NodeConnectionSettings {
        if (connectTimeoutMs <= 0 || inFlightRequestsMax <= 0 || frameBytesMax <= 0) {
            throw new IllegalArgumentException("invalid connection settings: connectTimeoutMs=" + connectTimeoutMs
                    + ", inFlightRequestsMax=" + inFlightRequestsMax + ", frameBytesMax=" + frameBytesMax);
        }
        Objects.requireNonNull(security, "security");
    }

    /** Settings of a plaintext connection. */
    public NodeConnectionSettings(int connectTimeoutMs, int inFlightRequestsMax, int frameBytesMax) {
        this(connectTimeoutMs, inFlightRequestsMax, frameBytesMax, ChannelSecurity.PLAINTEXT);
    }

    /** These settings with the connection protected by {@code channelSecurity}. */
    public NodeConnectionSettings withSecurity(ChannelSecurity channelSecurity) {
        return new NodeConnectionSettings(connectTimeoutMs, inFlightRequestsMax, frameBytesMax, channelSecurity);
    }
}
