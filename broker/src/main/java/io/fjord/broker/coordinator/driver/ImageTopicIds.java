package io.fjord.broker.coordinator.driver;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.coordinator.group.TopicIdResolver;
import io.fjord.metadata.image.TopicImage;
import java.util.UUID;

/** Topic names and ids from the node's current metadata image. Thread-safe (reads one immutable image per call). */
public final class ImageTopicIds implements TopicIdResolver {
    private final MetadataCache cache;

    public ImageTopicIds(MetadataCache cache) {
        this.cache = cache;
    }

    @Override
    public String topicName(UUID topicId) {
        return cache.image().topic(topicId).map(TopicImage::name).orElse(null);
    }

    @Override
    public UUID topicId(String topicName) {
        return cache.image().topic(topicName).map(TopicImage::topicId).orElse(null);
    }
}
