package io.fjord.broker.coordinator.markers;

import io.fjord.broker.config.BrokerConfig;

/**
 * The settings of the transaction marker channel. Kafka's channel has no settings of its own beyond the broker's
 * {@code request.timeout.ms}; the bounds are Fjord's. Immutable; thread-safe.
 *
 * @param retryBackoffMs how long a partition waits before it is sent again after a retriable error, a failed request
 *     or while its leader is unknown (Kafka's client default {@code retry.backoff.ms}: 100)
 * @param requestTimeoutMs a WriteTxnMarkers request unanswered this long fails (its connection is dropped) and its
 *     markers go again to the partitions' leaders then; {@code request.timeout.ms} (30,000), as Kafka's channel
 * @param connectTimeoutMs how long connecting and the ApiVersions exchange may take (10,000)
 * @param frameBytesMax the largest response frame read ({@code socket.request.max.bytes})
 * @param requestBytesMax the estimated encoded size a request may reach; the markers beyond wait for the next request
 *     to that broker (1 MiB)
 * @param pendingPartitionsMax the partitions the channel holds markers for at most, over every transaction; markers
 *     beyond are refused (1,000,000)
 */
public record MarkerChannelConfig(long retryBackoffMs, long requestTimeoutMs, int connectTimeoutMs, int frameBytesMax,
        int requestBytesMax, int pendingPartitionsMax) {

    /** Room for one marker of a partition whose topic name is as long as Kafka allows (249). */
    static final int REQUEST_BYTES_MIN = 1024;

    public MarkerChannelConfig {
        if (retryBackoffMs < 0 || requestTimeoutMs <= 0 || connectTimeoutMs <= 0 || frameBytesMax <= 0
                || requestBytesMax < REQUEST_BYTES_MIN || pendingPartitionsMax < 1) {
            throw new IllegalArgumentException("invalid marker channel settings: retryBackoffMs=" + retryBackoffMs
                    + ", requestTimeoutMs=" + requestTimeoutMs + ", connectTimeoutMs=" + connectTimeoutMs
                    + ", frameBytesMax=" + frameBytesMax + ", requestBytesMax=" + requestBytesMax
                    + ", pendingPartitionsMax=" + pendingPartitionsMax);
        }
    }

    public static MarkerChannelConfig withDefaults() {
        return new MarkerChannelConfig(100, 30_000, 10_000, 100 * 1024 * 1024, 1024 * 1024, 1_000_000);
    }

    /** From a node's configuration: {@code request.timeout.ms} and {@code socket.request.max.bytes}. */
    public static MarkerChannelConfig from(BrokerConfig config) {
        MarkerChannelConfig defaults = withDefaults();
        return new MarkerChannelConfig(defaults.retryBackoffMs(), config.intValue("request.timeout.ms"),
                defaults.connectTimeoutMs(), config.intValue("socket.request.max.bytes"), defaults.requestBytesMax(),
                defaults.pendingPartitionsMax());
    }

    /** The same with other bounds; for tests. */
    public MarkerChannelConfig withBounds(int requestBytes, int pendingPartitions) {
        return new MarkerChannelConfig(retryBackoffMs, requestTimeoutMs, connectTimeoutMs, frameBytesMax,
                requestBytes, pendingPartitions);
    }

    /** The same with another back-off; for tests. */
    public MarkerChannelConfig withRetryBackoffMs(long backoffMs) {
        return new MarkerChannelConfig(backoffMs, requestTimeoutMs, connectTimeoutMs, frameBytesMax, requestBytesMax,
                pendingPartitionsMax);
    }
}
