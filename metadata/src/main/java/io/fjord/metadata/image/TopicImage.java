package io.fjord.metadata.image;

import java.util.NavigableMap;
import java.util.UUID;
import org.pcollections.TreePMap;

/**
 * A topic: name, id and partitions by number. Immutable. The partitions are a persistent sorted map, so a changed
 * partition makes a new topic image in O(log n) that shares the other partitions with this one.
 */
public record TopicImage(String name, UUID topicId, NavigableMap<Integer, PartitionImage> partitions) {
    public TopicImage {
        partitions = partitions instanceof TreePMap<Integer, PartitionImage> persistent ? persistent
                : TreePMap.from(partitions);
    }

    public int partitionCount() {
        return partitions.size();
    }

    /** This topic with one partition added or replaced. */
    public TopicImage withPartition(PartitionImage partition) {
        return new TopicImage(name, topicId, ((TreePMap<Integer, PartitionImage>) partitions)
                .plus(partition.partitionId(), partition));
    }
}
