package io.fjord.broker.coordinator.group;

import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * The cluster's topics as the KIP-848 consumer groups need them: names, ids and partition counts (target assignments
 * are computed from them) and every topic name (subscription regular expressions are matched against them). The
 * driver implements it over its metadata image and passes a new view to
 * {@link GroupCoordinatorShard#onMetadataUpdate} when the image changes. Implementations must answer from one
 * immutable image without blocking.
 */
public interface TopicMetadataView extends TopicIdResolver {
    /** The topic's number of partitions, or -1 when no topic has this id. */
    int partitionCount(UUID topicId);

    /** Every topic's name, internal topics included (the coordinator leaves those out of regex matches). */
    Collection<String> topicNames();

    /**
     * The version of the image the view shows (the metadata log offset), recorded with resolved regular expressions.
     */
    long metadataVersion();

    /** A view that knows no topic. */
    TopicMetadataView EMPTY = of(TopicIdResolver.NONE);

    /** The view of a resolver: itself when it is one, else names and ids only, without partitions. */
    static TopicMetadataView of(TopicIdResolver resolver) {
        if (resolver instanceof TopicMetadataView view) {
            return view;
        }
        return new TopicMetadataView() {
            @Override
            public String topicName(UUID topicId) {
                return resolver.topicName(topicId);
            }

            @Override
            public UUID topicId(String topicName) {
                return resolver.topicId(topicName);
            }

            @Override
            public int partitionCount(UUID topicId) {
                return -1;
            }

            @Override
            public Collection<String> topicNames() {
                return List.of();
            }

            @Override
            public long metadataVersion() {
                return -1L;
            }
        };
    }
}
