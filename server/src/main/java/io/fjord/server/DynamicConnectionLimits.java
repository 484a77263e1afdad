package io.fjord.server;

import io.fjord.broker.ImageConfigResolver;
import io.fjord.broker.MetadataPublisher;
import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.config.BrokerConfigs;
import io.fjord.broker.config.ConfigException;
import io.fjord.broker.network.ConnectionLimits;
import io.fjord.metadata.image.MetadataChanges;
import io.fjord.metadata.image.MetadataImage;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka's DynamicConnectionQuota and the listeners' connection reconfiguration: the connection limits of
 * {@code server.properties} under the committed dynamic broker configs (the cluster-wide default, then this broker's
 * own), applied when they change. {@code max.connections}, {@code max.connections.per.ip},
 * {@code max.connections.per.ip.overrides}, {@code max.connection.creation.rate} and their
 * {@code listener.name.<l>.} forms are read; a change of any other config leaves the limits alone. The limits go to
 * a target ({@link io.fjord.broker.network.SocketServer#updateConnectionLimits}, which hands them to its acceptor
 * thread). Committed values that cannot be used (a host name that no longer resolves) are logged and the limits in
 * force kept, as Kafka's broker keeps its config when a reconfiguration fails.
 *
 * <p>Thread-safety: {@link #publish} runs on the metadata publishing thread and {@link #attach} on the starting
 * thread; both hold this object's lock, so the target gets limits in image order. {@link #refusal} reads only the
 * last image seen (volatile) and immutable settings, from any thread.
 */
final class DynamicConnectionLimits implements MetadataPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(DynamicConnectionLimits.class);
    private static final Set<String> SETTINGS = Set.of("max.connections", "max.connections.per.ip",
            "max.connections.per.ip.overrides", "max.connection.creation.rate");
    /** The listener-prefixed settings Kafka takes for a listener (and at the cluster level too). */
    private static final Set<String> LISTENER_SETTINGS = Set.of("max.connections", "max.connection.creation.rate");

    private final Map<String, String> staticSettings;
    private final String brokerId;
    private final List<String> listenerNames;
    private final String interBrokerListener;
    private volatile MetadataImage image = MetadataImage.EMPTY;
    /** Guarded by this. */
    private ConnectionLimits current;
    private Consumer<ConnectionLimits> target;
    private boolean published;

    /**
     * @param staticConfig        {@code server.properties}
     * @param listenerNames       the broker's listeners
     * @param interBrokerListener the listener allowed past the broker-wide limits
     */
    DynamicConnectionLimits(BrokerConfig staticConfig, int brokerId, List<String> listenerNames,
                            String interBrokerListener) {
        this.staticSettings = Map.copyOf(staticConfig.originals());
        this.brokerId = Integer.toString(brokerId);
        this.listenerNames = List.copyOf(listenerNames);
        this.interBrokerListener = interBrokerListener;
        this.current = ConnectionLimits.of(staticConfig, this.listenerNames, interBrokerListener);
    }

    /** Whether {@code name} is one of the settings read here (plain or listener-prefixed). */
    static boolean isConnectionLimit(String name) {
        if (SETTINGS.contains(name)) {
            return true;
        }
        if (!BrokerConfigs.isListenerPrefixed(name)) {
            return false;
        }
        String base = name.substring(name.indexOf('.', BrokerConfigs.LISTENER_PREFIX.length()) + 1);
        return LISTENER_SETTINGS.contains(base);
    }

    /** The limits in force now. */
    synchronized ConnectionLimits current() {
        return current;
    }

    /** From now on {@code newTarget} gets the limits in force, now and at each change. */
    synchronized void attach(Consumer<ConnectionLimits> newTarget) {
        target = newTarget;
        newTarget.accept(current);
    }

    @Override
    public void publish(MetadataImage previous, MetadataImage latest) {
        publish(previous, latest, MetadataChanges.between(previous, latest));
    }

    @Override
    public synchronized void publish(MetadataImage previous, MetadataImage latest, MetadataChanges changes) {
        image = latest;
        Set<String> changed = changes.changedBrokerConfigs();
        if (published && !changed.contains(ImageConfigResolver.CLUSTER_DEFAULT) && !changed.contains(brokerId)) {
            return;
        }
        published = true;
        ConnectionLimits next;
        try {
            next = limits(latest.brokerConfig(ImageConfigResolver.CLUSTER_DEFAULT), latest.brokerConfig(brokerId));
        } catch (ConfigException | IllegalArgumentException e) {
            LOG.error("Keeping the connection limits in force: {}", e.getMessage());
            return;
        }
        if (next.equals(current)) {
            return;
        }
        current = next;
        LOG.info("Connection limits now: max.connections {}, max.connections.per.ip {} (overrides {}), "
                        + "max.connection.creation.rate {}, per listener max.connections {} and creation rates {}",
                describe(next.maxConnections()), describe(next.maxConnectionsPerIp()),
                next.maxConnectionsPerIpOverrides(), describe(next.maxConnectionCreationRate()),
                next.listenerMaxConnections(), next.listenerMaxConnectionCreationRates());
        if (target != null) {
            target.accept(next);
        }
    }

    /**
     * Why this broker could not take its dynamic configs {@code proposed} (all of them, as they would be after an
     * alteration) for its connection limits, as Kafka's broker validates a reconfiguration before forwarding it:
     * {@code max.connections.per.ip} 0 without overrides, or an override that cannot be parsed or resolved.
     */
    Optional<String> refusal(Map<String, String> proposed) {
        if (proposed.keySet().stream().noneMatch(DynamicConnectionLimits::isConnectionLimit)) {
            return Optional.empty();
        }
        try {
            limits(image.brokerConfig(ImageConfigResolver.CLUSTER_DEFAULT), proposed);
            return Optional.empty();
        } catch (ConfigException | IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** The limits of {@code server.properties} under the two dynamic layers (this broker's over the default). */
    private ConnectionLimits limits(Map<String, String> clusterDefault, Map<String, String> perBroker) {
        Map<String, String> merged = new HashMap<>(staticSettings);
        for (Map<String, String> layer : List.of(clusterDefault, perBroker)) {
            layer.forEach((name, value) -> {
                if (value != null && isConnectionLimit(name)) {
                    merged.put(name, value);
                }
            });
        }
        return ConnectionLimits.of(BrokerConfig.fromMap(merged), listenerNames, interBrokerListener);
    }

    private static String describe(int value) {
        return value == Integer.MAX_VALUE ? "unlimited" : Integer.toString(value);
    }
}
