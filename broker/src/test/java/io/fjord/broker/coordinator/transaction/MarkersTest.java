package io.fjord.broker.coordinator.transaction;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Markers reported partition by partition, as Kafka's marker channel removes each partition once it is written. */
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
}
