package io.fjord.broker.coordinator.markers;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.coordinator.transaction.TransactionPartition;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * Partition leaders from the broker's current metadata image, as Kafka's channel finds them in its metadata cache: a
 * partition the image does not have is deleted; one without a leader, or whose leader has no address on the
 * inter-broker listener, waits for one. Thread-safe (reads the cache's current immutable image).
 */
public final class ImagePartitionLeaders implements PartitionLeaders {
    private final MetadataCache cache;
    private final IntFunction<Optional<InetSocketAddress>> brokerAddresses;

    /**
     * @param brokerAddresses a broker's address on the inter-broker listener, empty when it has none
     */
    public ImagePartitionLeaders(MetadataCache cache, IntFunction<Optional<InetSocketAddress>> brokerAddresses) {
        this.cache = cache;
        this.brokerAddresses = brokerAddresses;
    }

    @Override
    public int leaderOf(TransactionPartition partition) {
        Optional<TopicImage> topic = cache.image().topic(partition.topic());
        PartitionImage image = topic.map(found -> found.partitions().get(partition.partition())).orElse(null);
        if (image == null) {
            return PARTITION_DELETED;
        }
        if (image.leader() == PartitionImage.NO_LEADER || brokerAddresses.apply(image.leader()).isEmpty()) {
            return LEADER_UNKNOWN;
        }
        return image.leader();
    }
}
