package io.fjord.broker.coordinator.transaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.coordinator.group.OffsetsPartitions;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.EndTxnResponseData;
import org.junit.jupiter.api.Test;

/** AddPartitionsToTxn, AddOffsetsToTxn, EndTxn in transaction versions 1 and 2, and the markers' completion. */
class EndTxnAndPartitionsTest {
    private static final short TV1_END = 4;
    private static final short TV2_END = 5;
    private static final long PRODUCER = 1000L;

    @Test
    void addPartitionsStartsTheTransactionOnceAndRefusesWhatKafkaRefuses() {
        TransactionHarness harness = new TransactionHarness();
        harness.init("t", 60_000);
        assertThat(harness.add("t", PRODUCER, (short) 0, (short) 3, "orders", 0, 1)).containsOnlyKeys("orders-0",
                "orders-1").allSatisfy((partition, error) -> assertThat(error).isZero());
        TransactionMetadata ongoing = harness.metadata("t");
        assertThat(ongoing.state()).isEqualTo(TransactionState.ONGOING);
        assertThat(ongoing.startTimestampMs()).isEqualTo(harness.nowMs);
        harness.nowMs += 10;
        harness.add("t", PRODUCER, (short) 0, (short) 3, "orders", 1);
        assertThat(harness.last.records()).as("partitions already in the transaction").isEmpty();
        harness.add("t", PRODUCER, (short) 0, (short) 3, "payments", 4);
        assertThat(harness.metadata("t").startTimestampMs()).isEqualTo(ongoing.startTimestampMs());
        assertThat(harness.metadata("t").partitions()).hasSize(3);

        assertThat(harness.add("unknown", PRODUCER, (short) 0, (short) 3, "orders", 0))
                .containsEntry("orders-0", Errors.INVALID_PRODUCER_ID_MAPPING.code());
        assertThat(harness.add("t", 7L, (short) 0, (short) 3, "orders", 0))
                .containsEntry("orders-0", Errors.INVALID_PRODUCER_ID_MAPPING.code());
        harness.end("t", PRODUCER, (short) 0, true, TV1_END);
        assertThat(harness.add("t", PRODUCER, (short) 0, (short) 3, "orders", 5))
                .containsEntry("orders-5", Errors.CONCURRENT_TRANSACTIONS.code());
    }

    @Test
    void addOffsetsAddsTheGroupsOffsetsPartition() {
        TransactionHarness harness = new TransactionHarness();
        harness.init("t", 60_000);
        assertThat(harness.addOffsets("t", PRODUCER, (short) 0, "group-a")).isZero();
        assertThat(harness.metadata("t").partitions()).containsExactly(new TransactionPartition(
                OffsetsPartitions.TOPIC, OffsetsPartitions.partitionFor("group-a",
                        TransactionHarness.OFFSETS_PARTITIONS)));
        assertThat(harness.addOffsets("t", PRODUCER, (short) 9, "group-a"))
                .isEqualTo(Errors.PRODUCER_FENCED.code());
    }

    @Test
    void version5AddsForTransactionVersion2AndVerifyOnlyChecksWithoutWriting() {
        TransactionHarness harness = new TransactionHarness();
        harness.init("t", 60_000);
        assertThat(harness.addVersion5("t", PRODUCER, (short) 0, false, "orders", 0)).containsEntry("orders-0",
                (short) 0);
        assertThat(harness.metadata("t").clientTransactionVersion()).isEqualTo((short) 2);
        int records = harness.log.size();
        assertThat(harness.addVersion5("t", PRODUCER, (short) 0, true, "orders", 0, 1))
                .containsEntry("orders-0", Errors.NONE.code())
                .containsEntry("orders-1", Errors.TRANSACTION_ABORTABLE.code());
        assertThat(harness.addVersion5("t", PRODUCER, (short) 1, true, "orders", 0))
                .containsEntry("orders-0", Errors.PRODUCER_FENCED.code());
        assertThat(harness.addVersion5("nobody", PRODUCER, (short) 0, true, "orders", 0))
                .containsEntry("orders-0", Errors.INVALID_PRODUCER_ID_MAPPING.code());
        assertThat(harness.log).hasSize(records);
    }

