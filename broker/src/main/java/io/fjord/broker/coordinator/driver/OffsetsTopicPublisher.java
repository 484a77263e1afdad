package io.fjord.broker.coordinator.driver;

import io.fjord.broker.MetadataPublisher;
import io.fjord.broker.coordinator.runtime.CoordinatorLeaderships;
import io.fjord.broker.coordinator.group.OffsetsPartitions;
import io.fjord.metadata.image.MetadataChanges;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.TopicImage;
import java.util.Optional;
import java.util.UUID;

/**
 * Tells the group coordinator driver which {@code __consumer_offsets} partitions this node leads, from each new
 * metadata image: elected for a partition it now leads (or leads at a new leader epoch), resigned for one it led and no
 * longer does (leader moved, topic deleted); and, when topics were created, deleted or given partitions, the new
 * topics (KIP-848 groups assign and match regexes from them); and the group configs when they
 * changed. Must follow the log publisher, so the partition's log exists when loading
 * starts. Called on the controller thread, in order; keeps no state of its own (it compares the two images).
 */
public final class OffsetsTopicPublisher implements MetadataPublisher {
    private final int nodeId;
    private final GroupCoordinatorDriver driver;

    public OffsetsTopicPublisher(int nodeId, GroupCoordinatorDriver driver) {
        this.nodeId = nodeId;
        this.driver = driver;
    }

    @Override
    public void publish(MetadataImage previous, MetadataImage current) {
        publish(previous, current, MetadataChanges.between(previous, current));
    }

    @Override
    public void publish(MetadataImage previous, MetadataImage current, MetadataChanges changes) {
        CoordinatorLeaderships.publish(previous, current, OffsetsPartitions.TOPIC, nodeId, driver);
        if (!changes.changedGroupConfigs().isEmpty() && !previous.groupConfigs().equals(current.groupConfigs())) {
            driver.onGroupConfigsUpdate(current.groupConfigs());
        }
        if (topicsDiffer(previous, current, changes)) {
            driver.onMetadataUpdate(new ImageTopicMetadata(current));
        }
    }

    /** {@link ImageTopicMetadata#topicsDiffer} over the changed topics only: one removed, new or resized. */
    private static boolean topicsDiffer(MetadataImage previous, MetadataImage current, MetadataChanges changes) {
        if (!changes.removedTopicIds().isEmpty()) {
            return true;
        }
        for (UUID topicId : changes.changedTopicIds()) {
            Optional<TopicImage> before = previous.topic(topicId);
            Optional<TopicImage> after = current.topic(topicId);
            if (before.isEmpty() || after.isEmpty()
                    || before.get().partitionCount() != after.get().partitionCount()) {
                return true;
            }
        }
        return false;
    }
}
