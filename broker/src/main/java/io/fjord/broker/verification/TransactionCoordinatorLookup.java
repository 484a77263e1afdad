package io.fjord.broker.verification;

import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Which node coordinates a transactional id, from the metadata image: the leader of the id's
 * {@code __transaction_state} partition ({@code abs(hashCode) % partition count}, Kafka's {@code partitionFor}).
 * Empty while the topic does not exist or the partition has no leader (Kafka answers COORDINATOR_NOT_AVAILABLE then).
 *
 * <p>Stateless; thread-safe.
 */
public final class TransactionCoordinatorLookup {
    public static final String TRANSACTION_STATE_TOPIC = "__transaction_state";

    private TransactionCoordinatorLookup() {
    }

    /** The {@code __transaction_state} partition of {@code transactionalId} among {@code partitionCount}. */
    public static int partitionFor(String transactionalId, int partitionCount) {
        int hash = transactionalId.hashCode();
        // Kafka's Utils.abs: Integer.MIN_VALUE maps to 0, not to itself.
        return (hash == Integer.MIN_VALUE ? 0 : Math.abs(hash)) % partitionCount;
    }

    /** The coordinator's node id for {@code transactionalId}, if the image names one. */
    public static OptionalInt coordinatorFor(MetadataImage image, String transactionalId) {
        Optional<TopicImage> topic = image.topic(TRANSACTION_STATE_TOPIC);
        if (topic.isEmpty() || topic.get().partitions().isEmpty()) {
            return OptionalInt.empty();
        }
        PartitionImage partition = topic.get().partitions().get(partitionFor(transactionalId,
                topic.get().partitions().size()));
        if (partition == null || partition.leader() == PartitionImage.NO_LEADER) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(partition.leader());
    }
}
