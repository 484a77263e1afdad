package io.fjord.broker;

import io.fjord.broker.config.ConfigResolver;
import io.fjord.metadata.image.MetadataImage;
import java.util.Map;

/**
 * The {@link ConfigResolver} of a metadata image: the node's {@code server.properties} under the dynamic broker
 * configs the image holds for this node (resource name = node id) and for the whole cluster (resource name empty).
 * Remembers the last resolver, since dynamic broker configs change far less often than images. Thread-safe (the
 * remembered resolver is an immutable value behind a volatile reference).
 */
public final class ImageConfigResolver {
    /** The resource name of the cluster-wide dynamic broker defaults. */
    public static final String CLUSTER_DEFAULT = "";

    private final ConfigResolver staticResolver;
    private final int nodeId;
    private volatile Resolved last;

    private record Resolved(Map<String, String> perBroker, Map<String, String> clusterDefault,
                            ConfigResolver resolver) {
    }

    /**
     * @param staticResolver the resolver of {@code server.properties} alone
     * @param nodeId         this node's id, whose per-broker dynamic configs apply
     */
    public ImageConfigResolver(ConfigResolver staticResolver, int nodeId) {
        this.staticResolver = staticResolver;
        this.nodeId = nodeId;
    }

    public int nodeId() {
        return nodeId;
    }

    /** This node's per-broker dynamic configs in {@code image}. */
    public Map<String, String> perBrokerConfigs(MetadataImage image) {
        return image.brokerConfig(Integer.toString(nodeId));
    }

    /** Whether this node's effective broker configs differ between the two images. */
    public boolean brokerConfigsChanged(MetadataImage previous, MetadataImage current) {
        return !perBrokerConfigs(previous).equals(perBrokerConfigs(current))
                || !previous.brokerConfig(CLUSTER_DEFAULT).equals(current.brokerConfig(CLUSTER_DEFAULT));
    }

    /** The resolver for {@code image}. */
    public ConfigResolver resolve(MetadataImage image) {
        Map<String, String> perBroker = perBrokerConfigs(image);
        Map<String, String> clusterDefault = image.brokerConfig(CLUSTER_DEFAULT);
        Resolved remembered = last;
        if (remembered != null && remembered.perBroker().equals(perBroker)
                && remembered.clusterDefault().equals(clusterDefault)) {
            return remembered.resolver();
        }
        ConfigResolver resolver = staticResolver.withDynamic(perBroker, clusterDefault);
        last = new Resolved(perBroker, clusterDefault, resolver);
        return resolver;
    }
}
