package io.fjord.broker.coordinator.driver;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The consumer groups' view of an image, and which image changes they must hear about. */
class ImageTopicMetadataTest {
    private static TopicImage topic(String name, UUID id, int partitions) {
        TreeMap<Integer, PartitionImage> byIndex = new TreeMap<>();
        for (int index = 0; index < partitions; index++) {
            byIndex.put(index, new PartitionImage(index, List.of(1), List.of(1), 1, 0, 0));
        }
        return new TopicImage(name, id, byIndex);
    }

    private static MetadataImage image(long offset, TopicImage... topics) {
        Map<String, TopicImage> byName = new HashMap<>();
        Map<UUID, TopicImage> byId = new HashMap<>();
        for (TopicImage topic : topics) {
            byName.put(topic.name(), topic);
            byId.put(topic.topicId(), topic);
        }
        return new MetadataImage(offset, Map.of(), byName, byId, Map.of(), Map.of(), 0);
    }

    @Test
    void namesIdsPartitionCountsAndTheOffsetAsVersion() {
        UUID ordersId = UUID.randomUUID();
        ImageTopicMetadata view = new ImageTopicMetadata(image(42, topic("orders", ordersId, 3),
                topic("__consumer_offsets", UUID.randomUUID(), 50)));
        assertThat(view.topicId("orders")).isEqualTo(ordersId);
        assertThat(view.topicName(ordersId)).isEqualTo("orders");
        assertThat(view.partitionCount(ordersId)).isEqualTo(3);
        assertThat(view.partitionCount(UUID.randomUUID())).isEqualTo(-1);
        assertThat(view.topicId("missing")).isNull();
        assertThat(view.topicNames()).containsExactlyInAnyOrder("orders", "__consumer_offsets");
        assertThat(view.metadataVersion()).isEqualTo(42);
    }

    @Test
    void onlyTopicCreationDeletionRecreationAndNewPartitionsCount() {
        UUID ordersId = UUID.randomUUID();
        MetadataImage before = image(1, topic("orders", ordersId, 3));
        assertThat(ImageTopicMetadata.topicsDiffer(before, image(2, topic("orders", ordersId, 3)))).isFalse();
        assertThat(ImageTopicMetadata.topicsDiffer(before, image(2, topic("orders", ordersId, 4)))).isTrue();
        assertThat(ImageTopicMetadata.topicsDiffer(before, image(2, topic("orders", UUID.randomUUID(), 3))))
                .isTrue();
        assertThat(ImageTopicMetadata.topicsDiffer(before, image(2))).isTrue();
        assertThat(ImageTopicMetadata.topicsDiffer(before, image(2, topic("orders", ordersId, 3),
                topic("payments", UUID.randomUUID(), 1)))).isTrue();
    }
}
