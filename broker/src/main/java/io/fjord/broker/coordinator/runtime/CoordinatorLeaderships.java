package io.fjord.broker.coordinator.runtime;

import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Which partitions of a coordinator's internal topic a node leads, compared between two metadata images: the
 * partitions it no longer leads (leader moved, topic deleted) are resigned, those it now leads or leads at a new
 * leader epoch are elected, and a partition of a topic deleted and created again is resigned then elected. Both
 * coordinators' metadata publishers use it. Stateless; thread-safe.
 */
public final class CoordinatorLeaderships {

    /** What a coordinator driver does with a change of leadership. */
    public interface Listener {
        void onElected(int partition, int leaderEpoch);

        void onResigned(int partition);
    }

    private record Leadership(UUID topicId, int leaderEpoch) {
    }

    private CoordinatorLeaderships() {
    }

    /** Tells {@code listener} how this node's leaderships of {@code topic}'s partitions changed. */
    public static void publish(MetadataImage previous, MetadataImage current, String topic, int nodeId,
                               Listener listener) {
        Map<Integer, Leadership> before = ledPartitions(previous, topic, nodeId);
        Map<Integer, Leadership> after = ledPartitions(current, topic, nodeId);
        before.forEach((partition, leadership) -> {
            if (!after.containsKey(partition)) {
                listener.onResigned(partition);
            }
        });
        after.forEach((partition, leadership) -> {
            Leadership old = before.get(partition);
            if (old != null && !old.topicId().equals(leadership.topicId())) {
                listener.onResigned(partition); // the topic was deleted and created again
            }
            if (!leadership.equals(old)) {
                listener.onElected(partition, leadership.leaderEpoch());
            }
        });
    }

    private static Map<Integer, Leadership> ledPartitions(MetadataImage image, String topicName, int nodeId) {
        Map<Integer, Leadership> led = new TreeMap<>();
        Optional<TopicImage> topic = image.topic(topicName);
        if (topic.isEmpty()) {
            return led;
        }
        for (PartitionImage partition : topic.get().partitions().values()) {
            if (partition.leader() == nodeId) {
                led.put(partition.partitionId(), new Leadership(topic.get().topicId(), partition.leaderEpoch()));
            }
        }
        return led;
    }
}
