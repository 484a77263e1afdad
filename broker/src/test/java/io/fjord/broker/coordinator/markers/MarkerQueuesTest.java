package io.fjord.broker.coordinator.markers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.coordinator.transaction.TransactionMarkers;
import io.fjord.broker.coordinator.transaction.TransactionPartition;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.RequestEncoder;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.WriteTxnMarkersRequestData;
import io.fjord.protocol.message.WriteTxnMarkersResponseData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The marker channel's core, driven input by input with a manual time. */
class MarkerQueuesTest {
    private static final long BACKOFF_MS = 100;
    private static final TransactionPartition ORDERS_0 = new TransactionPartition("orders", 0);
    private static final TransactionPartition ORDERS_1 = new TransactionPartition("orders", 1);
    private static final TransactionPartition PAYMENTS_0 = new TransactionPartition("payments", 0);

    private final Map<TransactionPartition, Integer> leaders = new HashMap<>();
    private long nowMs = 1_000;
    private MarkerQueues queues = queues(MarkerChannelConfig.withDefaults());

    private MarkerQueues queues(MarkerChannelConfig config) {
        return new MarkerQueues(config.withRetryBackoffMs(BACKOFF_MS),
                partition -> leaders.getOrDefault(partition, PartitionLeaders.PARTITION_DELETED),
                transactionalId -> transactionalId.startsWith("a") ? 1 : 2);
    }

    @Test
    void markersOfManyTransactionsGoInOneRequestPerLeader() {
        leaders.putAll(Map.of(ORDERS_0, 1, ORDERS_1, 2, PAYMENTS_0, 1));
        TransactionMarkers first = markers("a-1", 10, true, 5, ORDERS_0, ORDERS_1);
        TransactionMarkers second = markers("b-1", 11, false, 7, PAYMENTS_0);
        assertThat(queues.add(first, nowMs)).isEmpty();
        assertThat(queues.add(second, nowMs)).isEmpty();

        MarkerQueues.Drained drained = queues.drain(nowMs);
        assertThat(drained.outcomes()).isEmpty();
        assertThat(drained.requests()).extracting(MarkerRequest::destination).containsExactly(1, 2);
        MarkerRequest toOne = drained.requests().get(0);
        assertThat(sent(toOne)).containsExactly(Map.entry(10L, List.of(ORDERS_0)), Map.entry(11L, List.of(PAYMENTS_0)));
        assertThat(sent(drained.requests().get(1))).containsExactly(Map.entry(10L, List.of(ORDERS_1)));
        WriteTxnMarkersRequestData body = toOne.toRequestData((short) 2);
        assertThat(body.markers().get(0).transactionResult()).isTrue();
        assertThat(body.markers().get(0).coordinatorEpoch()).isEqualTo(5);
        assertThat(body.markers().get(0).transactionVersion()).isEqualTo((byte) 2);
        assertThat(body.markers().get(1).transactionResult()).isFalse();
        assertThat(toOne.toRequestData((short) 1).markers().get(0).transactionVersion())
                .as("v1 has no transaction version field").isZero();

        List<MarkerOutcome> outcomes = new ArrayList<>(queues.onResponse(toOne, answer(toOne, (id, p) -> Errors.NONE),
                nowMs));
        outcomes.addAll(queues.onResponse(drained.requests().get(1),
                answer(drained.requests().get(1), (id, p) -> Errors.NONE), nowMs));
        assertThat(outcomes).containsExactlyInAnyOrder(new MarkerOutcome.Written(first, ORDERS_0),
                new MarkerOutcome.Written(second, PAYMENTS_0), new MarkerOutcome.Written(first, ORDERS_1));
        assertThat(queues.pendingPartitions()).isZero();
    }

