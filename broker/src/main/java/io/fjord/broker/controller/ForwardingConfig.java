package io.fjord.broker.controller;

import io.fjord.broker.network.client.NodeConnectionSettings;
import io.fjord.broker.security.sasl.SaslClientCredentials;

/**
 * The limits and timings of a {@link ForwardingControllerChannel}.
 *
 * @param requestTimeoutMs how long a request is retried before it is answered with REQUEST_TIMED_OUT (Kafka's
 *     {@code request.timeout.ms} for forwarded requests: 30,000)
 * @param retryBackoffMs the wait before sending again after NOT_CONTROLLER or while no controller is known (Kafka's
 *     {@code retry.backoff.ms}: 100)
 * @param reconnectBackoffMs the first wait before connecting again to a node whose connection failed or closed
 *     (Kafka's {@code reconnect.backoff.ms}: 50), doubled per failure
 * @param reconnectBackoffMaxMs the longest such wait (Kafka's {@code reconnect.backoff.max.ms}: 1,000)
 * @param connectTimeoutMs a connection not made and through its ApiVersions exchange within this is dropped
 *     (Kafka's {@code socket.connection.setup.timeout.ms}: 10,000)
 * @param inFlightRequestsMax requests awaiting their response on one connection, at most
 * @param queuedRequestsMax requests the channel holds (waiting or in flight), at most; more are answered at once
 *     with REQUEST_TIMED_OUT
 * @param frameBytesMax the largest response frame read (Kafka's {@code socket.request.max.bytes}: 100 MiB)
 * @param sasl how to log in on a SASL controller listener ({@code sasl.mechanism.controller.protocol}); null for a
 *     PLAINTEXT one
 *
 * <p>Immutable; thread-safe.
 */
public record ForwardingConfig(long requestTimeoutMs, long retryBackoffMs, long reconnectBackoffMs,
        long reconnectBackoffMaxMs, int connectTimeoutMs, int inFlightRequestsMax, int queuedRequestsMax,
        int frameBytesMax, SaslClientCredentials sasl) {

    public ForwardingConfig {
        if (requestTimeoutMs <= 0 || retryBackoffMs <= 0 || reconnectBackoffMs <= 0
                || reconnectBackoffMaxMs < reconnectBackoffMs || connectTimeoutMs <= 0 || inFlightRequestsMax <= 0
                || queuedRequestsMax <= 0 || frameBytesMax <= 0) {
            throw new IllegalArgumentException("invalid forwarding settings: " + timingsAndLimits());
        }
    }

    /** Kafka's defaults; 64 requests in flight per connection, 1,024 held. */
    public static ForwardingConfig withDefaults() {
        return new ForwardingConfig(30_000, 100, 50, 1000, 10_000, 64, 1024, 100 * 1024 * 1024, null);
    }

    /** The limits of one connection to a controller. */
    public NodeConnectionSettings connectionSettings() {
        return new NodeConnectionSettings(connectTimeoutMs, inFlightRequestsMax, frameBytesMax).withSasl(sasl);
    }

    /** The same with another request deadline. */
    public ForwardingConfig withRequestTimeoutMs(long timeoutMs) {
        return new ForwardingConfig(timeoutMs, retryBackoffMs, reconnectBackoffMs, reconnectBackoffMaxMs,
                connectTimeoutMs, inFlightRequestsMax, queuedRequestsMax, frameBytesMax, sasl);
    }

    /** The same, logging in with {@code credentials} on a SASL controller listener (null: PLAINTEXT). */
    public ForwardingConfig withSasl(SaslClientCredentials credentials) {
        return new ForwardingConfig(requestTimeoutMs, retryBackoffMs, reconnectBackoffMs, reconnectBackoffMaxMs,
                connectTimeoutMs, inFlightRequestsMax, queuedRequestsMax, frameBytesMax, credentials);
    }

    private String timingsAndLimits() {
        return "requestTimeoutMs=" + requestTimeoutMs + ", retryBackoffMs=" + retryBackoffMs + ", reconnectBackoffMs="
                + reconnectBackoffMs + ", reconnectBackoffMaxMs=" + reconnectBackoffMaxMs + ", connectTimeoutMs="
                + connectTimeoutMs + ", inFlightRequestsMax=" + inFlightRequestsMax + ", queuedRequestsMax="
                + queuedRequestsMax + ", frameBytesMax=" + frameBytesMax;
    }
}
