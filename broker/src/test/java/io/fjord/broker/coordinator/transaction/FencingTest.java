package io.fjord.broker.coordinator.transaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.protocol.Errors;
import io.fjord.protocol.message.EndTxnResponseData;
import io.fjord.protocol.message.InitProducerIdResponseData;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fences as Kafka 4.4 makes them: with the cluster's transaction version (TV2: one bump that remembers the fenced
 * epoch, KAFKA-19367, and rotates an exhausted producer id, KAFKA-20090; TV1: a bump that forgets it), and the
 * generic error for an exhausted epoch that InitProducerId cannot bump.
 */
class FencingTest {
    private static final long PRODUCER = 1000L;
    private static final short TV2_END = 5;
    private static final short TV1_END = 4;

    @Test
    void aProducerFencedByANewOneNeverGetsTheNewProducersEpochBack() {
        TransactionHarness harness = new TransactionHarness();
        harness.init("t", 60_000);
        harness.addVersion5("t", PRODUCER, (short) 0, false, "orders", 0);
        assertThat(harness.init("t", 60_000).errorCode()).isEqualTo(Errors.CONCURRENT_TRANSACTIONS.code());
        assertThat(harness.metadata("t").producerEpoch()).as("one bump, not two").isEqualTo((short) 1);
        harness.markersWritten("t");
        InitProducerIdResponseData newProducer = harness.init("t", 60_000);
        assertThat(newProducer.errorCode()).isZero();
        assertThat(newProducer.producerEpoch()).isEqualTo((short) 2);

        // The fenced producer, at epoch 0, tries every way back in.
        assertThat(harness.init("t", 60_000, PRODUCER, (short) 0, (short) 5).errorCode())
                .isEqualTo(Errors.PRODUCER_FENCED.code());
        assertThat(harness.init("t", 60_000, PRODUCER, (short) 1, (short) 5).errorCode())
                .as("the fence's epoch was never handed out").isEqualTo(Errors.PRODUCER_FENCED.code());
        assertThat(harness.end("t", PRODUCER, (short) 0, false, TV2_END).errorCode())
                .isEqualTo(Errors.PRODUCER_FENCED.code());
        assertThat(harness.end("t", PRODUCER, (short) 1, false, TV2_END).errorCode())
                .isEqualTo(Errors.PRODUCER_FENCED.code());
        assertThat(harness.addVersion5("t", PRODUCER, (short) 0, false, "orders", 1))
                .containsEntry("orders-1", Errors.PRODUCER_FENCED.code());
        assertThat(harness.metadata("t").producerEpoch()).isEqualTo((short) 2);
        assertThat(harness.metadata("t").state()).isEqualTo(TransactionState.EMPTY);
    }

    @Test
    void aVersion2TimeoutAbortRemembersTheEpochItFencedSoThatProducerCarriesOn() {
        TransactionHarness harness = new TransactionHarness();
        harness.init("t", 20_000);
        harness.addVersion5("t", PRODUCER, (short) 0, false, "orders", 0);
        timeOut(harness);
        assertThat(harness.metadata("t").state()).isEqualTo(TransactionState.PREPARE_ABORT);
        assertThat(harness.metadata("t").producerEpoch()).isEqualTo((short) 1);
        harness.markersWritten("t");
        // Kafka 4.4 keeps epoch 0 as the last one: a KIP-360 InitProducerId from the timed-out producer gets the
        // current epoch back instead of a fence (until another InitProducerId bumps the epoch).
        InitProducerIdResponseData recovered = harness.init("t", 20_000, PRODUCER, (short) 0, (short) 5);
        assertThat(recovered.errorCode()).isZero();
        assertThat(recovered.producerId()).isEqualTo(PRODUCER);
        assertThat(recovered.producerEpoch()).isEqualTo((short) 1);
    }

    @Test
    void aVersion1ClusterFenceForgetsTheFencedEpoch() {
        TransactionCoordinatorConfig version1 = new TransactionCoordinatorConfig(900_000, 604_800_000L, 10_000L,
                3_600_000L, (short) 1);
        TransactionHarness harness = new TransactionHarness(version1, List.of());
        harness.init("t", 20_000);
        harness.add("t", PRODUCER, (short) 0, (short) 3, "orders", 0);
        timeOut(harness);
        TransactionMetadata aborted = harness.metadata("t");
        assertThat(aborted.state()).isEqualTo(TransactionState.PREPARE_ABORT);
        assertThat(aborted.producerEpoch()).isEqualTo((short) 1);
        assertThat(aborted.clientTransactionVersion()).isZero();
        harness.markersWritten("t");
        assertThat(harness.init("t", 20_000, PRODUCER, (short) 0, (short) 5).errorCode())
                .isEqualTo(Errors.PRODUCER_FENCED.code());
        assertThat(harness.end("t", PRODUCER, (short) 0, false, TV1_END).errorCode())
                .isEqualTo(Errors.PRODUCER_FENCED.code());
    }

