package io.fjord.broker.coordinator.transaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.coordinator.transaction.records.TransactionRecord;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.InitProducerIdResponseData;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** InitProducerId with a transactional id: every transition and error of Kafka's transaction coordinator. */
class InitProducerIdTest {
    private static final short V5 = 5;

    @Test
    void aNewIdGetsAFreshProducerIdAtEpochZeroInOneEmptyRecord() {
        TransactionHarness harness = new TransactionHarness();
        InitProducerIdResponseData response = harness.init("t", 60_000);
        assertThat(response.errorCode()).isZero();
        assertThat(response.producerId()).isEqualTo(1000L);
        assertThat(response.producerEpoch()).isZero();
        assertThat(harness.last.records()).hasSize(1);
        TransactionMetadata metadata = harness.metadata("t");
        assertThat(metadata.state()).isEqualTo(TransactionState.EMPTY);
        assertThat(metadata.timeoutMs()).isEqualTo(60_000);
        // Kafka sets the previous producer id to the one before each change: for a new id, its own.
        assertThat(metadata.previousProducerId()).isEqualTo(1000L);
        assertThat(metadata.startTimestampMs()).isEqualTo(-1L);
    }

    @Test
    void aSecondInitBumpsTheEpochAndFencesTheFirstProducer() {
        TransactionHarness harness = new TransactionHarness();
        harness.init("t", 60_000);
        InitProducerIdResponseData second = harness.init("t", 30_000);
        assertThat(second.producerId()).isEqualTo(1000L);
        assertThat(second.producerEpoch()).isEqualTo((short) 1);
        assertThat(harness.metadata("t").timeoutMs()).isEqualTo(30_000);
        assertThat(harness.add("t", 1000L, (short) 0, (short) 3, "orders", 0))
                .containsEntry("orders-0", Errors.PRODUCER_FENCED.code());
        // Clients before AddPartitionsToTxn v2 do not know PRODUCER_FENCED.
        assertThat(harness.add("t", 1000L, (short) 0, (short) 1, "orders", 0))
                .containsEntry("orders-0", Errors.INVALID_PRODUCER_EPOCH.code());
    }

