package io.fjord.broker.coordinator.markers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fjord.broker.coordinator.transaction.TransactionMarkers;
import io.fjord.broker.coordinator.transaction.TransactionPartition;
import io.fjord.broker.replica.LeaderEndpoint;
import io.fjord.broker.replica.LeaderEndpoints;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.WriteTxnMarkersRequestData;
import java.io.IOException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The channel with its real thread against fake broker connections: requests are captured and answered by the test.
 */
class NetworkTransactionMarkerChannelTest {
    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final TransactionPartition ORDERS_0 = new TransactionPartition("orders", 0);
    private static final TransactionPartition PAYMENTS_0 = new TransactionPartition("payments", 0);

    /** A request the channel sent, waiting for the test's answer. */
    private record Sent(int broker, WriteTxnMarkersRequestData request, CompletableFuture<ApiMessage> answer) {
    }

    private final Map<TransactionPartition, Integer> leaders = new ConcurrentHashMap<>();
    private final BlockingQueue<Sent> sent = new LinkedBlockingQueue<>();
    private final List<Object> outcomes = new CopyOnWriteArrayList<>();
    private final List<Integer> endpointsMade = new CopyOnWriteArrayList<>();
    private final NetworkTransactionMarkerChannel channel = new NetworkTransactionMarkerChannel(
            MarkerChannelConfig.withDefaults().withRetryBackoffMs(10),
            partition -> leaders.getOrDefault(partition, PartitionLeaders.PARTITION_DELETED),
            transactionalId -> 0, new FakeEndpoints(), InstantSource.system());

    private final TransactionMarkerChannel.Outcomes recording = new TransactionMarkerChannel.Outcomes() {
        @Override
        public void markerWritten(TransactionMarkers markers, TransactionPartition partition) {
            outcomes.add(new MarkerOutcome.Written(markers, partition));
        }

        @Override
        public void markersAbandoned(TransactionMarkers markers, Errors error) {
            outcomes.add(new MarkerOutcome.Abandoned(markers, error));
        }
    };

    @AfterEach
    void close() {
        channel.close();
    }

    @Test
    void markersAreSentToEachLeaderAndReportedWritten() throws Exception {
        channel.start(recording);
        leaders.putAll(Map.of(ORDERS_0, 1, PAYMENTS_0, 2));
        TransactionMarkers markers = markers("t", 10, 5, ORDERS_0, PAYMENTS_0);
        channel.send(markers);

        Sent toOne = next();
        Sent toTwo = next();
        assertThat(List.of(toOne.broker(), toTwo.broker())).containsExactlyInAnyOrder(1, 2);
        toOne.answer().complete(MarkerQueuesTest.answer(toOne.request(), (id, p) -> Errors.NONE));
        toTwo.answer().complete(MarkerQueuesTest.answer(toTwo.request(), (id, p) -> Errors.NONE));
        await().atMost(BOUND).untilAsserted(() -> assertThat(outcomes).containsExactlyInAnyOrder(
                new MarkerOutcome.Written(markers, ORDERS_0), new MarkerOutcome.Written(markers, PAYMENTS_0)));
        assertThat(endpointsMade).as("one endpoint per broker").containsExactlyInAnyOrder(1, 2);
    }

    @Test
    void notLeaderAndAFailedRequestAreRetriedToTheCurrentLeader() throws Exception {
        TransactionMarkers markers = markers("t", 10, 5, ORDERS_0);
        Sent first = startAndSendToLeaderOne(markers);
        leaders.put(ORDERS_0, 2);
        first.answer().complete(MarkerQueuesTest.answer(first.request(), (id, p) -> Errors.NOT_LEADER_OR_FOLLOWER));
        Sent second = next();
        assertThat(second.broker()).isEqualTo(2);
        leaders.put(ORDERS_0, 3);
        second.answer().completeExceptionally(new IOException("the connection to leader 2 closed"));
        Sent third = next();
        assertThat(third.broker()).isEqualTo(3);
        assertThat(outcomes).isEmpty();
        third.answer().complete(MarkerQueuesTest.answer(third.request(), (id, p) -> Errors.NONE));
        await().atMost(BOUND).untilAsserted(() -> assertThat(outcomes)
                .containsExactly(new MarkerOutcome.Written(markers, ORDERS_0)));
    }

