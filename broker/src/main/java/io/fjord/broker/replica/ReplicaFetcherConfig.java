package io.fjord.broker.replica;

import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.config.ConfigException;

/**
 * The settings of the replica fetchers, Kafka's {@code replica.*} broker configs. Immutable; thread-safe.
 *
 * @param fetchersPerSourceBroker {@code num.replica.fetchers} (1): fetchers, each its own thread and connection, per
 *     leader this node follows; a partition goes to fetcher {@code hash(partition) % fetchersPerSourceBroker}
 * @param partitionFetchMaxBytes {@code replica.fetch.max.bytes} (1 MiB): bytes asked for per partition (the first
 *     batch comes whole even when larger)
 * @param responseMaxBytes {@code replica.fetch.response.max.bytes} (10 MiB): bytes asked for per response
 * @param fetchWaitMaxMs {@code replica.fetch.wait.max.ms} (500): how long the leader may hold a fetch for data
 * @param fetchMinBytes {@code replica.fetch.min.bytes} (1): bytes the leader waits for before answering
 * @param fetchBackoffMs {@code replica.fetch.backoff.ms} (1000): the pause of a partition, or of a whole fetcher
 *     after a failed request, after an error
 * @param requestTimeoutMs {@code replica.socket.timeout.ms} (30,000): a request unanswered this long fails and its
 *     connection is dropped; at least the fetch wait
 * @param connectTimeoutMs how long connecting and the ApiVersions exchange may take (Kafka's
 *     {@code socket.connection.setup.timeout.ms}: 10,000)
 * @param frameBytesMax the largest response frame read ({@code socket.request.max.bytes}: 100 MiB)
 */
public record ReplicaFetcherConfig(int fetchersPerSourceBroker, int partitionFetchMaxBytes, int responseMaxBytes,
        int fetchWaitMaxMs, int fetchMinBytes, long fetchBackoffMs, long requestTimeoutMs, int connectTimeoutMs,
        int frameBytesMax) {

    public ReplicaFetcherConfig {
        if (fetchersPerSourceBroker < 1 || partitionFetchMaxBytes < 0 || responseMaxBytes < 0 || fetchWaitMaxMs < 0
                || fetchBackoffMs < 0 || requestTimeoutMs < fetchWaitMaxMs || requestTimeoutMs <= 0
                || connectTimeoutMs <= 0 || frameBytesMax <= 0) {
            throw new IllegalArgumentException("invalid replica fetcher settings: " + fetchersPerSourceBroker + " "
                    + partitionFetchMaxBytes + " " + responseMaxBytes + " " + fetchWaitMaxMs + " " + fetchBackoffMs
                    + " " + requestTimeoutMs + " " + connectTimeoutMs + " " + frameBytesMax);
        }
    }

    /** Kafka's defaults. */
    public static ReplicaFetcherConfig withDefaults() {
        return new ReplicaFetcherConfig(1, 1024 * 1024, 10 * 1024 * 1024, 500, 1, 1000, 30_000, 10_000,
                100 * 1024 * 1024);
    }

    /**
     * From a node's configuration. A {@code num.replica.fetchers} below 1 counts as 1 (Kafka leaves it
     * unvalidated too); the request timeout must be at least the fetch wait, as Kafka requires of
     * {@code replica.socket.timeout.ms} and {@code replica.fetch.wait.max.ms}.
     */
    public static ReplicaFetcherConfig from(BrokerConfig config) {
        int socketTimeoutMs = config.intValue("replica.socket.timeout.ms");
        if (socketTimeoutMs < config.intValue("replica.fetch.wait.max.ms")) {
            throw new ConfigException("replica.socket.timeout.ms", socketTimeoutMs,
                    "should always be at least replica.fetch.wait.max.ms to prevent unnecessary socket timeouts");
        }
        return new ReplicaFetcherConfig(Math.max(1, config.intValue("num.replica.fetchers")),
                config.intValue("replica.fetch.max.bytes"), config.intValue("replica.fetch.response.max.bytes"),
                config.intValue("replica.fetch.wait.max.ms"), config.intValue("replica.fetch.min.bytes"),
                config.intValue("replica.fetch.backoff.ms"), config.intValue("replica.socket.timeout.ms"), 10_000,
                config.intValue("socket.request.max.bytes"));
    }

    /** The same with another back-off; for tests. */
    public ReplicaFetcherConfig withFetchBackoffMs(long backoffMs) {
        return new ReplicaFetcherConfig(fetchersPerSourceBroker, partitionFetchMaxBytes, responseMaxBytes,
                fetchWaitMaxMs, fetchMinBytes, backoffMs, requestTimeoutMs, connectTimeoutMs, frameBytesMax);
    }

    /** The same with another fetcher count; for tests. */
    public ReplicaFetcherConfig withFetchersPerSourceBroker(int fetchers) {
        return new ReplicaFetcherConfig(fetchers, partitionFetchMaxBytes, responseMaxBytes, fetchWaitMaxMs,
                fetchMinBytes, fetchBackoffMs, requestTimeoutMs, connectTimeoutMs, frameBytesMax);
    }
}
