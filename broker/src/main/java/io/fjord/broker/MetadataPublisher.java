package io.fjord.broker;

import io.fjord.metadata.image.MetadataChanges;
import io.fjord.metadata.image.MetadataImage;

/**
 * Reacts to a newly applied image (creating logs, deleting them). Called on the metadata publishing thread, in log
 * order.
 */
@FunctionalInterface
public interface MetadataPublisher {
    void publish(MetadataImage previous, MetadataImage current);

    /** As {@link #publish(MetadataImage, MetadataImage)}, told which entries changed; publication calls this one. */
    default void publish(MetadataImage previous, MetadataImage current, MetadataChanges changes) {
        publish(previous, current);
    }
}
