package io.fjord.broker.coordinator.transaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.coordinator.transaction.internal.MarkerResends;
import org.junit.jupiter.api.Test;

/**
 * Markers reported partition by partition, as Kafka's marker channel removes each partition once it is written; markers
 * the channel refused named again after the back-off while the transaction still waits for them.
 */
class MarkersTest {
    private static final long PRODUCER = 1000L;

    @Test
    void eachWrittenMarkerTakesItsPartitionOutAndTheLastOneCompletesTheTransaction() {
        TransactionHarness harness = new TransactionHarness();
        harness.init("t", 60_000);
        harness.add("t", PRODUCER, (short) 0, (short) 3, "orders", 0, 1);
        harness.add("t", PRODUCER, (short) 0, (short) 3, "payments", 0);
        harness.end("t", PRODUCER, (short) 0, true, (short) 4);
        assertThat(harness.describedPartitions("t")).containsExactly("orders-0", "orders-1", "payments-0");

        assertThat(harness.markerWritten("t", new TransactionPartition("orders", 1)).records()).isEmpty();
        assertThat(harness.describedPartitions("t")).containsExactly("orders-0", "payments-0");
        // Repeated, foreign and stale reports change nothing.
        harness.markerWritten("t", new TransactionPartition("orders", 1));
        harness.markerWritten("t", new TransactionPartition("elsewhere", 0));
        harness.record(harness.shard.markerWritten("t", PRODUCER, (short) 7, new TransactionPartition("orders", 0),
                harness.nowMs));
        assertThat(harness.describedPartitions("t")).containsExactly("orders-0", "payments-0");
        assertThat(harness.metadata("t").state()).isEqualTo(TransactionState.PREPARE_COMMIT);
        assertThat(harness.metadata("t").partitions()).as("the durable state keeps every partition").hasSize(3);

        harness.markerWritten("t", new TransactionPartition("payments", 0));
        assertThat(harness.metadata("t").state()).isEqualTo(TransactionState.PREPARE_COMMIT);
        harness.markerWritten("t", new TransactionPartition("orders", 0));
        assertThat(harness.last.records()).hasSize(1);
        assertThat(harness.metadata("t").state()).isEqualTo(TransactionState.COMPLETE_COMMIT);
        assertThat(harness.describedPartitions("t")).isEmpty();
    }

    @Test
    void aNewCoordinatorWritesEveryMarkerAgainAsTheWrittenOnesAreOnlyInMemory() {
        TransactionHarness first = new TransactionHarness();
        first.init("t", 60_000);
        first.add("t", PRODUCER, (short) 0, (short) 3, "orders", 0, 1);
        first.end("t", PRODUCER, (short) 0, false, (short) 4);
        first.markerWritten("t", new TransactionPartition("orders", 0));
        TransactionHarness second = new TransactionHarness(first.config, first.log);
        assertThat(second.last.markers()).singleElement().satisfies(markers -> assertThat(markers.partitionList())
                .containsExactly(new TransactionPartition("orders", 0), new TransactionPartition("orders", 1)));
        assertThat(second.describedPartitions("t")).containsExactly("orders-0", "orders-1");
    }

    @Test
    void refusedMarkersAreNamedAgainAfterTheBackOffWhileTheTransactionWaitsForThem() {
        TransactionHarness harness = new TransactionHarness();
        harness.init("t", 60_000);
        harness.init("u", 60_000);
        long other = PRODUCER + 1;
        harness.add("t", PRODUCER, (short) 0, (short) 3, "orders", 0, 1);
        harness.add("u", other, (short) 0, (short) 3, "orders", 2);
        harness.end("t", PRODUCER, (short) 0, true, (short) 4);
        harness.end("u", other, (short) 0, false, (short) 4);

        harness.record(harness.shard.markersRefused("t", PRODUCER, (short) 0, harness.nowMs));
        harness.record(harness.shard.markersRefused("u", other, (short) 0, harness.nowMs));
        assertThat(harness.shard.nextTimerDeadlineMs()).isEqualTo(harness.nowMs + MarkerResends.RESEND_BACKOFF_MS);
        harness.nowMs += MarkerResends.RESEND_BACKOFF_MS - 1;
        assertThat(harness.poll().markers()).as("still backing off").isEmpty();

        // "u" completes meanwhile (its markers went through another way): only "t" is named again.
        harness.markersWritten("u");
        harness.nowMs += 1;
        assertThat(harness.poll().markers()).singleElement().satisfies(markers -> {
            assertThat(markers.transactionalId()).isEqualTo("t");
            assertThat(markers.commit()).isTrue();
            assertThat(markers.partitionList()).containsExactly(new TransactionPartition("orders", 0),
                    new TransactionPartition("orders", 1));
        });
        assertThat(harness.poll().markers()).as("named once per refusal").isEmpty();
        assertThat(harness.shard.nextTimerDeadlineMs()).isGreaterThan(harness.nowMs + MarkerResends.RESEND_BACKOFF_MS);

        // A refusal reported for another epoch than the one prepared is stale: nothing is named.
        harness.record(harness.shard.markersRefused("t", PRODUCER, (short) 5, harness.nowMs));
        harness.nowMs += MarkerResends.RESEND_BACKOFF_MS;
        assertThat(harness.poll().markers()).isEmpty();
        harness.markersWritten("t");
        assertThat(harness.metadata("t").state()).isEqualTo(TransactionState.COMPLETE_COMMIT);
    }
}
