package io.fjord.metadata.image;

import java.util.Collections;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.UUID;

/** A topic: name, id and partitions by number. Immutable. */
public record TopicImage(String name, UUID topicId, NavigableMap<Integer, PartitionImage> partitions) {
    public TopicImage {
        partitions = Collections.unmodifiableNavigableMap(new TreeMap<>(partitions));
    }

    public int partitionCount() {
        return partitions.size();
    }
}
