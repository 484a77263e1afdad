package io.fjord.broker.coordinator.driver;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.coordinator.group.TopicMetadataView;
import java.util.Collection;
import java.util.UUID;

/**
 * The topics of the node's current metadata image, read afresh on every call (OffsetCommit and OffsetFetch resolve
 * topic ids with it; a shard's consumer groups start from it until the driver hands them an
 * {@link ImageTopicMetadata} of a published image). Thread-safe (reads one immutable image per call).
 */
public final class ImageTopicIds implements TopicMetadataView {
    private final MetadataCache cache;

    public ImageTopicIds(MetadataCache cache) {
        this.cache = cache;
    }

    /** The topics of the current image, fixed. */
    public ImageTopicMetadata snapshot() {
        return new ImageTopicMetadata(cache.image());
    }

    @Override
    public String topicName(UUID topicId) {
        return snapshot().topicName(topicId);
    }

    @Override
    public UUID topicId(String topicName) {
        return snapshot().topicId(topicName);
    }

    @Override
    public int partitionCount(UUID topicId) {
        return snapshot().partitionCount(topicId);
    }

    @Override
    public Collection<String> topicNames() {
        return snapshot().topicNames();
    }

    @Override
    public long metadataVersion() {
        return snapshot().metadataVersion();
    }
}
