package io.fjord.server;

import io.fjord.broker.network.Endpoint;
import io.fjord.broker.network.NetworkConfig;
import io.fjord.storage.LogManagerConfig;
import io.fjord.storage.internal.ConfigValues;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The settings a node starts with, read from Kafka-style properties: identity ({@code node.id}), listeners, data
 * directories ({@code log.dirs}, {@code metadata.log.dir}) and the topic defaults the controller applies. Immutable.
 *
 * @param metadataLogDirectory {@code metadata.log.dir}, by default the first of {@code log.dirs}
 */
public record NodeConfig(int nodeId, List<Endpoint> listeners, List<Endpoint> advertisedListeners,
                         NetworkConfig networkConfig,
                         LogManagerConfig logManagerConfig, Path metadataLogDirectory, int numPartitions,
                         short defaultReplicationFactor, boolean autoCreateTopics, boolean deleteTopicEnable,
                         Map<String, String> properties) {

    /** Reads the properties; a bad value raises {@link IllegalArgumentException} naming its key. */
    public static NodeConfig fromProperties(Map<String, String> properties) {
        ConfigValues values = new ConfigValues(properties);
        int nodeId = values.intValue("node.id", 1, 0);
        List<Endpoint> listeners = endpoints(values, "listeners", "PLAINTEXT://localhost:9092");
        List<Endpoint> advertised = values.isSet("advertised.listeners")
                ? endpoints(values, "advertised.listeners", "") : listeners;
        LogManagerConfig logs = LogManagerConfig.fromProperties(properties);
        Path metadataDirectory = values.isSet("metadata.log.dir") ? Path.of(values.string("metadata.log.dir", ""))
                .toAbsolutePath().normalize() : logs.logDirs().get(0);
        NetworkConfig defaults = NetworkConfig.defaults(listeners);
        NetworkConfig network = new NetworkConfig(listeners,
                values.intValue("socket.request.max.bytes", defaults.socketRequestMaxBytes(), 1),
                values.longValue("queued.max.request.bytes", defaults.queuedMaxRequestBytes(), -1),
                values.longValue("connections.max.idle.ms", defaults.connectionsMaxIdleMs(), 1),
                values.intValue("max.connections", defaults.maxConnections(), 1),
                values.intValue("num.network.threads", defaults.networkThreads(), 1),
                defaults.queuedRequestsPerConnectionMax(),
                values.intValue("socket.send.buffer.bytes", defaults.socketSendBufferBytes(), -1),
                values.intValue("socket.receive.buffer.bytes", defaults.socketReceiveBufferBytes(), -1));
        return new NodeConfig(nodeId, listeners, advertised, network, logs, metadataDirectory,
                values.intValue("num.partitions", 1, 1),
                (short) values.intValue("default.replication.factor", 1, 1),
                values.booleanValue("auto.create.topics.enable", true),
                values.booleanValue("delete.topic.enable", true), Map.copyOf(properties));
    }

    private static List<Endpoint> endpoints(ConfigValues values, String key, String defaultValue) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (String text : values.list(key, List.of(defaultValue))) {
            try {
                endpoints.add(Endpoint.parse(text));
            } catch (IllegalArgumentException e) {
                throw values.invalid(key, e.getMessage());
            }
        }
        return endpoints;
    }
}
