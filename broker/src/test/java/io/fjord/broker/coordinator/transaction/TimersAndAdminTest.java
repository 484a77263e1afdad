package io.fjord.broker.coordinator.transaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.coordinator.transaction.records.TransactionRecord;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.DescribeTransactionsRequestData;
import io.fjord.protocol.message.DescribeTransactionsResponseData;
import io.fjord.protocol.message.ListTransactionsRequestData;
import io.fjord.protocol.message.ListTransactionsResponseData;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The timeout abort, the transactional id expiration, markers named again at load, and Describe/ListTransactions. */
class TimersAndAdminTest {
    private static final long PRODUCER = 1000L;

    @Test
    void aTransactionOlderThanItsTimeoutIsAbortedWithAFencingBumpAtTheNextSweep() {
        TransactionHarness harness = new TransactionHarness();
        harness.init("t", 20_000);
        harness.add("t", PRODUCER, (short) 0, (short) 3, "orders", 0);
        long interval = harness.config.abortTimedOutTransactionsIntervalMs();
        assertThat(harness.shard.nextTimerDeadlineMs()).isEqualTo(harness.nowMs + interval);
        harness.nowMs += 20_000;
        harness.poll();
        assertThat(harness.metadata("t").state()).as("not older than its timeout yet")
                .isEqualTo(TransactionState.ONGOING);
        harness.nowMs += interval;
        harness.poll();
        TransactionMetadata aborted = harness.metadata("t");
        assertThat(aborted.state()).isEqualTo(TransactionState.PREPARE_ABORT);
        assertThat(aborted.producerEpoch()).isEqualTo((short) 1);
        assertThat(harness.last.markers()).singleElement().satisfies(markers ->
                assertThat(markers.commit()).isFalse());
        harness.markersWritten("t");
        assertThat(harness.end("t", PRODUCER, (short) 0, true, (short) 4).errorCode())
                .isEqualTo(Errors.PRODUCER_FENCED.code());
    }

    @Test
    void idleIdsExpireWithATombstoneButNotWhileATransactionIsOpen() {
        TransactionCoordinatorConfig config = new TransactionCoordinatorConfig(900_000, 100_000L, 10_000L, 50_000L,
                (short) 2);
        TransactionHarness harness = new TransactionHarness(config, List.of());
        harness.init("idle", 60_000);
        harness.init("busy", 600_000);
        harness.add("busy", PRODUCER + 1, (short) 0, (short) 3, "orders", 0);
        harness.nowMs += 150_000;
        harness.poll();
        assertThat(harness.last.records()).containsExactly(TransactionRecord.tombstone("idle"));
        assertThat(harness.metadata("idle")).isNull();
        assertThat(harness.metadata("busy")).isNotNull();
        // The id starts over with a new producer id.
        assertThat(harness.init("idle", 60_000).producerId()).isEqualTo(PRODUCER + 2);
    }

    @Test
    void aNewLeaderNamesTheMarkersOfEveryPreparingTransactionAgain() {
        TransactionHarness first = new TransactionHarness();
        first.init("t", 60_000);
        first.add("t", PRODUCER, (short) 0, (short) 3, "orders", 0);
        first.end("t", PRODUCER, (short) 0, true, (short) 4);
        TransactionHarness second = new TransactionHarness(first.config, first.log);
        assertThat(second.last.markers()).singleElement().satisfies(markers -> {
            assertThat(markers.commit()).isTrue();
            assertThat(markers.transactionalId()).isEqualTo("t");
        });
        assertThat(second.shard.durableState()).isEqualTo(first.shard.durableState());
    }

