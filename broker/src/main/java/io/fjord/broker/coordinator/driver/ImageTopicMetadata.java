package io.fjord.broker.coordinator.driver;

import io.fjord.broker.coordinator.group.TopicMetadataView;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.TopicImage;
import java.util.Collection;
import java.util.UUID;

/**
 * The topics of one metadata image as the KIP-848 consumer groups see them: names, ids, partition counts, every
 * name (internal topics included; the coordinator keeps them out of regex matches) and the image's metadata log
 * offset as its version. Immutable and thread-safe (the image is).
 */
public final class ImageTopicMetadata implements TopicMetadataView {
    private final MetadataImage image;

    public ImageTopicMetadata(MetadataImage image) {
        this.image = image;
    }

    @Override
    public String topicName(UUID topicId) {
        return image.topic(topicId).map(TopicImage::name).orElse(null);
    }

    @Override
    public UUID topicId(String topicName) {
        return image.topic(topicName).map(TopicImage::topicId).orElse(null);
    }

    @Override
    public int partitionCount(UUID topicId) {
        return image.topic(topicId).map(TopicImage::partitionCount).orElse(-1);
    }

    @Override
    public Collection<String> topicNames() {
        return image.topicsByName().keySet();
    }

    @Override
    public long metadataVersion() {
        return image.offset();
    }

    /**
     * Whether the consumer groups could see a difference between the images' topics (one created, deleted or given
     * more partitions): the same names with the same ids and partition counts.
     */
    public static boolean topicsDiffer(MetadataImage previous, MetadataImage current) {
        if (previous.topicsByName().size() != current.topicsByName().size()) {
            return true;
        }
        for (TopicImage topic : current.topicsByName().values()) {
            TopicImage before = previous.topicsByName().get(topic.name());
            if (before == null || !before.topicId().equals(topic.topicId())
                    || before.partitionCount() != topic.partitionCount()) {
                return true;
            }
        }
        return false;
    }
}
