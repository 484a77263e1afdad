package io.fjord.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.metadata.image.MetadataChanges;
import io.fjord.metadata.image.MetadataDelta;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.PartitionChangeRecord;
import io.fjord.metadata.records.PartitionRecord;
import io.fjord.metadata.records.TopicRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The order of a publication: an image that creates partitions reaches the publishers (the logs) before the cache, so
 * no handler sees a partition without its log; any other reaches the cache first, as Kafka's broker publishes, so a
 * moved leadership is visible before this node's become-leader steps finish.
 */
class MetadataPublicationTest {
    private static final UUID TOPIC = UUID.randomUUID();

    private final MetadataCache cache = new MetadataCache("cluster", 1, MetadataImage.EMPTY);
    /** The cache's offset as each publication's publisher saw it. */
    private final List<Long> cacheOffsetsSeenByPublisher = new ArrayList<>();
    private final MetadataPublication publication = new MetadataPublication(cache, List.of(new MetadataPublisher() {
        @Override
        public void publish(MetadataImage previous, MetadataImage current) {
            cacheOffsetsSeenByPublisher.add(cache.image().offset());
        }
    }));
    private MetadataImage image = MetadataImage.EMPTY;
    private long offset;

    private MetadataImage publish(MetadataRecord... records) {
        MetadataDelta delta = new MetadataDelta(image);
        for (MetadataRecord record : records) {
            delta.replay(record, ++offset);
        }
        MetadataImage previous = image;
        image = delta.apply();
        publication.publish(previous, image, delta.changes());
        return image;
    }

    private static PartitionRecord partition(int partitionId) {
        return new PartitionRecord(TOPIC, partitionId, List.of(1, 2), List.of(1, 2), 1, 0, 0, List.of(), List.of(),
                PartitionRecord.RECOVERED, List.of(), List.of());
    }

    @Test
    void aNewTopicOrPartitionReachesTheLogsBeforeTheCacheAndALeadershipChangeTheCacheFirst() {
        MetadataImage created = publish(new TopicRecord("topic", TOPIC), partition(0));
        MetadataImage moved = publish(new PartitionChangeRecord(TOPIC, 0, List.of(2), 2));
        MetadataImage grown = publish(partition(1));

        assertThat(cacheOffsetsSeenByPublisher).containsExactly(
                MetadataImage.EMPTY.offset(), // created: the logs first, the cache still had the empty image
                moved.offset(), // a leadership change: the cache already had it
                moved.offset()); // a new partition: the logs first again
        assertThat(created.offset()).isLessThan(moved.offset());
        assertThat(cache.image()).isSameAs(grown);
    }

    @Test
    void onlyAddedTopicsAndPartitionsCountAsCreations() {
        MetadataImage empty = image;
        MetadataImage created = publish(new TopicRecord("topic", TOPIC), partition(0));
        MetadataChanges creation = MetadataChanges.between(empty, created);
        assertThat(MetadataPublication.createsPartitions(empty, created, creation)).isTrue();
        MetadataImage moved = publish(new PartitionChangeRecord(TOPIC, 0, List.of(2), 2));
        assertThat(MetadataPublication.createsPartitions(created, moved, MetadataChanges.between(created, moved)))
                .isFalse();
        assertThat(MetadataPublication.createsPartitions(created, empty, MetadataChanges.between(created, empty)))
                .as("a deletion").isFalse();
    }
}