    @Test
    void oneRequestInFlightPerBrokerAndTheNextGoesOnceItIsAnswered() {
        leaders.putAll(Map.of(ORDERS_0, 1, PAYMENTS_0, 1));
        queues.add(markers("a-1", 10, true, 5, ORDERS_0), nowMs);
        MarkerRequest first = single(queues.drain(nowMs));
        TransactionMarkers later = markers("a-2", 11, true, 5, PAYMENTS_0);
        queues.add(later, nowMs);
        assertThat(queues.drain(nowMs).requests()).as("broker 1 has a request in flight").isEmpty();

        queues.onResponse(first, answer(first, (id, p) -> Errors.NONE), nowMs);
        MarkerRequest next = single(queues.drain(nowMs));
        assertThat(sent(next)).containsExactly(Map.entry(11L, List.of(PAYMENTS_0)));
    }

    @Test
    void notLeaderIsRetriedAfterTheBackOffToTheNewLeader() {
        leaders.put(ORDERS_0, 1);
        TransactionMarkers markers = markers("a-1", 10, true, 5, ORDERS_0);
        queues.add(markers, nowMs);
        MarkerRequest first = single(queues.drain(nowMs));
        assertThat(queues.onResponse(first, answer(first, (id, p) -> Errors.NOT_LEADER_OR_FOLLOWER), nowMs))
                .isEmpty();
        leaders.put(ORDERS_0, 3);
        assertThat(queues.drain(nowMs + BACKOFF_MS - 1).requests()).as("backing off").isEmpty();
        assertThat(queues.nextRetryMs(nowMs)).isEqualTo(nowMs + BACKOFF_MS);

        MarkerRequest retry = single(queues.drain(nowMs + BACKOFF_MS));
        assertThat(retry.destination()).isEqualTo(3);
        assertThat(queues.onResponse(retry, answer(retry, (id, p) -> Errors.NONE), nowMs + BACKOFF_MS))
                .containsExactly(new MarkerOutcome.Written(markers, ORDERS_0));
    }

    @Test
    void retriableErrorsAndAFailedRequestSendThePartitionsAgain() {
        leaders.putAll(Map.of(ORDERS_0, 1, ORDERS_1, 1, PAYMENTS_0, 1));
        TransactionMarkers markers = markers("a-1", 10, true, 5, ORDERS_0, ORDERS_1, PAYMENTS_0);
        queues.add(markers, nowMs);
        for (Errors retriable : List.of(Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.NOT_ENOUGH_REPLICAS,
                Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND, Errors.REQUEST_TIMED_OUT, Errors.KAFKA_STORAGE_ERROR,
                Errors.COORDINATOR_LOAD_IN_PROGRESS, Errors.NOT_COORDINATOR, Errors.COORDINATOR_NOT_AVAILABLE,
                Errors.UNKNOWN_SERVER_ERROR)) {
            MarkerRequest request = single(queues.drain(nowMs));
            assertThat(queues.onResponse(request, answer(request, (id, p) -> retriable), nowMs)).as("%s", retriable)
                    .isEmpty();
            nowMs += BACKOFF_MS;
        }
        MarkerRequest lost = single(queues.drain(nowMs));
        queues.onFailure(lost, nowMs);
        leaders.putAll(Map.of(ORDERS_0, 2, ORDERS_1, 2, PAYMENTS_0, 2));
        nowMs += BACKOFF_MS;
        MarkerRequest again = single(queues.drain(nowMs));
        assertThat(again.destination()).as("the failed request's partitions go to their new leader").isEqualTo(2);
        assertThat(sent(again)).containsExactly(Map.entry(10L, List.of(ORDERS_0, ORDERS_1, PAYMENTS_0)));
        // A partition missing from the answer is retried too; UNSUPPORTED_VERSION counts as written, as in Kafka.
        List<MarkerOutcome> outcomes = queues.onResponse(again, answer(again, (id, p) -> p.equals(ORDERS_1) ? null
                : p.equals(ORDERS_0) ? Errors.UNSUPPORTED_VERSION : Errors.NONE), nowMs);
        assertThat(outcomes).containsExactly(new MarkerOutcome.Written(markers, ORDERS_0),
                new MarkerOutcome.Written(markers, PAYMENTS_0));
        assertThat(queues.pendingPartitions()).isEqualTo(1);
        MarkerRequest last = single(queues.drain(nowMs + BACKOFF_MS));
        assertThat(sent(last)).containsExactly(Map.entry(10L, List.of(ORDERS_1)));
    }

