package io.fjord.broker;

import io.fjord.metadata.image.MetadataChanges;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.quorum.ImagePublisher;
import java.util.List;

/**
 * Publishes each new image: first to the publishers (which create or delete logs), then to the cache that request
 * handlers read, so a handler never sees a topic whose logs do not exist yet. Thread-safety: {@link #publish} is
 * called only by the metadata publishing thread, in log order; {@link #image} from any thread.
 */
public final class MetadataPublication implements ImagePublisher {
    private final MetadataCache cache;
    private final List<MetadataPublisher> publishers;

    public MetadataPublication(MetadataCache cache, List<MetadataPublisher> publishers) {
        this.cache = cache;
        this.publishers = List.copyOf(publishers);
    }

    public MetadataImage image() {
        return cache.image();
    }

    @Override
    public void publish(MetadataImage previous, MetadataImage current) {
        publish(previous, current, MetadataChanges.between(previous, current));
    }

    @Override
    public void publish(MetadataImage previous, MetadataImage current, MetadataChanges changes) {
        for (MetadataPublisher publisher : publishers) {
            publisher.publish(previous, current, changes);
        }
        cache.publish(current);
    }
}
