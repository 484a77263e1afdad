package io.fjord.broker.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.replica.ReplicaManager.AppendOutcome;
import io.fjord.broker.replica.ReplicaManager.MarkerAppend;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.WriteTxnMarkersRequestData;
import io.fjord.protocol.message.WriteTxnMarkersResponseData;
import io.fjord.storage.TopicPartition;
import io.fjord.storage.TransactionMarker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * WriteTxnMarkers: each marker's partitions go to the replica manager with the marker Kafka writes, the response
 * waits for every append, groups results by producer id and topic, and offsets partitions go to the group
 * coordinator's completion when there is one.
 */
class WriteTxnMarkersHandlerTest {
    private static final long TIMEOUT_MS = 30_000;

    /** Records each call and answers it when the test says so. */
    private static final class RecordingWriter implements WriteTxnMarkersHandler.MarkerWriter {
        final List<List<MarkerAppend>> calls = new CopyOnWriteArrayList<>();
        final List<CompletableFuture<List<AppendOutcome>>> answers = new CopyOnWriteArrayList<>();
        final List<Long> timeouts = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<List<AppendOutcome>> appendTransactionMarkers(long timeoutMs,
                                                                               List<MarkerAppend> markers) {
            CompletableFuture<List<AppendOutcome>> answer = new CompletableFuture<>();
            calls.add(List.copyOf(markers));
            answers.add(answer);
            timeouts.add(timeoutMs);
            return answer;
        }

        /** Answers call {@code index} with {@code errors} in its partitions' order. */
        void answer(int index, Errors... errors) {
            List<AppendOutcome> outcomes = new ArrayList<>();
            List<MarkerAppend> call = calls.get(index);
            for (int position = 0; position < call.size(); position++) {
                outcomes.add(new AppendOutcome(call.get(position).topicPartition(), errors[position], null, null));
            }
            answers.get(index).complete(outcomes);
        }
    }

    private final RecordingWriter writer = new RecordingWriter();

    private static WriteTxnMarkersRequestData.WritableTxnMarker marker(long producerId, short epoch, boolean commit,
                                                                      int coordinatorEpoch,
                                                                      Map<String, List<Integer>> partitions) {
        WriteTxnMarkersRequestData.WritableTxnMarker marker = new WriteTxnMarkersRequestData.WritableTxnMarker()
                .setProducerId(producerId).setProducerEpoch(epoch).setTransactionResult(commit)
                .setCoordinatorEpoch(coordinatorEpoch);
        partitions.forEach((topic, indexes) -> marker.topics().add(
                new WriteTxnMarkersRequestData.WritableTxnMarkerTopic().setName(topic)
                        .setPartitionIndexes(new ArrayList<>(indexes))));
        return marker;
    }

    private static CompletionStage<?> send(WriteTxnMarkersHandler handler,
                                           WriteTxnMarkersRequestData.WritableTxnMarker... markers) {
        WriteTxnMarkersRequestData request = new WriteTxnMarkersRequestData()
                .setMarkers(new ArrayList<>(List.of(markers)));
        return handler.handle(null, new DecodedRequest(ApiKey.WRITE_TXN_MARKERS, (short) 1, 1, "coordinator",
                (short) 2, request, 0));
    }

