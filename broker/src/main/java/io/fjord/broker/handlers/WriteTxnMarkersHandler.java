package io.fjord.broker.handlers;

import io.fjord.broker.coordinator.group.OffsetsPartitions;
import io.fjord.broker.network.RequestContext;
import io.fjord.broker.replica.ReplicaManager.AppendOutcome;
import io.fjord.broker.replica.ReplicaManager.MarkerAppend;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.WriteTxnMarkersRequestData;
import io.fjord.protocol.message.WriteTxnMarkersResponseData;
import io.fjord.storage.TopicPartition;
import io.fjord.storage.TransactionMarker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WriteTxnMarkers (API 27), as Kafka's handler: the transaction coordinator (or {@code Admin.abortTransaction}) asks
 * this broker to end producers' transactions in the partitions it leads. Each marker of the request goes to the
 * {@link MarkerWriter} (the replica manager: a control batch appended with acks=all, answered once the high watermark
 * passes it); the response, one result per producer id with an error per partition, leaves when every marker is
 * answered. Errors per partition are the append's: UNKNOWN_TOPIC_OR_PARTITION (not hosted here),
 * NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS(_AFTER_APPEND), INVALID_PRODUCER_EPOCH, TRANSACTION_COORDINATOR_FENCED,
 * REQUEST_TIMED_OUT (after {@code request.timeout.ms}), KAFKA_STORAGE_ERROR.
 *
 * <p>A marker for a {@code __consumer_offsets} partition goes, as in Kafka 4.4, to the group coordinator when an
 * {@link OffsetsTransactionCompleter} is given, since ending the transaction there also commits or drops the producer's
 * pending transactional offsets; its coordinator errors become NOT_LEADER_OR_FOLLOWER (what the transaction
 * coordinator retries). Without one (a node without a group coordinator, tests) such a marker is appended as any
 * other.
 *
 * <p>Authorization: Kafka asks for ALTER or CLUSTER_ACTION on the cluster; Fjord has no authorizer yet, so, as Kafka
 * without ACLs, the request is accepted on every broker listener (the schema's listeners are "broker").
 *
 * <p>Thread-safe: no mutable state; the answer is assembled once every marker's future completed.
 */
public final class WriteTxnMarkersHandler implements ApiHandler {
    private static final Logger LOG = LoggerFactory.getLogger(WriteTxnMarkersHandler.class);

    /** Where the markers are appended: {@code ReplicaManager::appendTransactionMarkers}. */
    @FunctionalInterface
    public interface MarkerWriter {
        CompletableFuture<List<AppendOutcome>> appendTransactionMarkers(long timeoutMs, List<MarkerAppend> markers);
    }

    /**
     * The group coordinator's end of a transaction in an offsets partition (Kafka's
     * {@code GroupCoordinator.completeTransaction}): writes the marker and applies or drops the producer's pending
     * transactional offsets in that partition; completes with the partition's error (NONE on success).
     */
    @FunctionalInterface
    public interface OffsetsTransactionCompleter {
        CompletableFuture<Errors> completeTransaction(TopicPartition offsetsPartition, long producerId,
                                                      short producerEpoch, int coordinatorEpoch, boolean commit,
                                                      long timeoutMs);
    }

    private final MarkerWriter writer;
    private final OffsetsTransactionCompleter offsetsCompleter;
    private final long timeoutMs;

    /**
     * @param offsetsCompleter the group coordinator's completion, or null to append offsets partitions' markers as
     *                         any other
     * @param timeoutMs        how long a marker waits for its replication: {@code request.timeout.ms}, as Kafka
     */
    public WriteTxnMarkersHandler(MarkerWriter writer, OffsetsTransactionCompleter offsetsCompleter, long timeoutMs) {
        this.writer = writer;
        this.offsetsCompleter = offsetsCompleter;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DecodedRequest request) {
        WriteTxnMarkersRequestData body = (WriteTxnMarkersRequestData) request.body();
        List<CompletableFuture<MarkerResult>> results = new ArrayList<>(body.markers().size());
        for (WriteTxnMarkersRequestData.WritableTxnMarker marker : body.markers()) {
            results.add(write(marker));
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
                .thenApply(unused -> response(results.stream().map(CompletableFuture::join).toList()));
    }

    /** One marker's partitions with their errors, in the request's order. */
    private record MarkerResult(long producerId, Map<RequestedPartition, Errors> errors) {
    }

    /** A partition as the request names it: possibly no valid {@link TopicPartition} (an empty name, an index < 0). */
    private record RequestedPartition(String topic, int partition) {
        static RequestedPartition of(TopicPartition topicPartition) {
            return new RequestedPartition(topicPartition.topic(), topicPartition.partition());
        }
    }

    private CompletableFuture<MarkerResult> write(WriteTxnMarkersRequestData.WritableTxnMarker marker) {
        Map<RequestedPartition, Errors> errors = new LinkedHashMap<>();
        Set<TopicPartition> requested = new LinkedHashSet<>();
        for (WriteTxnMarkersRequestData.WritableTxnMarkerTopic topic : marker.topics()) {
            for (int partition : topic.partitionIndexes()) {
                if (topic.name() == null || topic.name().isEmpty() || partition < 0) {
                    errors.put(new RequestedPartition(topic.name() == null ? "" : topic.name(), partition),
                            Errors.UNKNOWN_TOPIC_OR_PARTITION);
                } else {
                    requested.add(new TopicPartition(topic.name(), partition));
                }
            }
        }
        TransactionMarker control = new TransactionMarker(marker.transactionResult(), marker.coordinatorEpoch());
        List<MarkerAppend> appends = new ArrayList<>();
        List<CompletableFuture<Map<RequestedPartition, Errors>>> answers = new ArrayList<>();
        for (TopicPartition topicPartition : requested) {
            errors.put(RequestedPartition.of(topicPartition), Errors.NONE); // keeps the request's order; the answer overwrites it
            if (offsetsCompleter != null && topicPartition.topic().equals(OffsetsPartitions.TOPIC)) {
                answers.add(completeInOffsets(topicPartition, marker));
            } else {
                appends.add(new MarkerAppend(topicPartition, marker.producerId(), marker.producerEpoch(), control));
            }
        }
        if (!appends.isEmpty()) {
            answers.add(writer.appendTransactionMarkers(timeoutMs, appends).handle((outcomes, failure) -> {
                Map<RequestedPartition, Errors> answered = new LinkedHashMap<>();
                if (failure != null) {
                    LOG.error("Appending transaction markers of producer {} failed", marker.producerId(), failure);
                    appends.forEach(append -> answered.put(RequestedPartition.of(append.topicPartition()),
                            Errors.UNKNOWN_SERVER_ERROR));
                } else {
                    outcomes.forEach(outcome -> answered.put(RequestedPartition.of(outcome.topicPartition()),
                            outcome.error()));
                }
                return answered;
            }));
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(unused -> {
            answers.forEach(answer -> errors.putAll(answer.join()));
            return new MarkerResult(marker.producerId(), errors);
        });
    }

    private CompletableFuture<Map<RequestedPartition, Errors>> completeInOffsets(
            TopicPartition topicPartition, WriteTxnMarkersRequestData.WritableTxnMarker marker) {
        CompletableFuture<Errors> completed;
        try {
            completed = offsetsCompleter.completeTransaction(topicPartition, marker.producerId(),
                    marker.producerEpoch(), marker.coordinatorEpoch(), marker.transactionResult(), timeoutMs);
        } catch (RuntimeException e) {
            completed = CompletableFuture.failedFuture(e);
        }
        return completed.handle((error, failure) -> {
            Errors answered = error == null ? Errors.UNKNOWN_SERVER_ERROR : error;
            if (failure != null) {
                LOG.error("Completing the transaction of producer {} in {} failed", marker.producerId(),
                        topicPartition, failure);
                answered = Errors.UNKNOWN_SERVER_ERROR;
            }
            return Map.of(RequestedPartition.of(topicPartition), coordinatorErrorForMarker(answered));
        });
    }

    /** Kafka's translation: the transaction coordinator expects no group coordinator errors, but retries this one. */
    static Errors coordinatorErrorForMarker(Errors error) {
        return switch (error) {
            case COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS, NOT_COORDINATOR ->
                    Errors.NOT_LEADER_OR_FOLLOWER;
            default -> error;
        };
    }

    /** One result per producer id (merged when several markers name it, as Kafka's map does), topics grouped. */
    private static ApiMessage response(List<MarkerResult> results) {
        Map<Long, Map<RequestedPartition, Errors>> byProducer = new LinkedHashMap<>();
        for (MarkerResult result : results) {
            byProducer.computeIfAbsent(result.producerId(), unused -> new LinkedHashMap<>()).putAll(result.errors());
        }
        WriteTxnMarkersResponseData response = new WriteTxnMarkersResponseData();
        byProducer.forEach((producerId, errors) -> {
            WriteTxnMarkersResponseData.WritableTxnMarkerResult markerResult =
                    new WriteTxnMarkersResponseData.WritableTxnMarkerResult().setProducerId(producerId);
            Map<String, WriteTxnMarkersResponseData.WritableTxnMarkerTopicResult> topics = new LinkedHashMap<>();
            errors.forEach((topicPartition, error) -> topics.computeIfAbsent(topicPartition.topic(), name -> {
                WriteTxnMarkersResponseData.WritableTxnMarkerTopicResult topic =
                        new WriteTxnMarkersResponseData.WritableTxnMarkerTopicResult().setName(name);
                markerResult.topics().add(topic);
                return topic;
            }).partitions().add(new WriteTxnMarkersResponseData.WritableTxnMarkerPartitionResult()
                    .setPartitionIndex(topicPartition.partition()).setErrorCode(error.code())));
            response.markers().add(markerResult);
        });
        return response;
    }
}