    @Test
    void timeoutsOutsideOneToTheMaximumAreRefused() {
        TransactionHarness harness = new TransactionHarness();
        assertThat(harness.init("t", 0).errorCode()).isEqualTo(Errors.INVALID_TRANSACTION_TIMEOUT.code());
        assertThat(harness.init("t", harness.config.transactionMaxTimeoutMs() + 1).errorCode())
                .isEqualTo(Errors.INVALID_TRANSACTION_TIMEOUT.code());
        assertThat(harness.init("t", harness.config.transactionMaxTimeoutMs()).errorCode()).isZero();
        assertThat(harness.init("", 1000).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(harness.init("u", 1000, 5L, (short) -1, V5).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
    }

    @Test
    void anExhaustedEpochMovesTheIdToANewProducerId() {
        TransactionHarness harness = loadedAt((short) (Short.MAX_VALUE - 1), TransactionState.COMPLETE_COMMIT);
        InitProducerIdResponseData response = harness.init("t", 60_000);
        assertThat(response.producerId()).isEqualTo(1000L);
        assertThat(response.producerEpoch()).isZero();
        assertThat(harness.metadata("t").previousProducerId()).isEqualTo(500L);
    }

    @Test
    void kip360RecoveryBumpsTheCurrentProducerAndARetryGetsTheSameEpoch() {
        TransactionHarness harness = new TransactionHarness();
        harness.init("t", 60_000);
        InitProducerIdResponseData recovered = harness.init("t", 60_000, 1000L, (short) 0, V5);
        assertThat(recovered.producerEpoch()).isEqualTo((short) 1);
        // The answer was lost: the same request again gets epoch 1, not a fence.
        InitProducerIdResponseData retried = harness.init("t", 60_000, 1000L, (short) 0, V5);
        assertThat(retried.errorCode()).isZero();
        assertThat(retried.producerEpoch()).isEqualTo((short) 1);
        // Another producer id, or an epoch that is neither current nor last, is fenced.
        assertThat(harness.init("t", 60_000, 77L, (short) 1, V5).errorCode())
                .isEqualTo(Errors.PRODUCER_FENCED.code());
        harness.init("t", 60_000);
        assertThat(harness.init("t", 60_000, 1000L, (short) 0, V5).errorCode())
                .isEqualTo(Errors.PRODUCER_FENCED.code());
        // InitProducerId before v4 reports the fence as INVALID_PRODUCER_EPOCH.
        assertThat(harness.init("t", 60_000, 1000L, (short) 0, (short) 3).errorCode())
                .isEqualTo(Errors.INVALID_PRODUCER_EPOCH.code());
    }

    @Test
    void aRetriedRotationWithThePreviousProducerIdAtItsExhaustedEpochIsAccepted() {
        short exhausted = (short) (Short.MAX_VALUE - 1);
        TransactionHarness harness = loadedAt(exhausted, TransactionState.EMPTY);
        InitProducerIdResponseData rotated = harness.init("t", 60_000, 500L, exhausted, V5);
        assertThat(rotated.producerId()).isEqualTo(1000L);
        assertThat(rotated.producerEpoch()).isZero();
        InitProducerIdResponseData retried = harness.init("t", 60_000, 500L, exhausted, V5);
        assertThat(retried.errorCode()).isZero();
        assertThat(retried.producerId()).isEqualTo(1000L);
        assertThat(retried.producerEpoch()).isZero();
    }

    @Test
    void anOngoingTransactionIsAbortedAtABumpedEpochFirst() {
        TransactionHarness harness = new TransactionHarness();
        harness.init("t", 60_000);
        harness.add("t", 1000L, (short) 0, (short) 3, "orders", 0, 1);
        InitProducerIdResponseData response = harness.init("t", 60_000);
        assertThat(response.errorCode()).isEqualTo(Errors.CONCURRENT_TRANSACTIONS.code());
        TransactionMetadata fenced = harness.metadata("t");
        assertThat(fenced.state()).isEqualTo(TransactionState.PREPARE_ABORT);
        assertThat(fenced.producerEpoch()).isEqualTo((short) 1);
        assertThat(harness.last.markers()).singleElement().satisfies(markers -> {
            assertThat(markers.commit()).isFalse();
            assertThat(markers.producerEpoch()).isEqualTo((short) 1);
            assertThat(markers.coordinatorEpoch()).isEqualTo(TransactionHarness.COORDINATOR_EPOCH);
            assertThat(markers.partitionList()).containsExactly(new TransactionPartition("orders", 0),
                    new TransactionPartition("orders", 1));
        });
        // While the markers are written the producer keeps being told to retry.
        assertThat(harness.init("t", 60_000).errorCode()).isEqualTo(Errors.CONCURRENT_TRANSACTIONS.code());
        harness.markersWritten("t");
        assertThat(harness.metadata("t").state()).isEqualTo(TransactionState.COMPLETE_ABORT);
        InitProducerIdResponseData retried = harness.init("t", 60_000);
        assertThat(retried.errorCode()).isZero();
        assertThat(retried.producerEpoch()).isEqualTo((short) 2);
    }

    @Test
    void withoutAProducerIdToHandOutTheAnswerIsRetriableAndNothingIsWritten() {
        TransactionHarness harness = new TransactionHarness();
        harness.producerIdsAvailable = false;
        assertThat(harness.init("t", 60_000).errorCode()).isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS.code());
        assertThat(harness.log).isEmpty();
        harness.producerIdsAvailable = true;
        assertThat(harness.init("t", 60_000).errorCode()).isZero();
    }

    /** A shard that loaded producer 500 of id "t" at {@code epoch} in {@code state}. */
    static TransactionHarness loadedAt(short epoch, TransactionState state) {
        TransactionMetadata metadata = new TransactionMetadata("t", 500L, -1L, -1L, epoch, (short) -1, 60_000,
                state, Collections.emptySortedSet(), -1L, 1L, (short) 0);
        return new TransactionHarness(TransactionCoordinatorConfig.defaults(),
                List.of(new TransactionRecord("t", metadata.toValue((short) 1))));
    }
}
