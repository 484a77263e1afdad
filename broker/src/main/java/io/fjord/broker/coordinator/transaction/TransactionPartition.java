package io.fjord.broker.coordinator.transaction;

import java.util.Comparator;

/** A partition taking part in a transaction. Immutable. */
public record TransactionPartition(String topic, int partition) implements Comparable<TransactionPartition> {
    private static final Comparator<TransactionPartition> ORDER = Comparator.comparing(TransactionPartition::topic)
            .thenComparingInt(TransactionPartition::partition);

    @Override
    public int compareTo(TransactionPartition other) {
        return ORDER.compare(this, other);
    }
}
