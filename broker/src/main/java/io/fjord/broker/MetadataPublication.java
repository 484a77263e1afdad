package io.fjord.broker;

import io.fjord.metadata.image.MetadataChanges;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.quorum.ImagePublisher;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes each new image: first to the publishers (which create or delete logs), then to the cache that request
 * handlers read, so a handler never sees a topic whose logs do not exist yet. Thread-safety: {@link #publish} is
 * called only by the metadata publishing thread, in log order; {@link #image} from any thread.
 */
public final class MetadataPublication implements ImagePublisher {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataPublication.class);
    /** A publication taking at least this long is logged. */
    private static final long LOGGED_MS_MIN = 100;

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
        long startNanos = System.nanoTime();
        for (MetadataPublisher publisher : publishers) {
            publisher.publish(previous, current, changes);
        }
        cache.publish(current);
        long elapsedMs = (System.nanoTime() - startNanos) / 1_000_000;
        if (elapsedMs >= LOGGED_MS_MIN) {
            // Clients see a change only once it is published: a slow publication is where the time went.
            LOG.info("Published metadata offset {} in {} ms", current.offset(), elapsedMs);
        }
    }
}