    @Test
    void aFencedCoordinatorOrProducerEpochAbandonsTheWholeTransaction() {
        leaders.putAll(Map.of(ORDERS_0, 1, ORDERS_1, 2, PAYMENTS_0, 1));
        TransactionMarkers fenced = markers("a-1", 10, true, 5, ORDERS_0, ORDERS_1);
        TransactionMarkers other = markers("b-1", 11, true, 5, PAYMENTS_0);
        queues.add(fenced, nowMs);
        queues.add(other, nowMs);
        List<MarkerRequest> requests = queues.drain(nowMs).requests();
        MarkerRequest toOne = requests.get(0);
        MarkerRequest toTwo = requests.get(1);

        List<MarkerOutcome> outcomes = queues.onResponse(toOne, answer(toOne,
                (id, p) -> id == 10 ? Errors.TRANSACTION_COORDINATOR_FENCED : Errors.NONE), nowMs);
        assertThat(outcomes).containsExactly(new MarkerOutcome.Abandoned(fenced, Errors.TRANSACTION_COORDINATOR_FENCED),
                new MarkerOutcome.Written(other, PAYMENTS_0));
        assertThat(queues.onResponse(toTwo, answer(toTwo, (id, p) -> Errors.NONE), nowMs))
                .as("the abandoned transaction's other partitions report nothing").isEmpty();
        assertThat(queues.pendingPartitions()).isZero();

        TransactionMarkers bumped = markers("a-1", 12, false, 5, ORDERS_0);
        queues.add(bumped, nowMs);
        MarkerRequest request = single(queues.drain(nowMs));
        assertThat(queues.onResponse(request, answer(request, (id, p) -> Errors.INVALID_PRODUCER_EPOCH), nowMs))
                .containsExactly(new MarkerOutcome.Abandoned(bumped, Errors.INVALID_PRODUCER_EPOCH));
        assertThat(queues.drain(nowMs + BACKOFF_MS).requests()).isEmpty();
    }

    @Test
    void aPartitionTheImageNoLongerHasCountsAsWrittenWhileAnUnknownLeaderWaits() {
        leaders.put(ORDERS_1, PartitionLeaders.LEADER_UNKNOWN);
        TransactionMarkers markers = markers("a-1", 10, true, 5, ORDERS_0, ORDERS_1);
        queues.add(markers, nowMs);
        MarkerQueues.Drained drained = queues.drain(nowMs);
        assertThat(drained.requests()).isEmpty();
        assertThat(drained.outcomes()).as("orders-0's topic is deleted")
                .containsExactly(new MarkerOutcome.Written(markers, ORDERS_0));
        assertThat(queues.nextRetryMs(nowMs)).isEqualTo(nowMs + BACKOFF_MS);

        leaders.put(ORDERS_1, 2);
        MarkerRequest request = single(queues.drain(nowMs + BACKOFF_MS));
        assertThat(request.destination()).isEqualTo(2);
        // Deleted while the request was in flight: the leader answers UNKNOWN_TOPIC_OR_PARTITION, the image no
        // longer has it, and the retry counts it as written.
        leaders.remove(ORDERS_1);
        queues.onResponse(request, answer(request, (id, p) -> Errors.UNKNOWN_TOPIC_OR_PARTITION), nowMs);
        assertThat(queues.drain(nowMs + 2 * BACKOFF_MS).outcomes())
                .containsExactly(new MarkerOutcome.Written(markers, ORDERS_1));
        assertThat(queues.pendingPartitions()).isZero();
    }