    @Test
    void fencingAbandonsAndADeletedTopicCountsAsWritten() throws Exception {
        TransactionMarkers fenced = markers("t", 10, 5, ORDERS_0);
        TransactionMarkers deleted = markers("u", 11, 5, PAYMENTS_0);
        Sent request = startAndSendToLeaderOne(fenced, deleted);
        request.answer().complete(MarkerQueuesTest.answer(request.request(),
                (id, p) -> Errors.TRANSACTION_COORDINATOR_FENCED));
        await().atMost(BOUND).untilAsserted(() -> assertThat(outcomes).containsExactlyInAnyOrder(
                new MarkerOutcome.Abandoned(fenced, Errors.TRANSACTION_COORDINATOR_FENCED),
                new MarkerOutcome.Written(deleted, PAYMENTS_0)));
    }

    @Test
    void aClosedChannelReportsNothingMoreAndSendsNothingMore() throws Exception {
        Sent inFlight = startAndSendToLeaderOne(markers("t", 10, 5, ORDERS_0));

        channel.close();
        inFlight.answer().complete(MarkerQueuesTest.answer(inFlight.request(), (id, p) -> Errors.NONE));
        channel.send(markers("u", 11, 5, ORDERS_0));
        channel.removeCoordinatorEpoch(0, 5);
        // The channel's thread is gone once close returns, so nothing can be sent or reported any more.
        assertThat(sent).as("nothing sent after close").isEmpty();
        assertThat(outcomes).as("no outcome after close, not even of the answered request").isEmpty();
    }

    @Test
    void sendingBeforeStartIsRefusedAndStartingTwiceToo() {
        assertThatThrownBy(() -> channel.send(markers("t", 10, 5, ORDERS_0)))
                .isInstanceOf(IllegalStateException.class);
        channel.start(recording);
        assertThatThrownBy(() -> channel.start(recording)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void resigningAnEpochAbandonsItsMarkers() throws Exception {
        TransactionMarkers markers = markers("t", 10, 5, ORDERS_0);
        Sent inFlight = startAndSendToLeaderOne(markers);
        channel.removeCoordinatorEpoch(0, 5);
        await().atMost(BOUND).untilAsserted(() -> assertThat(outcomes)
                .containsExactly(new MarkerOutcome.Abandoned(markers, Errors.NOT_COORDINATOR)));
        inFlight.answer().complete(MarkerQueuesTest.answer(inFlight.request(), (id, p) -> Errors.NONE));
        TransactionMarkers late = markers("u", 11, 5, ORDERS_0);
        channel.send(late);
        await().atMost(BOUND).untilAsserted(() -> assertThat(outcomes).containsExactly(
                new MarkerOutcome.Abandoned(markers, Errors.NOT_COORDINATOR),
                new MarkerOutcome.Abandoned(late, Errors.NOT_COORDINATOR)));
    }

    // ---------------------------------------------------------------- helpers

    /** Starts the channel with broker 1 leading orders-0, sends {@code markers} and returns the first request. */
    private Sent startAndSendToLeaderOne(TransactionMarkers... markers) throws InterruptedException {
        channel.start(recording);
        leaders.put(ORDERS_0, 1);
        for (TransactionMarkers sentMarkers : markers) {
            channel.send(sentMarkers);
        }
        return next();
    }

    private Sent next() throws InterruptedException {
        Sent next = sent.poll(BOUND.toSeconds(), TimeUnit.SECONDS);
        assertThat(next).as("a request within %s", BOUND).isNotNull();
        return next;
    }

    private static TransactionMarkers markers(String transactionalId, long producerId, int coordinatorEpoch,
            TransactionPartition... partitions) {
        return new TransactionMarkers(transactionalId, producerId, (short) 0, true,
                new TreeSet<>(List.of(partitions)), coordinatorEpoch, (short) 2);
    }

    /** Endpoints that hand every request to the test, built at v2 as a Kafka 4.4 broker would take it. */
    private final class FakeEndpoints implements LeaderEndpoints {
        @Override
        public LeaderEndpoint endpoint(int leaderId, int fetcherIndex) {
            endpointsMade.add(leaderId);
            return new LeaderEndpoint() {
                @Override
                public CompletableFuture<ApiMessage> send(ApiKey api, RequestBuilder request) {
                    assertThat(api).isEqualTo(ApiKey.WRITE_TXN_MARKERS);
                    CompletableFuture<ApiMessage> answer = new CompletableFuture<>();
                    sent.add(new Sent(leaderId, (WriteTxnMarkersRequestData) request.build((short) 2), answer));
                    return answer;
                }

                @Override
                public void close() {
                }
            };
        }
    }
}
