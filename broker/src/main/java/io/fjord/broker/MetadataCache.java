package io.fjord.broker;

import io.fjord.metadata.image.MetadataImage;

/**
 * The newest metadata image this node has applied, with the node's identity. Readers take one image and work on
 * it; the controller service publishes a new one after each durable change. Thread-safe (a volatile reference to an
 * immutable image).
 */
public final class MetadataCache {
    private final String clusterId;
    private final int nodeId;
    private volatile MetadataImage image;

    public MetadataCache(String clusterId, int nodeId, MetadataImage initial) {
        this.clusterId = clusterId;
        this.nodeId = nodeId;
        this.image = initial;
    }

    public String clusterId() {
        return clusterId;
    }

    public int nodeId() {
        return nodeId;
    }

    public MetadataImage image() {
        return image;
    }

    void publish(MetadataImage newImage) {
        this.image = newImage;
    }
}
