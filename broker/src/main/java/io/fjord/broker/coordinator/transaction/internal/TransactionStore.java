package io.fjord.broker.coordinator.transaction.internal;

import io.fjord.broker.coordinator.transaction.TransactionMetadata;
import io.fjord.broker.coordinator.transaction.TransactionPartition;
import io.fjord.broker.coordinator.transaction.records.TransactionRecord;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The transactional ids of one {@code __transaction_state} partition. Their durable metadata changes only by
 * {@link #replay}. Beside it, each id may carry Kafka's in-memory-only "last producer epoch" (never written to the
 * log, so lost on a change of coordinator exactly as in Kafka), which lets a producer retrying a KIP-360
 * InitProducerId whose answer it lost get its epoch back instead of being fenced; and, while a transaction is
 * preparing, the partitions whose marker is written (Kafka removes them from the transaction in memory only: a new
 * coordinator loads the Prepare record with every partition and writes every marker again).
 *
 * <p>Not thread-safe: owned by the shard's thread.
 */
public final class TransactionStore {
    private final Map<String, TransactionMetadata> transactions = new HashMap<>();
    private final Map<String, Short> lastProducerEpochs = new HashMap<>();
    private final Map<String, Set<TransactionPartition>> markedPartitions = new HashMap<>();

    /** Applies one record: a value replaces the id's metadata, a tombstone removes the id. */
    public void replay(TransactionRecord record) {
        // Any record of the id starts a new state: the markers written for the previous one no longer count.
        markedPartitions.remove(record.transactionalId());
        if (record.isTombstone()) {
            transactions.remove(record.transactionalId());
            lastProducerEpochs.remove(record.transactionalId());
            return;
        }
        transactions.put(record.transactionalId(),
                TransactionMetadata.fromRecord(record.transactionalId(), record.value()));
    }

    public TransactionMetadata get(String transactionalId) {
        return transactions.get(transactionalId);
    }

    public Collection<TransactionMetadata> all() {
        return transactions.values();
    }

    /** Kafka's last producer epoch of the id, -1 when unknown. */
    public short lastProducerEpoch(String transactionalId) {
        return lastProducerEpochs.getOrDefault(transactionalId, TransactionMetadata.NO_PRODUCER_EPOCH);
    }

    void setLastProducerEpoch(String transactionalId, short epoch) {
        if (epoch == TransactionMetadata.NO_PRODUCER_EPOCH) {
            lastProducerEpochs.remove(transactionalId);
        } else {
            lastProducerEpochs.put(transactionalId, epoch);
        }
    }

    /** The partitions of the id's preparing transaction whose marker is written (in memory only). */
    public Set<TransactionPartition> markedPartitions(String transactionalId) {
        return markedPartitions.getOrDefault(transactionalId, Set.of());
    }

    void markPartition(String transactionalId, TransactionPartition partition) {
        markedPartitions.computeIfAbsent(transactionalId, key -> new HashSet<>()).add(partition);
    }

    /** The durable state in id order: equal for stores that applied the same records. */
    public Map<String, TransactionMetadata> durableState() {
        return new TreeMap<>(transactions);
    }
}