    @Test
    void theChannelHoldsABoundedNumberOfPartitions() {
        queues = queues(MarkerChannelConfig.withDefaults().withBounds(1024, 3));
        leaders.putAll(Map.of(ORDERS_0, 1, ORDERS_1, 1, PAYMENTS_0, 1));
        TransactionMarkers first = markers("a-1", 10, true, 5, ORDERS_0, ORDERS_1);
        TransactionMarkers tooMany = markers("a-2", 11, true, 5, ORDERS_0, PAYMENTS_0);
        assertThat(queues.add(first, nowMs)).isEmpty();
        assertThat(queues.add(tooMany, nowMs))
                .containsExactly(new MarkerOutcome.Abandoned(tooMany, Errors.COORDINATOR_NOT_AVAILABLE));
        assertThat(queues.pendingPartitions()).isEqualTo(2);

        MarkerRequest request = single(queues.drain(nowMs));
        queues.onResponse(request, answer(request, (id, p) -> Errors.NONE), nowMs);
        assertThat(queues.add(tooMany, nowMs)).as("room again once written").isEmpty();
    }

    @Test
    void aLargeBatchIsSplitIntoRequestsWithinTheSizeBound() {
        int bytesMax = 2048;
        queues = queues(MarkerChannelConfig.withDefaults().withBounds(bytesMax, 1_000_000));
        String longTopic = "t".repeat(249);
        List<TransactionPartition> partitions = new ArrayList<>();
        for (int index = 0; index < 300; index++) {
            TransactionPartition partition = new TransactionPartition(index % 2 == 0 ? longTopic : "short-" + index,
                    index);
            partitions.add(partition);
            leaders.put(partition, 1);
        }
        for (int producer = 0; producer < 3; producer++) {
            queues.add(markers("a-" + producer, 100 + producer, true, 5,
                    partitions.subList(producer * 100, producer * 100 + 100).toArray(TransactionPartition[]::new)),
                    nowMs);
        }
        int requests = 0;
        int written = 0;
        while (queues.pendingPartitions() > 0) {
            MarkerRequest request = single(queues.drain(nowMs));
            requests++;
            int encodedBytes = RequestEncoder.encode(ApiKey.WRITE_TXN_MARKERS, (short) 2, 1,
                    "fjord-txn-marker-sender-1", request.toRequestData((short) 2)).remaining();
            assertThat(encodedBytes).isLessThanOrEqualTo(bytesMax);
            written += queues.onResponse(request, answer(request, (id, p) -> Errors.NONE), nowMs).size();
        }
        assertThat(written).isEqualTo(300);
        assertThat(requests).isGreaterThan(1);
    }

    @Test
    void aResignedCoordinatorEpochAbandonsItsMarkersAndRefusesLaterOnes() {
        leaders.putAll(Map.of(ORDERS_0, 1, PAYMENTS_0, 2));
        TransactionMarkers inFlight = markers("a-1", 10, true, 5, ORDERS_0);
        TransactionMarkers waiting = markers("a-2", 11, true, 5, PAYMENTS_0);
        TransactionMarkers otherPartition = markers("b-1", 12, true, 5, PAYMENTS_0);
        queues.add(inFlight, nowMs);
        MarkerRequest request = single(queues.drain(nowMs));
        leaders.put(PAYMENTS_0, PartitionLeaders.LEADER_UNKNOWN);
        queues.add(waiting, nowMs);
        queues.add(otherPartition, nowMs);
        queues.drain(nowMs);

        assertThat(queues.removeCoordinatorEpoch(1, 5)).containsExactlyInAnyOrder(
                new MarkerOutcome.Abandoned(inFlight, Errors.NOT_COORDINATOR),
                new MarkerOutcome.Abandoned(waiting, Errors.NOT_COORDINATOR));
        assertThat(queues.onResponse(request, answer(request, (id, p) -> Errors.NONE), nowMs))
                .as("written late, after the resignation: not reported").isEmpty();
        assertThat(queues.add(markers("a-3", 13, true, 4, ORDERS_0), nowMs)).extracting(Object::getClass)
                .containsExactly(MarkerOutcome.Abandoned.class);
        assertThat(queues.pendingPartitions()).as("only the other partition's transaction").isEqualTo(1);

        TransactionMarkers newEpoch = markers("a-1", 10, true, 6, ORDERS_0);
        assertThat(queues.add(newEpoch, nowMs)).as("led again at a newer epoch").isEmpty();
        MarkerRequest again = single(queues.drain(nowMs));
        assertThat(queues.onResponse(again, answer(again, (id, p) -> Errors.NONE), nowMs))
                .containsExactly(new MarkerOutcome.Written(newEpoch, ORDERS_0));
    }

