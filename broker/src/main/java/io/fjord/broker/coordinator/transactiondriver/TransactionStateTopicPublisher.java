package io.fjord.broker.coordinator.transactiondriver;

import io.fjord.broker.MetadataPublisher;
import io.fjord.metadata.image.MetadataChanges;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Tells the transaction coordinator driver which {@code __transaction_state} partitions this node leads, from each
 * new metadata image: elected for a partition it now leads (or leads at a new leader epoch, the shard's coordinator
 * epoch), resigned for one it led and no longer does (leader moved, topic deleted). Must follow the log publisher, so
 * the partition's log exists when loading starts. Called on the metadata publishing thread, in order; keeps no state
 * of its own (it compares the two images).
 */
public final class TransactionStateTopicPublisher implements MetadataPublisher {
    private final int nodeId;
    private final TransactionCoordinatorDriver driver;

    public TransactionStateTopicPublisher(int nodeId, TransactionCoordinatorDriver driver) {
        this.nodeId = nodeId;
        this.driver = driver;
    }

    @Override
    public void publish(MetadataImage previous, MetadataImage current) {
        publish(previous, current, MetadataChanges.between(previous, current));
    }

    @Override
    public void publish(MetadataImage previous, MetadataImage current, MetadataChanges changes) {
        Map<Integer, Leadership> before = ledPartitions(previous);
        Map<Integer, Leadership> after = ledPartitions(current);
        before.forEach((partition, leadership) -> {
            if (!after.containsKey(partition)) {
                driver.onResigned(partition);
            }
        });
        after.forEach((partition, leadership) -> {
            Leadership old = before.get(partition);
            if (old != null && !old.topicId().equals(leadership.topicId())) {
                driver.onResigned(partition); // the topic was deleted and created again
            }
            if (!leadership.equals(old)) {
                driver.onElected(partition, leadership.leaderEpoch());
            }
        });
    }

    private record Leadership(UUID topicId, int leaderEpoch) {
    }

    /** The transaction log partitions this node leads in the image. */
    private Map<Integer, Leadership> ledPartitions(MetadataImage image) {
        Map<Integer, Leadership> led = new TreeMap<>();
        Optional<TopicImage> topic = image.topic(TransactionStateTopicConfig.TOPIC);
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
