package io.fjord.broker.verification;

import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/** Metadata images with a {@code __transaction_state} topic whose partition {@code i} is led by node {@code i + 1}. */
final class VerificationImages {
    private VerificationImages() {
    }

    static MetadataImage withTransactionStateLeaders(int... leaders) {
        TreeMap<Integer, PartitionImage> partitions = new TreeMap<>();
        for (int partition = 0; partition < leaders.length; partition++) {
            partitions.put(partition, new PartitionImage(partition, List.of(1, 2, 3), List.of(1, 2, 3),
                    leaders[partition], 1, 0));
        }
        TopicImage topic = new TopicImage(TransactionCoordinatorLookup.TRANSACTION_STATE_TOPIC, new UUID(7, 7),
                partitions);
        return new MetadataImage(10, Map.of(), Map.of(topic.name(), topic), Map.of(topic.topicId(), topic),
                Map.of(), Map.of(), 0);
    }

    /** A transactional id that maps to {@code __transaction_state} partition {@code partition} of {@code count}. */
    static String idOnPartition(int partition, int count, String prefix) {
        for (int i = 0; ; i++) {
            String id = prefix + i;
            if (TransactionCoordinatorLookup.partitionFor(id, count) == partition) {
                return id;
            }
        }
    }
}
