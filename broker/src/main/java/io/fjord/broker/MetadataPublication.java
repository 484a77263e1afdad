package io.fjord.broker;

import io.fjord.metadata.image.MetadataChanges;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.metadata.quorum.ImagePublisher;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes each new image to the publishers (which create or delete logs and carry out leadership changes) and to
 * the cache that request handlers read. An image that creates topics or partitions goes to the publishers first, so
 * a handler never sees a partition whose log does not exist yet; any other goes to the cache first, as Kafka's
 * broker publishes, so that a moved leadership is visible to clients without waiting for the new leaders' disk syncs
 * (a request meanwhile gets NOT_LEADER_OR_FOLLOWER and is retried). Thread-safety: {@link #publish} is
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
        boolean createsPartitions = createsPartitions(previous, current, changes);
        if (!createsPartitions) {
            // As Kafka's broker publishes: the cache first, so that clients learn of moved leaderships without
            // waiting for this node's become-leader steps (a request arriving meanwhile gets a retriable error).
            cache.publish(current);
        }
        long cachedNanos = System.nanoTime();
        for (MetadataPublisher publisher : publishers) {
            publisher.publish(previous, current, changes);
        }
        if (createsPartitions) {
            cache.publish(current);
            cachedNanos = System.nanoTime();
        }
        long elapsedMs = (System.nanoTime() - startNanos) / 1_000_000;
        if (elapsedMs >= LOGGED_MS_MIN) {
            // A slow publication delays what depends on it (new partitions' visibility, leadership changes); the
            // cache's moment is when clients' Metadata could first show the change.
            LOG.info("Published metadata offset {} in {} ms (to the cache after {} ms)", current.offset(), elapsedMs,
                    (cachedNanos - startNanos) / 1_000_000);
        }
    }

    /** Whether {@code current} has a topic or partition that {@code previous} lacked (its logs are created now). */
    static boolean createsPartitions(MetadataImage previous, MetadataImage current, MetadataChanges changes) {
        for (java.util.UUID topicId : changes.changedTopicIds()) {
            TopicImage before = previous.topicsById().get(topicId);
            TopicImage after = current.topicsById().get(topicId);
            if (after != null && (before == null || before.partitions().size() < after.partitions().size())) {
                return true;
            }
        }
        return false;
    }
}
