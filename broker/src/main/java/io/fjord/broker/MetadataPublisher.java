package io.fjord.broker;

import io.fjord.metadata.image.MetadataImage;

/** Reacts to a newly applied image (creating logs, deleting them). Called on the controller thread, in order. */
@FunctionalInterface
public interface MetadataPublisher {
    void publish(MetadataImage previous, MetadataImage current);
}
