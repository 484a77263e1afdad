package io.fjord.broker.coordinator.transactiondriver;

import io.fjord.broker.MetadataPublisher;
import io.fjord.broker.coordinator.runtime.CoordinatorLeaderships;
import io.fjord.metadata.image.MetadataChanges;
import io.fjord.metadata.image.MetadataImage;

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
        CoordinatorLeaderships.publish(previous, current, TransactionStateTopicConfig.TOPIC, nodeId, driver);
    }
}
