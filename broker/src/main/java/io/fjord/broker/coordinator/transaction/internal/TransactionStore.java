package io.fjord.broker.coordinator.transaction.internal;

import io.fjord.broker.coordinator.transaction.TransactionMetadata;
import io.fjord.broker.coordinator.transaction.records.TransactionRecord;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The transactional ids of one {@code __transaction_state} partition. Their durable metadata changes only by
 * {@link #replay}. Beside it, each id may carry Kafka's in-memory-only "last producer epoch" (never written to the
 * log, so lost on a change of coordinator exactly as in Kafka), which lets a producer retrying a KIP-360
 * InitProducerId whose answer it lost get its epoch back instead of being fenced.
 *
 * <p>Not thread-safe: owned by the shard's thread.
 */
public final class TransactionStore {
    private final Map<String, TransactionMetadata> transactions = new HashMap<>();
    private final Map<String, Short> lastProducerEpochs = new HashMap<>();

    /** Applies one record: a value replaces the id's metadata, a tombstone removes the id. */
    public void replay(TransactionRecord record) {
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

    /** The durable state in id order: equal for stores that applied the same records. */
    public Map<String, TransactionMetadata> durableState() {
        return new TreeMap<>(transactions);
    }
}