    @Test
    void theSameMarkersSentTwiceAreSentOnceAndNewerOnesReplaceOlderOnes() {
        leaders.put(ORDERS_0, 1);
        TransactionMarkers markers = markers("a-1", 10, true, 5, ORDERS_0);
        queues.add(markers, nowMs);
        assertThat(queues.add(markers, nowMs)).isEmpty();
        assertThat(queues.pendingPartitions()).isEqualTo(1);

        TransactionMarkers newer = markers("a-1", 10, true, 6, ORDERS_0);
        assertThat(queues.add(newer, nowMs)).containsExactly(
                new MarkerOutcome.Abandoned(markers, Errors.TRANSACTION_COORDINATOR_FENCED));
        assertThat(queues.add(markers, nowMs)).as("older than the held ones").containsExactly(
                new MarkerOutcome.Abandoned(markers, Errors.TRANSACTION_COORDINATOR_FENCED));
        MarkerRequest request = single(queues.drain(nowMs));
        assertThat(request.toRequestData((short) 2).markers()).singleElement()
                .satisfies(marker -> assertThat(marker.coordinatorEpoch()).isEqualTo(6));
    }

    // ---------------------------------------------------------------- helpers

    private static TransactionMarkers markers(String transactionalId, long producerId, boolean commit,
            int coordinatorEpoch, TransactionPartition... partitions) {
        return new TransactionMarkers(transactionalId, producerId, (short) 0, commit,
                new TreeSet<>(List.of(partitions)), coordinatorEpoch, (short) 2);
    }

    private static MarkerRequest single(MarkerQueues.Drained drained) {
        assertThat(drained.requests()).hasSize(1);
        return drained.requests().get(0);
    }

    /** producer id -> partitions, in the request's order. */
    private static Map<Long, List<TransactionPartition>> sent(MarkerRequest request) {
        return request.toRequestData((short) 2).markers().stream().collect(Collectors.toMap(
                WriteTxnMarkersRequestData.WritableTxnMarker::producerId,
                marker -> marker.topics().stream().flatMap(topic -> topic.partitionIndexes().stream()
                        .map(index -> new TransactionPartition(topic.name(), index))).toList(),
                (left, right) -> left, java.util.LinkedHashMap::new));
    }

    /** The broker's answer to {@code request}: each partition's error, a null error leaving the partition out. */
    static WriteTxnMarkersResponseData answer(MarkerRequest request,
            BiFunction<Long, TransactionPartition, Errors> errors) {
        return answer(request.toRequestData((short) 2), errors);
    }

    static WriteTxnMarkersResponseData answer(WriteTxnMarkersRequestData request,
            BiFunction<Long, TransactionPartition, Errors> errors) {
        List<WriteTxnMarkersResponseData.WritableTxnMarkerResult> results = new ArrayList<>();
        for (WriteTxnMarkersRequestData.WritableTxnMarker marker : request.markers()) {
            List<WriteTxnMarkersResponseData.WritableTxnMarkerTopicResult> topics = new ArrayList<>();
            for (WriteTxnMarkersRequestData.WritableTxnMarkerTopic topic : marker.topics()) {
                List<WriteTxnMarkersResponseData.WritableTxnMarkerPartitionResult> partitions = new ArrayList<>();
                for (int index : topic.partitionIndexes()) {
                    Errors error = errors.apply(marker.producerId(), new TransactionPartition(topic.name(), index));
                    if (error != null) {
                        partitions.add(new WriteTxnMarkersResponseData.WritableTxnMarkerPartitionResult()
                                .setPartitionIndex(index).setErrorCode(error.code()));
                    }
                }
                topics.add(new WriteTxnMarkersResponseData.WritableTxnMarkerTopicResult().setName(topic.name())
                        .setPartitions(partitions));
            }
            results.add(new WriteTxnMarkersResponseData.WritableTxnMarkerResult().setProducerId(marker.producerId())
                    .setTopics(topics));
        }
        return new WriteTxnMarkersResponseData().setMarkers(results);
    }
}
