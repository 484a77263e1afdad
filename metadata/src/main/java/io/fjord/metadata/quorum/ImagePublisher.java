package io.fjord.metadata.quorum;

import io.fjord.metadata.image.MetadataChanges;
import io.fjord.metadata.image.MetadataImage;

/**
 * Receives each new metadata image with the one before it, so it can act on what changed for its node. Called by
 * the {@link MetadataLoader}'s publishing thread only, in log order.
 */
@FunctionalInterface
public interface ImagePublisher {
    void publish(MetadataImage previous, MetadataImage current);

    /**
     * As {@link #publish(MetadataImage, MetadataImage)}, told which entries changed, so the cost can follow the
     * change rather than the cluster's size. The loader calls this one.
     */
    default void publish(MetadataImage previous, MetadataImage current, MetadataChanges changes) {
        publish(previous, current);
    }
}