    @Test
    void aFenceEndsATransactionOfVersion1WithTheClustersVersion2() {
        TransactionHarness harness = new TransactionHarness();
        harness.init("t", 60_000);
        harness.add("t", PRODUCER, (short) 0, (short) 3, "orders", 0);
        assertThat(harness.metadata("t").clientTransactionVersion()).isZero();
        assertThat(harness.init("t", 60_000).errorCode()).isEqualTo(Errors.CONCURRENT_TRANSACTIONS.code());
        TransactionMetadata fenced = harness.metadata("t");
        assertThat(fenced.producerEpoch()).isEqualTo((short) 1);
        assertThat(fenced.clientTransactionVersion()).isEqualTo((short) 2);
        assertThat(harness.last.markers()).singleElement()
                .satisfies(markers -> assertThat(markers.transactionVersion()).isEqualTo((short) 2));
    }

    @Test
    void aFenceAtAnExhaustedEpochMovesTheIdToItsNextProducerId() {
        short lastEpoch = (short) (Short.MAX_VALUE - 1);
        TransactionHarness harness = InitProducerIdTest.loadedAt(lastEpoch, TransactionState.EMPTY);
        harness.addVersion5("t", 500L, lastEpoch, false, "orders", 0);
        harness.producerIdsAvailable = false;
        assertThat(harness.init("t", 60_000).errorCode()).as("no id for the rotation: retriable, nothing written")
                .isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS.code());
        assertThat(harness.last.records()).isEmpty();
        harness.producerIdsAvailable = true;
        assertThat(harness.init("t", 60_000).errorCode()).isEqualTo(Errors.CONCURRENT_TRANSACTIONS.code());
        TransactionMetadata fenced = harness.metadata("t");
        assertThat(fenced.producerEpoch()).isEqualTo(Short.MAX_VALUE);
        assertThat(fenced.nextProducerId()).isEqualTo(PRODUCER);
        harness.markersWritten("t");
        TransactionMetadata completed = harness.metadata("t");
        assertThat(completed.producerId()).isEqualTo(PRODUCER);
        assertThat(completed.producerEpoch()).isZero();
        assertThat(completed.previousProducerId()).isEqualTo(500L);
        InitProducerIdResponseData retried = harness.init("t", 60_000);
        assertThat(retried.producerId()).isEqualTo(PRODUCER);
        assertThat(retried.producerEpoch()).isEqualTo((short) 1);
        EndTxnResponseData fencedEnd = harness.end("t", 500L, lastEpoch, false, TV2_END);
        assertThat(fencedEnd.errorCode()).as("the old producer id is not the id's any more")
                .isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING.code());
    }

    @Test
    void anExhaustedEpochThatCannotBeBumpedIsTheGenericServerError() {
        short exhausted = (short) (Short.MAX_VALUE - 1);
        TransactionHarness harness = InitProducerIdTest.loadedAt((short) (exhausted - 1), TransactionState.EMPTY);
        InitProducerIdResponseData bumped = harness.init("t", 60_000, 500L, (short) (exhausted - 1), (short) 5);
        assertThat(bumped.producerEpoch()).isEqualTo(exhausted);
        int logged = harness.log.size();
        // A retry of that bump (its answer lost) or any other epoch: Kafka cannot bump an exhausted epoch and
        // answers with the error of its IllegalStateException.
        assertThat(harness.init("t", 60_000, 500L, (short) (exhausted - 1), (short) 5).errorCode())
                .isEqualTo(Errors.UNKNOWN_SERVER_ERROR.code());
        assertThat(harness.init("t", 60_000, 500L, (short) 7, (short) 5).errorCode())
                .isEqualTo(Errors.UNKNOWN_SERVER_ERROR.code());
        assertThat(harness.log).hasSize(logged);
        // The current epoch rotates to a new producer id.
        InitProducerIdResponseData rotated = harness.init("t", 60_000, 500L, exhausted, (short) 5);
        assertThat(rotated.producerId()).isEqualTo(PRODUCER);
        assertThat(rotated.producerEpoch()).isZero();
    }

    /** Moves the clock past the transaction's timeout and runs the abort sweep. */
    private static void timeOut(TransactionHarness harness) {
        harness.nowMs += harness.metadata("t").timeoutMs() + harness.config.abortTimedOutTransactionsIntervalMs();
        harness.poll();
    }
}
