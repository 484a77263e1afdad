package io.fjord.broker.coordinator.transaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.coordinator.transaction.records.TransactionRecord;
import io.fjord.broker.coordinator.transaction.records.TransactionRecordSerde;
import io.fjord.protocol.message.AddOffsetsToTxnRequestData;
import io.fjord.protocol.message.AddPartitionsToTxnRequestData;
import io.fjord.protocol.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import io.fjord.protocol.message.AddPartitionsToTxnResponseData;
import io.fjord.protocol.message.DescribeTransactionsRequestData;
import io.fjord.protocol.message.DescribeTransactionsResponseData;
import io.fjord.protocol.message.EndTxnRequestData;
import io.fjord.protocol.message.EndTxnResponseData;
import io.fjord.protocol.message.InitProducerIdRequestData;
import io.fjord.protocol.message.InitProducerIdResponseData;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A shard under test with a settable clock and producer ids counted up from 1000. Every call's records are kept as
 * the partition's log, and after every call a fresh shard that replays that log through the records' bytes must
 * hold the same durable state: state changes only by replay.
 */
final class TransactionHarness {
    static final int OFFSETS_PARTITIONS = 50;
    static final int COORDINATOR_EPOCH = 3;
    final TransactionCoordinatorConfig config;
    final List<TransactionRecord> log = new ArrayList<>();
    final TransactionCoordinatorShard shard;
    long nowMs = 1_000_000L;
    long nextProducerId = 1000L;
    boolean producerIdsAvailable = true;
    TransactionCoordinatorResult last;

    TransactionHarness() {
        this(TransactionCoordinatorConfig.defaults(), List.of());
    }

    TransactionHarness(TransactionCoordinatorConfig config, List<TransactionRecord> loaded) {
        this.config = config;
        this.shard = newShard();
        for (TransactionRecord record : loaded) {
            shard.replay(record);
            log.add(record);
        }
        last = shard.activate(nowMs);
    }

    private TransactionCoordinatorShard newShard() {
        return new TransactionCoordinatorShard(config,
                () -> producerIdsAvailable ? nextProducerId++ : ProducerIdSource.NONE, COORDINATOR_EPOCH,
                OFFSETS_PARTITIONS);
    }

    TransactionCoordinatorResult record(TransactionCoordinatorResult result) {
        last = result;
        log.addAll(result.records());
        assertReplayMatches();
        return result;
    }

    /** A fresh shard that replays the log through its bytes holds the same durable state. */
    void assertReplayMatches() {
        TransactionCoordinatorShard replayed = newShard();
        for (TransactionRecord record : log) {
            byte[] value = TransactionRecordSerde.serializeValue(record.value());
            replayed.replay(ByteBuffer.wrap(TransactionRecordSerde.serializeKey(record.transactionalId())),
                    value == null ? null : ByteBuffer.wrap(value));
        }
        assertThat(replayed.durableState()).isEqualTo(shard.durableState());
    }

    InitProducerIdResponseData init(String transactionalId, int timeoutMs) {
        return init(transactionalId, timeoutMs, -1L, (short) -1, (short) 5);
    }

    InitProducerIdResponseData init(String transactionalId, int timeoutMs, long producerId, short epoch,
            short version) {
        InitProducerIdRequestData request = new InitProducerIdRequestData().setTransactionalId(transactionalId)
                .setTransactionTimeoutMs(timeoutMs).setProducerId(producerId).setProducerEpoch(epoch);
        return (InitProducerIdResponseData) record(shard.initProducerId(request, version, nowMs)).response();
    }

    /** AddPartitionsToTxn v3 (a TV1 producer); returns the error of every partition, in "topic-partition" keys. */
    Map<String, Short> add(String transactionalId, long producerId, short epoch, short version, String topic,
            Integer... partitions) {
        AddPartitionsToTxnRequestData request = new AddPartitionsToTxnRequestData()
                .setV3AndBelowTransactionalId(transactionalId).setV3AndBelowProducerId(producerId)
                .setV3AndBelowProducerEpoch(epoch).setV3AndBelowTopics(new ArrayList<>(List.of(
                        new AddPartitionsToTxnTopic().setName(topic).setPartitions(new ArrayList<>(List.of(partitions))))));
        AddPartitionsToTxnResponseData response = (AddPartitionsToTxnResponseData) record(
                shard.addPartitionsToTxn(request, version, nowMs)).response();
        Map<String, Short> errors = new LinkedHashMap<>();
        response.resultsByTopicV3AndBelow().forEach(result -> result.resultsByPartition().forEach(partition ->
                errors.put(result.name() + "-" + partition.partitionIndex(), partition.partitionErrorCode())));
        return errors;
    }