    @Test
    void version1EndIsTwoPhaseAndItsRetriesAnswerAsKafkas() {
        TransactionHarness harness = new TransactionHarness();
        harness.init("t", 60_000);
        assertThat(harness.end("t", PRODUCER, (short) 0, true, TV1_END).errorCode())
                .as("nothing to end").isEqualTo(Errors.INVALID_TXN_STATE.code());
        harness.add("t", PRODUCER, (short) 0, (short) 3, "orders", 0);
        assertThat(harness.end("t", PRODUCER, (short) 1, true, TV1_END).errorCode())
                .isEqualTo(Errors.PRODUCER_FENCED.code());
        assertThat(harness.end("t", PRODUCER, (short) 1, true, (short) 1).errorCode())
                .isEqualTo(Errors.INVALID_PRODUCER_EPOCH.code());
        assertThat(harness.end("t", 9L, (short) 0, true, TV1_END).errorCode())
                .isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING.code());

        assertThat(harness.end("t", PRODUCER, (short) 0, true, TV1_END).errorCode()).isZero();
        TransactionMetadata prepared = harness.metadata("t");
        assertThat(prepared.state()).isEqualTo(TransactionState.PREPARE_COMMIT);
        assertThat(prepared.producerEpoch()).as("no bump in TV1").isZero();
        assertThat(harness.last.markers()).singleElement().satisfies(markers -> {
            assertThat(markers.commit()).isTrue();
            assertThat(markers.partitionList()).containsExactly(new TransactionPartition("orders", 0));
        });
        assertThat(harness.end("t", PRODUCER, (short) 0, true, TV1_END).errorCode())
                .isEqualTo(Errors.CONCURRENT_TRANSACTIONS.code());
        assertThat(harness.end("t", PRODUCER, (short) 0, false, TV1_END).errorCode())
                .isEqualTo(Errors.INVALID_TXN_STATE.code());

