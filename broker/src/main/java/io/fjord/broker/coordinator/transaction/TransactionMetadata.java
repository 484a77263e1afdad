package io.fjord.broker.coordinator.transaction;

import io.fjord.broker.coordinator.group.records.CoordinatorRecordException;
import io.fjord.broker.coordinator.transaction.records.TransactionLogValue;
import io.fjord.broker.coordinator.transaction.records.TransactionPartitions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The durable state of one transactional id: exactly what its latest {@code __transaction_state} record says.
 * Immutable; a transition makes a new one.
 *
 * @param previousProducerId the producer id before the last rotation, -1 when none (KIP-360 retries, KIP-890)
 * @param nextProducerId the producer id a TV2 transaction ending at an exhausted epoch moves to, -1 when none
 * @param startTimestampMs when the current transaction started, -1 when none
 * @param clientTransactionVersion the transaction version the client used for the current transaction (0 or 2)
 */
public record TransactionMetadata(String transactionalId, long producerId, long previousProducerId,
        long nextProducerId, short producerEpoch, short nextProducerEpoch, int timeoutMs, TransactionState state,
        SortedSet<TransactionPartition> partitions, long startTimestampMs, long lastUpdateTimestampMs,
        short clientTransactionVersion) {
    public static final long NO_PRODUCER_ID = -1L;
    public static final short NO_PRODUCER_EPOCH = -1;

    public TransactionMetadata {
        partitions = Collections.unmodifiableSortedSet(new TreeSet<>(partitions));
    }

    /** Kafka's rule: from epoch {@code Short.MAX_VALUE - 1} on, a producer id has no epochs left to hand out. */
    public static boolean isEpochExhausted(short epoch) {
        return epoch >= Short.MAX_VALUE - 1;
    }

    public boolean isEpochExhausted() {
        return isEpochExhausted(producerEpoch);
    }

    /** Whether this transaction uses KIP-890 part 2: an epoch bump at every end. */
    public boolean isTransactionVersion2() {
        return clientTransactionVersion >= 2;
    }

    /** The metadata a record describes. */
    public static TransactionMetadata fromRecord(String transactionalId, TransactionLogValue value) {
        TransactionState state = TransactionState.forId(value.transactionStatus());
        if (state == null) {
            throw new CoordinatorRecordException("unknown transaction state " + value.transactionStatus() + " of "
                    + transactionalId);
        }
        SortedSet<TransactionPartition> partitions = new TreeSet<>();
        if (value.partitions() != null) {
            for (TransactionPartitions topic : value.partitions()) {
                for (int partition : topic.partitionIds()) {
                    partitions.add(new TransactionPartition(topic.topic(), partition));
                }
            }
        }
        return new TransactionMetadata(transactionalId, value.producerId(), value.previousProducerId(),
                value.nextProducerId(), value.producerEpoch(), value.nextProducerEpoch(),
                value.transactionTimeoutMs(), state, partitions, value.startTimestampMs(),
                value.lastUpdateTimestampMs(), value.clientTransactionVersion());
    }

    /** The record value of this metadata in {@code version}; Empty has a null partition list, as Kafka writes. */
    public TransactionLogValue toValue(short version) {
        if (state == TransactionState.EMPTY && !partitions.isEmpty()) {
            throw new IllegalStateException("an Empty transaction with partitions: " + this);
        }
        return new TransactionLogValue(version, producerId, previousProducerId, nextProducerId, producerEpoch,
                nextProducerEpoch, timeoutMs, state.id(), state == TransactionState.EMPTY ? null : byTopic(),
                lastUpdateTimestampMs, startTimestampMs, clientTransactionVersion);
    }

    private List<TransactionPartitions> byTopic() {
        Map<String, List<Integer>> topics = new LinkedHashMap<>();
        for (TransactionPartition partition : partitions) {
            topics.computeIfAbsent(partition.topic(), topic -> new ArrayList<>()).add(partition.partition());
        }
        List<TransactionPartitions> result = new ArrayList<>(topics.size());
        topics.forEach((topic, ids) -> result.add(new TransactionPartitions(topic, ids)));
        return result;
    }

    /** A copy in another state, stamped at {@code nowMs}; the other fields come from the {@code with} calls. */
    public TransactionMetadata withState(TransactionState newState, long nowMs) {
        return new TransactionMetadata(transactionalId, producerId, previousProducerId, nextProducerId,
                producerEpoch, nextProducerEpoch, timeoutMs, newState, partitions, startTimestampMs, nowMs,
                clientTransactionVersion);
    }

    public TransactionMetadata withProducer(long newProducerId, long newPreviousProducerId, long newNextProducerId,
            short newEpoch) {
        return new TransactionMetadata(transactionalId, newProducerId, newPreviousProducerId, newNextProducerId,
                newEpoch, nextProducerEpoch, timeoutMs, state, partitions, startTimestampMs, lastUpdateTimestampMs,
                clientTransactionVersion);
    }

    public TransactionMetadata withEpoch(short newEpoch) {
        return withProducer(producerId, previousProducerId, nextProducerId, newEpoch);
    }

    public TransactionMetadata withTransaction(SortedSet<TransactionPartition> newPartitions, long newStartMs,
            short newClientTransactionVersion) {
        return new TransactionMetadata(transactionalId, producerId, previousProducerId, nextProducerId,
                producerEpoch, nextProducerEpoch, timeoutMs, state, newPartitions, newStartMs, lastUpdateTimestampMs,
                newClientTransactionVersion);
    }

    public TransactionMetadata withTimeoutMs(int newTimeoutMs) {
        return new TransactionMetadata(transactionalId, producerId, previousProducerId, nextProducerId,
                producerEpoch, nextProducerEpoch, newTimeoutMs, state, partitions, startTimestampMs,
                lastUpdateTimestampMs, clientTransactionVersion);
    }
}