    /** AddPartitionsToTxn v5 from a broker for a TV2 producer; the errors of its one transaction. */
    Map<String, Short> addVersion5(String transactionalId, long producerId, short epoch, boolean verifyOnly,
            String topic, Integer... partitions) {
        AddPartitionsToTxnTopic topics = new AddPartitionsToTxnTopic().setName(topic)
                .setPartitions(new ArrayList<>(List.of(partitions)));
        AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction transaction =
                new AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction().setTransactionalId(transactionalId)
                        .setProducerId(producerId).setProducerEpoch(epoch).setVerifyOnly(verifyOnly)
                        .setTopics(new ArrayList<>(List.of(topics)));
        AddPartitionsToTxnRequestData request = new AddPartitionsToTxnRequestData()
                .setTransactions(new ArrayList<>(List.of(transaction)));
        AddPartitionsToTxnResponseData response = (AddPartitionsToTxnResponseData) record(
                shard.addPartitionsToTxn(request, (short) 5, nowMs)).response();
        Map<String, Short> errors = new LinkedHashMap<>();
        response.resultsByTransaction().get(0).topicResults().forEach(result -> result.resultsByPartition()
                .forEach(partition -> errors.put(result.name() + "-" + partition.partitionIndex(),
                        partition.partitionErrorCode())));
        return errors;
    }

    short addOffsets(String transactionalId, long producerId, short epoch, String groupId) {
        AddOffsetsToTxnRequestData request = new AddOffsetsToTxnRequestData().setTransactionalId(transactionalId)
                .setProducerId(producerId).setProducerEpoch(epoch).setGroupId(groupId);
        return ((io.fjord.protocol.message.AddOffsetsToTxnResponseData) record(
                shard.addOffsetsToTxn(request, (short) 4, nowMs)).response()).errorCode();
    }

    EndTxnResponseData end(String transactionalId, long producerId, short epoch, boolean commit, short version) {
        EndTxnRequestData request = new EndTxnRequestData().setTransactionalId(transactionalId)
                .setProducerId(producerId).setProducerEpoch(epoch).setCommitted(commit);
        return (EndTxnResponseData) record(shard.endTxn(request, version, nowMs)).response();
    }

    TransactionCoordinatorResult markersWritten(String transactionalId) {
        TransactionMetadata metadata = shard.transaction(transactionalId);
        return record(shard.markersWritten(transactionalId, metadata.producerId(), metadata.producerEpoch(),
                nowMs));
    }

    /** One partition's marker of the id's preparing transaction is written. */
    TransactionCoordinatorResult markerWritten(String transactionalId, TransactionPartition partition) {
        TransactionMetadata metadata = shard.transaction(transactionalId);
        return record(shard.markerWritten(transactionalId, metadata.producerId(), metadata.producerEpoch(),
                partition, nowMs));
    }

    /** The partitions DescribeTransactions lists for the id, as "topic-partition". */
    List<String> describedPartitions(String transactionalId) {
        DescribeTransactionsResponseData response = (DescribeTransactionsResponseData) record(
                shard.describeTransactions(new DescribeTransactionsRequestData().setTransactionalIds(
                        new ArrayList<>(List.of(transactionalId))), nowMs)).response();
        List<String> partitions = new ArrayList<>();
        response.transactionStates().get(0).topics().forEach(topic -> topic.partitions()
                .forEach(partition -> partitions.add(topic.topic() + "-" + partition)));
        return partitions;
    }

    TransactionCoordinatorResult poll() {
        return record(shard.pollTimers(nowMs));
    }

    TransactionMetadata metadata(String transactionalId) {
        return shard.transaction(transactionalId);
    }
}