        harness.nowMs += 5;
        harness.markersWritten("t");
        TransactionMetadata completed = harness.metadata("t");
        assertThat(completed.state()).isEqualTo(TransactionState.COMPLETE_COMMIT);
        assertThat(completed.partitions()).isEmpty();
        assertThat(completed.lastUpdateTimestampMs()).isEqualTo(harness.nowMs);
        assertThat(harness.end("t", PRODUCER, (short) 0, true, TV1_END).errorCode()).as("a retried commit").isZero();
        assertThat(harness.end("t", PRODUCER, (short) 0, false, TV1_END).errorCode())
                .isEqualTo(Errors.INVALID_TXN_STATE.code());
        assertThat(harness.end("nobody", PRODUCER, (short) 0, true, TV1_END).errorCode())
                .isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING.code());
    }

    @Test
    void staleMarkerReportsAreIgnored() {
        TransactionHarness harness = new TransactionHarness();
        harness.init("t", 60_000);
        harness.add("t", PRODUCER, (short) 0, (short) 3, "orders", 0);
        harness.end("t", PRODUCER, (short) 0, false, TV1_END);
        harness.record(harness.shard.markersWritten("t", PRODUCER, (short) 7, harness.nowMs));
        assertThat(harness.last.records()).isEmpty();
        assertThat(harness.metadata("t").state()).isEqualTo(TransactionState.PREPARE_ABORT);
        harness.markersWritten("t");
        harness.markersWritten("t");
        assertThat(harness.last.records()).as("a repeated report").isEmpty();
        assertThat(harness.metadata("t").state()).isEqualTo(TransactionState.COMPLETE_ABORT);
    }

    @Test
    void version2BumpsTheEpochAtEveryEndAndAcceptsRetriesOfTheEpochBeforeIt() {
        TransactionHarness harness = new TransactionHarness();
        harness.init("t", 60_000);
        harness.addVersion5("t", PRODUCER, (short) 0, false, "orders", 0);
        EndTxnResponseData committed = harness.end("t", PRODUCER, (short) 0, true, TV2_END);
        assertThat(committed.errorCode()).isZero();
        assertThat(committed.producerId()).isEqualTo(PRODUCER);
        assertThat(committed.producerEpoch()).isEqualTo((short) 1);
        assertThat(harness.metadata("t").state()).isEqualTo(TransactionState.PREPARE_COMMIT);
        assertThat(harness.last.markers().get(0).producerEpoch()).isEqualTo((short) 1);
        assertThat(harness.end("t", PRODUCER, (short) 0, true, TV2_END).errorCode())
                .as("a retry while the markers are written").isEqualTo(Errors.CONCURRENT_TRANSACTIONS.code());
        // KAFKA-18464: the new epoch's end (an abort right after the commit) waits for the markers, unfenced.
        assertThat(harness.end("t", PRODUCER, (short) 1, false, TV2_END).errorCode())
                .as("the new epoch waits while the markers are written")
                .isEqualTo(Errors.CONCURRENT_TRANSACTIONS.code());
        harness.markersWritten("t");
        EndTxnResponseData retried = harness.end("t", PRODUCER, (short) 0, true, TV2_END);
        assertThat(retried.errorCode()).isZero();
        assertThat(retried.producerEpoch()).isEqualTo((short) 1);
        assertThat(harness.end("t", PRODUCER, (short) 0, false, TV2_END).errorCode())
                .as("an abort retried after a commit").isEqualTo(Errors.INVALID_TXN_STATE.code());
        assertThat(harness.end("t", PRODUCER, (short) 1, true, TV2_END).errorCode())
                .as("a commit with nothing open").isEqualTo(Errors.INVALID_TXN_STATE.code());

        // TV2 may abort with no transaction open: Prepare and Complete at once, no markers, one more bump.
        EndTxnResponseData aborted = harness.end("t", PRODUCER, (short) 1, false, TV2_END);
        assertThat(aborted.errorCode()).isZero();
        assertThat(aborted.producerEpoch()).isEqualTo((short) 2);
        assertThat(harness.last.records()).hasSize(2);
        assertThat(harness.last.markers()).isEmpty();
        assertThat(harness.metadata("t").state()).isEqualTo(TransactionState.COMPLETE_ABORT);
        assertThat(harness.metadata("t").startTimestampMs()).isEqualTo(harness.nowMs);
        assertThat(harness.end("t", PRODUCER, (short) 1, false, TV2_END).producerEpoch())
                .as("a retried abort").isEqualTo((short) 2);
    }

    @Test
    void version2EndAtAnExhaustedEpochMovesTheProducerToTheNextId() {
        short lastEpoch = (short) (Short.MAX_VALUE - 1);
        TransactionHarness harness = InitProducerIdTest.loadedAt(lastEpoch, TransactionState.EMPTY);
        harness.addVersion5("t", 500L, lastEpoch, false, "orders", 0);
        EndTxnResponseData committed = harness.end("t", 500L, lastEpoch, true, TV2_END);
        assertThat(committed.errorCode()).isZero();
        assertThat(committed.producerId()).isEqualTo(1000L);
        assertThat(committed.producerEpoch()).isZero();
        TransactionMetadata prepared = harness.metadata("t");
        assertThat(prepared.producerEpoch()).isEqualTo(Short.MAX_VALUE);
        assertThat(prepared.nextProducerId()).isEqualTo(1000L);
        // Kafka 4.4 knows the next id only once the Complete record moved the transactional id to it.
        assertThat(harness.addVersion5("t", 1000L, (short) 0, false, "orders", 1))
                .as("the next id before the markers are written").containsEntry("orders-1",
                        Errors.INVALID_PRODUCER_ID_MAPPING.code());
        assertThat(harness.addVersion5("t", 1000L, (short) 0, true, "orders", 0))
                .as("verifying with the next id").containsEntry("orders-0",
                        Errors.INVALID_PRODUCER_ID_MAPPING.code());
        assertThat(harness.end("t", 1000L, (short) 0, true, TV2_END).errorCode())
                .as("ending with the next id").isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING.code());
        assertThat(harness.init("t", 60_000, 1000L, (short) 0, (short) 5).errorCode())
                .as("KIP-360 recovery naming the next id").isEqualTo(Errors.PRODUCER_FENCED.code());
        assertThat(harness.metadata("t").state()).isEqualTo(TransactionState.PREPARE_COMMIT);
        harness.markersWritten("t");
        TransactionMetadata completed = harness.metadata("t");
        assertThat(completed.producerId()).isEqualTo(1000L);
        assertThat(completed.producerEpoch()).isZero();
        assertThat(completed.previousProducerId()).isEqualTo(500L);
        assertThat(completed.nextProducerId()).isEqualTo(-1L);
        EndTxnResponseData retried = harness.end("t", 500L, lastEpoch, true, TV2_END);
        assertThat(retried.errorCode()).isZero();
        assertThat(retried.producerId()).isEqualTo(1000L);
        assertThat(retried.producerEpoch()).isZero();
    }
}