    private static WriteTxnMarkersResponseData join(CompletionStage<?> stage) throws Exception {
        return (WriteTxnMarkersResponseData) stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** producer id -> "topic-partition=error" in the response's order. */
    private static Map<Long, List<String>> errors(WriteTxnMarkersResponseData response) {
        Map<Long, List<String>> errors = new LinkedHashMap<>();
        for (WriteTxnMarkersResponseData.WritableTxnMarkerResult result : response.markers()) {
            List<String> partitions = errors.computeIfAbsent(result.producerId(), unused -> new ArrayList<>());
            for (WriteTxnMarkersResponseData.WritableTxnMarkerTopicResult topic : result.topics()) {
                for (WriteTxnMarkersResponseData.WritableTxnMarkerPartitionResult partition : topic.partitions()) {
                    partitions.add(topic.name() + "-" + partition.partitionIndex() + "="
                            + Errors.forCode(partition.errorCode()));
                }
            }
        }
        return errors;
    }

    @Test
    void eachMarkerIsAppendedAndTheResponseWaitsForEveryAppend() throws Exception {
        WriteTxnMarkersHandler handler = new WriteTxnMarkersHandler(writer, null, TIMEOUT_MS);
        CompletionStage<?> response = send(handler,
                marker(7, (short) 3, true, 11, Map.of("a", List.of(0, 1))),
                marker(8, (short) 0, false, 11, Map.of("b", List.of(2))));

        assertThat(writer.calls).hasSize(2);
        assertThat(writer.calls.get(0)).containsExactly(
                new MarkerAppend(new TopicPartition("a", 0), 7, (short) 3, new TransactionMarker(true, 11)),
                new MarkerAppend(new TopicPartition("a", 1), 7, (short) 3, new TransactionMarker(true, 11)));
        assertThat(writer.calls.get(1)).containsExactly(
                new MarkerAppend(new TopicPartition("b", 2), 8, (short) 0, new TransactionMarker(false, 11)));
        assertThat(writer.timeouts).containsOnly(TIMEOUT_MS);

        writer.answer(1, Errors.NONE);
        assertThat(response.toCompletableFuture()).as("the first marker is not replicated yet").isNotDone();
        writer.answer(0, Errors.NONE, Errors.NOT_LEADER_OR_FOLLOWER);
        assertThat(errors(join(response))).containsExactly(
                Map.entry(7L, List.of("a-0=NONE", "a-1=NOT_LEADER_OR_FOLLOWER")),
                Map.entry(8L, List.of("b-2=NONE")));
    }

    @Test
    void invalidPartitionsAreUnknownAndDuplicatesWrittenOnce() throws Exception {
        WriteTxnMarkersHandler handler = new WriteTxnMarkersHandler(writer, null, TIMEOUT_MS);
        Map<String, List<Integer>> partitions = new LinkedHashMap<>();
        partitions.put("a", List.of(0, 0, -1));
        partitions.put("", List.of(1));
        CompletionStage<?> response = send(handler, marker(7, (short) 0, true, 0, partitions));
        assertThat(writer.calls).singleElement().satisfies(call -> assertThat(call)
                .extracting(MarkerAppend::topicPartition).containsExactly(new TopicPartition("a", 0)));
        writer.answer(0, Errors.NONE);
        assertThat(errors(join(response)).get(7L)).containsExactlyInAnyOrder("a-0=NONE",
                "a--1=UNKNOWN_TOPIC_OR_PARTITION", "-1=UNKNOWN_TOPIC_OR_PARTITION");
    }

    @Test
    void markersOfOneProducerInTwoEntriesMergeIntoOneResult() throws Exception {
        WriteTxnMarkersHandler handler = new WriteTxnMarkersHandler(writer, null, TIMEOUT_MS);
        CompletionStage<?> response = send(handler, marker(7, (short) 0, true, 0, Map.of("a", List.of(0))),
                marker(7, (short) 0, true, 0, Map.of("a", List.of(1))));
        writer.answer(0, Errors.NONE);
        writer.answer(1, Errors.INVALID_PRODUCER_EPOCH);
        WriteTxnMarkersResponseData answered = join(response);
        assertThat(answered.markers()).hasSize(1);
        assertThat(errors(answered).get(7L)).containsExactly("a-0=NONE", "a-1=INVALID_PRODUCER_EPOCH");
    }

    @Test
    void anEmptyRequestIsAnsweredAtOnce() throws Exception {
        WriteTxnMarkersHandler handler = new WriteTxnMarkersHandler(writer, null, TIMEOUT_MS);
        assertThat(join(send(handler)).markers()).isEmpty();
        assertThat(writer.calls).isEmpty();
    }

    @Test
    void offsetsPartitionsGoToTheGroupCoordinatorWithItsErrorsTranslated() throws Exception {
        List<String> completions = new CopyOnWriteArrayList<>();
        WriteTxnMarkersHandler handler = new WriteTxnMarkersHandler(writer,
                (partition, producerId, producerEpoch, coordinatorEpoch, commit, timeoutMs) -> {
                    completions.add(partition + " " + producerId + " " + producerEpoch + " " + coordinatorEpoch
                            + " " + commit + " " + timeoutMs);
                    return CompletableFuture.completedFuture(partition.partition() == 0
                            ? Errors.COORDINATOR_LOAD_IN_PROGRESS : Errors.NONE);
                }, TIMEOUT_MS);
        CompletionStage<?> response = send(handler, marker(7, (short) 2, true, 4,
                Map.of("__consumer_offsets", List.of(0, 1))));
        assertThat(writer.calls).as("no marker appended by the handler for them").isEmpty();
        assertThat(completions).containsExactly("__consumer_offsets-0 7 2 4 true 30000",
                "__consumer_offsets-1 7 2 4 true 30000");
        assertThat(errors(join(response)).get(7L)).containsExactly(
                "__consumer_offsets-0=NOT_LEADER_OR_FOLLOWER", "__consumer_offsets-1=NONE");
    }

    @Test
    void withoutAGroupCoordinatorCompletionOffsetsMarkersAreAppendedAsAnyOther() throws Exception {
        WriteTxnMarkersHandler handler = new WriteTxnMarkersHandler(writer, null, TIMEOUT_MS);
        CompletionStage<?> response = send(handler, marker(7, (short) 2, false, 4,
                Map.of("__consumer_offsets", List.of(3))));
        assertThat(writer.calls).singleElement().satisfies(call -> assertThat(call).containsExactly(
                new MarkerAppend(new TopicPartition("__consumer_offsets", 3), 7, (short) 2,
                        new TransactionMarker(false, 4))));
        writer.answer(0, Errors.NONE);
        assertThat(errors(join(response)).get(7L)).containsExactly("__consumer_offsets-3=NONE");
    }
}