    @Test
    void describeShowsStatePartitionsAndUnknownIds() {
        TransactionHarness harness = new TransactionHarness();
        harness.init("t", 60_000);
        harness.add("t", PRODUCER, (short) 0, (short) 3, "orders", 1, 0);
        DescribeTransactionsResponseData response = (DescribeTransactionsResponseData) harness.record(
                harness.shard.describeTransactions(new DescribeTransactionsRequestData().setTransactionalIds(
                        new ArrayList<>(List.of("t", "nobody"))), harness.nowMs)).response();
        DescribeTransactionsResponseData.TransactionState described = response.transactionStates().get(0);
        assertThat(described.errorCode()).isZero();
        assertThat(described.transactionState()).isEqualTo("Ongoing");
        assertThat(described.producerId()).isEqualTo(PRODUCER);
        assertThat(described.transactionTimeoutMs()).isEqualTo(60_000);
        assertThat(described.transactionStartTimeMs()).isEqualTo(harness.nowMs);
        assertThat(described.topics()).singleElement().satisfies(topic -> {
            assertThat(topic.topic()).isEqualTo("orders");
            assertThat(topic.partitions()).containsExactly(0, 1);
        });
        assertThat(response.transactionStates().get(1).errorCode())
                .isEqualTo(Errors.TRANSACTIONAL_ID_NOT_FOUND.code());
    }

    @Test
    void listFiltersByStateProducerIdDurationAndPattern() {
        TransactionHarness harness = new TransactionHarness();
        harness.init("orders-app", 60_000);
        harness.init("payments-app", 60_000);
        harness.add("orders-app", PRODUCER, (short) 0, (short) 3, "orders", 0);
        harness.nowMs += 5_000;
        assertThat(ids(list(harness, new ListTransactionsRequestData()))).containsExactly("orders-app",
                "payments-app");
        assertThat(ids(list(harness, new ListTransactionsRequestData().setStateFilters(
                new ArrayList<>(List.of("Ongoing")))))).containsExactly("orders-app");
        assertThat(ids(list(harness, new ListTransactionsRequestData().setProducerIdFilters(
                new ArrayList<>(List.of(PRODUCER + 1)))))).containsExactly("payments-app");
        // KIP-994: running longer than the filter; an Empty id has no start (-1), which Kafka counts as long ago.
        assertThat(ids(list(harness, new ListTransactionsRequestData().setStateFilters(new ArrayList<>(
                List.of("Ongoing"))).setDurationFilter(4_000L)))).containsExactly("orders-app");
        assertThat(ids(list(harness, new ListTransactionsRequestData().setStateFilters(new ArrayList<>(
                List.of("Ongoing"))).setDurationFilter(5_000L)))).isEmpty();
        assertThat(ids(list(harness, new ListTransactionsRequestData().setTransactionalIdPattern("pay.*"))))
                .containsExactly("payments-app");
        ListTransactionsResponseData unknown = list(harness, new ListTransactionsRequestData().setStateFilters(
                new ArrayList<>(List.of("Sleeping"))));
        assertThat(unknown.unknownStateFilters()).containsExactly("Sleeping");
        assertThat(unknown.transactionStates()).isEmpty();
        assertThat(list(harness, new ListTransactionsRequestData().setTransactionalIdPattern("(")).errorCode())
                .isEqualTo(Errors.INVALID_REGULAR_EXPRESSION.code());
        // RE2's syntax, as Kafka's RE2/J reads it: a POSIX class (a set of letters to Java), no look-ahead.
        assertThat(ids(list(harness, new ListTransactionsRequestData().setTransactionalIdPattern(
                "[[:alpha:]]+-app")))).containsExactly("orders-app", "payments-app");
        assertThat(list(harness, new ListTransactionsRequestData().setTransactionalIdPattern("(?=o)orders-app"))
                .errorCode()).isEqualTo(Errors.INVALID_REGULAR_EXPRESSION.code());
    }

    private static ListTransactionsResponseData list(TransactionHarness harness, ListTransactionsRequestData request) {
        return (ListTransactionsResponseData) harness.record(harness.shard.listTransactions(request, harness.nowMs))
                .response();
    }

    private static List<String> ids(ListTransactionsResponseData response) {
        return response.transactionStates().stream().map(ListTransactionsResponseData.TransactionState::transactionalId)
                .toList();
    }
}
