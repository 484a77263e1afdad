package io.fjord.metadata.quorum;

import io.fjord.metadata.image.MetadataImage;

/**
 * Receives each new metadata image with the one before it, so it can act on what changed for its node. Called by
 * the {@link MetadataLoader}'s thread only, in log order.
 */
@FunctionalInterface
public interface ImagePublisher {
    void publish(MetadataImage previous, MetadataImage current);
}
