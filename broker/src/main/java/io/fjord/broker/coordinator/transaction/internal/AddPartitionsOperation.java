package io.fjord.broker.coordinator.transaction.internal;

import io.fjord.broker.coordinator.group.OffsetsPartitions;
import io.fjord.broker.coordinator.transaction.TransactionMetadata;
import io.fjord.broker.coordinator.transaction.TransactionPartition;
import io.fjord.broker.coordinator.transaction.TransactionState;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.AddOffsetsToTxnRequestData;
import io.fjord.protocol.message.AddOffsetsToTxnResponseData;
import io.fjord.protocol.message.AddPartitionsToTxnRequestData;
import io.fjord.protocol.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import io.fjord.protocol.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import io.fjord.protocol.message.AddPartitionsToTxnResponseData;
import io.fjord.protocol.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResult;
import io.fjord.protocol.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnResult;
import io.fjord.protocol.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * AddPartitionsToTxn in both shapes (v0-3 from producers of transaction version 1; the batched v4+ from brokers,
 * whose non-verify form adds partitions for TV2 producers and whose verify-only form checks them, KIP-890) and
 * AddOffsetsToTxn (the group's {@code __consumer_offsets} partition joins the transaction). Authorization and unknown
 * topics are checked by the handler before the shard, as Kafka's request handler does.
 *
 * <p>Not thread-safe: owned by the shard's thread.
 */
public final class AddPartitionsOperation {
    private static final short TRANSACTION_VERSION_1 = 0;
    private static final short TRANSACTION_VERSION_2 = 2;
    private final TransactionStore store;
    private final int offsetsTopicPartitionCount;

    public AddPartitionsOperation(TransactionStore store, int offsetsTopicPartitionCount) {
        this.store = store;
        this.offsetsTopicPartitionCount = offsetsTopicPartitionCount;
    }

    public void addPartitions(AddPartitionsToTxnRequestData request, short apiVersion, TransactionEffects effects) {
        AddPartitionsToTxnResponseData response = new AddPartitionsToTxnResponseData();
        if (apiVersion <= 3) {
            SortedSet<TransactionPartition> partitions = partitionsOf(request.v3AndBelowTopics());
            Errors error = add(request.v3AndBelowTransactionalId(), request.v3AndBelowProducerId(),
                    request.v3AndBelowProducerEpoch(), partitions, TRANSACTION_VERSION_1, effects);
            Errors sent = ProducerErrors.forVersion(error, apiVersion, 2);
            response.setResultsByTopicV3AndBelow(topicResults(partitions, partition -> sent));
        } else {
            for (AddPartitionsToTxnTransaction transaction : request.transactions()) {
                response.resultsByTransaction().add(transaction(transaction, effects));
            }
        }
        effects.respond(response);
    }

    private AddPartitionsToTxnResult transaction(AddPartitionsToTxnTransaction transaction,
            TransactionEffects effects) {
        SortedSet<TransactionPartition> partitions = partitionsOf(transaction.topics());
        List<AddPartitionsToTxnTopicResult> results;
        if (transaction.verifyOnly()) {
            Map<TransactionPartition, Errors> errors = verify(transaction, partitions);
            results = topicResults(partitions, errors::get);
        } else {
            Errors error = add(transaction.transactionalId(), transaction.producerId(), transaction.producerEpoch(),
                    partitions, TRANSACTION_VERSION_2, effects);
            results = topicResults(partitions, partition -> error);
        }
        return new AddPartitionsToTxnResult().setTransactionalId(transaction.transactionalId())
                .setTopicResults(results);
    }

    public void addOffsets(AddOffsetsToTxnRequestData request, short apiVersion, TransactionEffects effects) {
        TransactionPartition offsetsPartition = new TransactionPartition(OffsetsPartitions.TOPIC,
                OffsetsPartitions.partitionFor(request.groupId(), offsetsTopicPartitionCount));
        SortedSet<TransactionPartition> partitions = new TreeSet<>(List.of(offsetsPartition));
        Errors error = add(request.transactionalId(), request.producerId(), request.producerEpoch(), partitions,
                TRANSACTION_VERSION_1, effects);
        effects.respond(new AddOffsetsToTxnResponseData()
                .setErrorCode(ProducerErrors.forVersion(error, apiVersion, 2).code()));
    }

    private Errors add(String transactionalId, long producerId, short producerEpoch,
            SortedSet<TransactionPartition> partitions, short clientTransactionVersion, TransactionEffects effects) {
        if (transactionalId == null || transactionalId.isEmpty()) {
            return Errors.INVALID_REQUEST;
        }
        TransactionMetadata metadata = store.get(transactionalId);
        Errors error = validate(metadata, producerId, producerEpoch);
        if (error != Errors.NONE) {
            return error;
        }
        if (metadata.state() == TransactionState.ONGOING && metadata.partitions().containsAll(partitions)) {
            return Errors.NONE;
        }
        SortedSet<TransactionPartition> all = new TreeSet<>(metadata.partitions());
        all.addAll(partitions);
        long startMs = metadata.state() == TransactionState.ONGOING ? metadata.startTimestampMs() : effects.nowMs();
        effects.write(metadata.withTransaction(all, startMs, clientTransactionVersion)
                .withState(TransactionState.ONGOING, effects.nowMs()));
        return Errors.NONE;
    }

    private Map<TransactionPartition, Errors> verify(AddPartitionsToTxnTransaction transaction,
            SortedSet<TransactionPartition> partitions) {
        Map<TransactionPartition, Errors> errors = new LinkedHashMap<>();
        String transactionalId = transaction.transactionalId();
        Errors error = transactionalId == null || transactionalId.isEmpty() ? Errors.INVALID_REQUEST
                : validate(store.get(transactionalId), transaction.producerId(), transaction.producerEpoch());
        for (TransactionPartition partition : partitions) {
            if (error != Errors.NONE) {
                errors.put(partition, error);
            } else {
                boolean inTransaction = store.get(transactionalId).partitions().contains(partition);
                errors.put(partition, inTransaction ? Errors.NONE : Errors.TRANSACTION_ABORTABLE);
            }
        }
        return errors;
    }

    /**
     * Kafka's checks, in its order: the id, the producer id, the epoch, then a transaction still ending. A TV2
     * producer that an end at an exhausted epoch moved to its next producer id gets INVALID_PRODUCER_ID_MAPPING with
     * that id until the Complete record moves the transactional id to it, as from Kafka 4.4 while the markers are
     * written (Kafka's CONCURRENT_TRANSACTIONS while the Complete record is being appended has no counterpart here:
     * the shard applies a record when it produces it, and the runtime sends later answers after its commit).
     */
    private static Errors validate(TransactionMetadata metadata, long producerId, short producerEpoch) {
        if (metadata == null) {
            return Errors.INVALID_PRODUCER_ID_MAPPING;
        }
        if (metadata.producerId() != producerId) {
            return Errors.INVALID_PRODUCER_ID_MAPPING;
        }
        if (metadata.producerEpoch() != producerEpoch) {
            return Errors.PRODUCER_FENCED;
        }
        if (metadata.state().isPreparing()) {
            return Errors.CONCURRENT_TRANSACTIONS;
        }
        return Errors.NONE;
    }

    private static SortedSet<TransactionPartition> partitionsOf(List<AddPartitionsToTxnTopic> topics) {
        SortedSet<TransactionPartition> partitions = new TreeSet<>();
        for (AddPartitionsToTxnTopic topic : topics) {
            for (int partition : topic.partitions()) {
                partitions.add(new TransactionPartition(topic.name(), partition));
            }
        }
        return partitions;
    }

    private static List<AddPartitionsToTxnTopicResult> topicResults(SortedSet<TransactionPartition> partitions,
            Function<TransactionPartition, Errors> errorOf) {
        Map<String, AddPartitionsToTxnTopicResult> topics = new LinkedHashMap<>();
        for (TransactionPartition partition : partitions) {
            topics.computeIfAbsent(partition.topic(), name -> new AddPartitionsToTxnTopicResult().setName(name))
                    .resultsByPartition().add(new AddPartitionsToTxnPartitionResult()
                            .setPartitionIndex(partition.partition())
                            .setPartitionErrorCode(errorOf.apply(partition).code()));
        }
        return new ArrayList<>(topics.values());
    }
}
