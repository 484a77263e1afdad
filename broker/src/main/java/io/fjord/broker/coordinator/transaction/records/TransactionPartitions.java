package io.fjord.broker.coordinator.transaction.records;

import java.util.List;

/**
 * One topic's partitions in a transaction, Kafka's {@code PartitionsSchema} of {@code TransactionLogValue}.
 * Immutable.
 */
public record TransactionPartitions(String topic, List<Integer> partitionIds) {
    public TransactionPartitions {
        partitionIds = List.copyOf(partitionIds);
    }
}
