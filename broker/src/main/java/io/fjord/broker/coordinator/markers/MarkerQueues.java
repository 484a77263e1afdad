package io.fjord.broker.coordinator.markers;

import io.fjord.broker.coordinator.transaction.TransactionMarkers;
import io.fjord.broker.coordinator.transaction.TransactionPartition;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.WriteTxnMarkersResponseData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The marker channel's pure core, Kafka's TransactionMarkerChannelManager without its IO: the partitions waiting for
 * their marker, the request in flight to each broker, and what the answers mean. Every input takes the time; the
 * outputs are the requests to send ({@link #drain}) and the outcomes to report.
 *
 * <p>Each waiting partition is sent to its leader of the moment ({@link PartitionLeaders}, looked up at every
 * attempt); the partitions going to one broker make one request with many transactions' markers, one request in
 * flight per broker, bounded in size (the rest waits for the next). Per partition of an answer, as Kafka: NONE is
 * written; UNSUPPORTED_FOR_MESSAGE_FORMAT and UNSUPPORTED_VERSION count as written too (the producer could not have
 * written there); INVALID_PRODUCER_EPOCH and TRANSACTION_COORDINATOR_FENCED abandon the whole transaction; everything
 * else (NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION while the image still has the partition,
 * NOT_ENOUGH_REPLICAS(_AFTER_APPEND), REQUEST_TIMED_OUT, KAFKA_STORAGE_ERROR, the coordinator errors of an offsets
 * partition, and anything unexpected, which Kafka would crash on) is retried after the back-off. A failed request is
 * retried whole, each partition to its leader then. A partition the image no longer has counts as written.
 *
 * <p>Bounds: {@code pendingPartitionsMax} partitions over every transaction held (markers beyond are abandoned at
 * once with COORDINATOR_NOT_AVAILABLE, for the coordinator to send again after its back-off) and {@code requestBytesMax} per
 * request.
 *
 * <p>Not thread-safe: owned by the channel's thread.
 */
final class MarkerQueues {
    private static final Logger LOG = LoggerFactory.getLogger(MarkerQueues.class);

    /** A partition waiting to be sent, not before {@code notBeforeMs}. */
    private record Waiting(PendingTransaction transaction, TransactionPartition partition, long notBeforeMs) {
    }

    /** What {@link #drain} produced: requests to send, one per broker, and outcomes to report. */
    record Drained(List<MarkerRequest> requests, List<MarkerOutcome> outcomes) {
    }

    private final MarkerChannelConfig config;
    private final PartitionLeaders leaders;
    private final ToIntFunction<String> transactionStatePartitionOf;
    private List<Waiting> waiting = new ArrayList<>();
    private final Map<String, PendingTransaction> byTransactionalId = new HashMap<>();
    private final Map<Integer, MarkerRequest> inFlight = new HashMap<>();
    /** The highest coordinator epoch given up per {@code __transaction_state} partition. */
    private final Map<Integer, Integer> resignedEpochs = new HashMap<>();
    /** Partitions of the held transactions not yet written: waiting or in flight. */
    private int pendingPartitions;
    /** Whether the last markers offered were refused for the bound (to warn once per spell). */
    private boolean refusing;

    /**
     * @param transactionStatePartitionOf a transactional id's {@code __transaction_state} partition
     */
    MarkerQueues(MarkerChannelConfig config, PartitionLeaders leaders,
            ToIntFunction<String> transactionStatePartitionOf) {
        this.config = config;
        this.leaders = leaders;
        this.transactionStatePartitionOf = transactionStatePartitionOf;
    }

    /**
     * Takes a transaction's markers. Refused at once (abandoned) when their coordinator epoch was given up
     * (NOT_COORDINATOR) or the bound is reached (COORDINATOR_NOT_AVAILABLE). The same markers sent again while held
     * are taken once; other markers of the same transactional id replace the held ones, which are abandoned
     * (TRANSACTION_COORDINATOR_FENCED), unless they carry an older coordinator epoch, in which case they are.
     */
    List<MarkerOutcome> add(TransactionMarkers markers, long nowMs) {
        List<MarkerOutcome> outcomes = new ArrayList<>();
        int statePartition = transactionStatePartitionOf.applyAsInt(markers.transactionalId());
        Integer resigned = resignedEpochs.get(statePartition);
        if (resigned != null && markers.coordinatorEpoch() <= resigned) {
            outcomes.add(new MarkerOutcome.Abandoned(markers, Errors.NOT_COORDINATOR));
            return outcomes;
        }
        PendingTransaction held = byTransactionalId.get(markers.transactionalId());
        if (held != null) {
            if (held.markers().equals(markers)) {
                return outcomes;
            }
            if (held.markers().coordinatorEpoch() > markers.coordinatorEpoch()) {
                outcomes.add(new MarkerOutcome.Abandoned(markers, Errors.TRANSACTION_COORDINATOR_FENCED));
                return outcomes;
            }
            abandon(held, Errors.TRANSACTION_COORDINATOR_FENCED, outcomes);
        }
        int partitions = markers.partitions().size();
        if (partitions > config.pendingPartitionsMax() - pendingPartitions) {
            // Refused markers come back after the coordinator's back-off: one warning per spell of refusals.
            if (!refusing) {
                refusing = true;
                LOG.warn("Refusing the {} markers of transactional id {}: the channel holds markers for {} "
                        + "partitions already, at most {}", partitions, markers.transactionalId(), pendingPartitions,
                        config.pendingPartitionsMax());
            }
            outcomes.add(new MarkerOutcome.Abandoned(markers, Errors.COORDINATOR_NOT_AVAILABLE));
            return outcomes;
        }
        refusing = false;
        if (partitions == 0) {
            return outcomes;
        }
        PendingTransaction transaction = new PendingTransaction(markers, statePartition);
        byTransactionalId.put(markers.transactionalId(), transaction);
        pendingPartitions += partitions;
        for (TransactionPartition partition : markers.partitions()) {
            waiting.add(new Waiting(transaction, partition, nowMs));
        }
        return outcomes;
    }

    /**
     * The requests to send now: every waiting partition whose back-off is over goes to its leader's request, unless
     * a request to that broker is in flight or the request is full. The requests returned are in flight until
     * {@link #onResponse} or {@link #onFailure}.
     */
    Drained drain(long nowMs) {
        List<MarkerOutcome> outcomes = new ArrayList<>();
        Map<Integer, MarkerRequest.Builder> building = new LinkedHashMap<>();
        List<Waiting> kept = new ArrayList<>();
        for (Waiting entry : waiting) {
            if (entry.transaction().isAbandoned()) {
                continue;
            }
            if (entry.notBeforeMs() > nowMs) {
                kept.add(entry);
                continue;
            }
            int leader = leaders.leaderOf(entry.partition());
            if (leader == PartitionLeaders.PARTITION_DELETED) {
                written(entry.transaction(), entry.partition(), outcomes);
            } else if (leader < 0) {
                kept.add(new Waiting(entry.transaction(), entry.partition(), nowMs + config.retryBackoffMs()));
            } else if (inFlight.containsKey(leader) || !building.computeIfAbsent(leader,
                    id -> new MarkerRequest.Builder(id, config.requestBytesMax()))
                    .tryAdd(entry.transaction(), entry.partition())) {
                kept.add(entry);
            }
        }
        waiting = kept;
        List<MarkerRequest> requests = new ArrayList<>(building.size());
        for (MarkerRequest.Builder builder : building.values()) {
            if (!builder.isEmpty()) {
                MarkerRequest request = builder.build();
                inFlight.put(request.destination(), request);
                requests.add(request);
            }
        }
        return new Drained(requests, outcomes);
    }

    /** The broker answered {@code request}. */
    List<MarkerOutcome> onResponse(MarkerRequest request, WriteTxnMarkersResponseData response, long nowMs) {
        inFlight.remove(request.destination(), request);
        Map<Long, Map<TransactionPartition, Errors>> errors = errorsByProducerId(response);
        List<MarkerOutcome> outcomes = new ArrayList<>();
        for (MarkerRequest.Entry entry : request.entries()) {
            PendingTransaction transaction = entry.transaction();
            if (transaction.isAbandoned()) {
                continue;
            }
            Map<TransactionPartition, Errors> answered = errors.getOrDefault(transaction.markers().producerId(),
                    Map.of());
            Errors fencing = fencingError(entry.partitions(), answered);
            if (fencing != null) {
                LOG.info("Abandoning the markers of transactional id {} (producer {} epoch {}, coordinator epoch {}): "
                        + "broker {} answered {}", transaction.markers().transactionalId(),
                        transaction.markers().producerId(), transaction.markers().producerEpoch(),
                        transaction.markers().coordinatorEpoch(), request.destination(), fencing);
                abandon(transaction, fencing, outcomes);
                continue;
            }
            for (TransactionPartition partition : entry.partitions()) {
                Errors error = answered.get(partition);
                if (error == Errors.NONE || error == Errors.UNSUPPORTED_FOR_MESSAGE_FORMAT
                        || error == Errors.UNSUPPORTED_VERSION) {
                    written(transaction, partition, outcomes);
                } else {
                    if (error == null || !isExpectedRetriable(error)) {
                        LOG.warn("Broker {} answered {} for the marker of transactional id {} in {}; retrying",
                                request.destination(), error == null ? "nothing" : error,
                                transaction.markers().transactionalId(), partition);
                    }
                    waiting.add(new Waiting(transaction, partition, nowMs + config.retryBackoffMs()));
                }
            }
        }
        return outcomes;
    }

    /** {@code request} got no answer (no connection, closed, timed out): every partition goes again. */
    void onFailure(MarkerRequest request, long nowMs) {
        inFlight.remove(request.destination(), request);
        for (MarkerRequest.Entry entry : request.entries()) {
            if (!entry.transaction().isAbandoned()) {
                for (TransactionPartition partition : entry.partitions()) {
                    waiting.add(new Waiting(entry.transaction(), partition, nowMs + config.retryBackoffMs()));
                }
            }
        }
    }

    /**
     * This node no longer leads {@code __transaction_state} partition {@code statePartition} at
     * {@code coordinatorEpoch}: every held transaction of that partition with that epoch or an older one is abandoned
     * (NOT_COORDINATOR), answers to requests in flight for them are ignored, and later markers with such an epoch are
     * refused. A newer epoch of the partition (this node leading it again) is not affected.
     */
    List<MarkerOutcome> removeCoordinatorEpoch(int statePartition, int coordinatorEpoch) {
        resignedEpochs.merge(statePartition, coordinatorEpoch, Math::max);
        List<MarkerOutcome> outcomes = new ArrayList<>();
        for (PendingTransaction transaction : List.copyOf(byTransactionalId.values())) {
            if (transaction.transactionStatePartition() == statePartition
                    && transaction.markers().coordinatorEpoch() <= coordinatorEpoch) {
                abandon(transaction, Errors.NOT_COORDINATOR, outcomes);
            }
        }
        return outcomes;
    }

    /** The earliest time after {@code nowMs} a back-off ends, or -1 if none: when to drain again unasked. */
    long nextRetryMs(long nowMs) {
        long next = Long.MAX_VALUE;
        for (Waiting entry : waiting) {
            if (entry.notBeforeMs() > nowMs && !entry.transaction().isAbandoned()) {
                next = Math.min(next, entry.notBeforeMs());
            }
        }
        return next == Long.MAX_VALUE ? -1 : next;
    }

    /** Partitions held and not yet written. */
    int pendingPartitions() {
        return pendingPartitions;
    }

    /** Partitions waiting to be sent (not in flight). */
    int waitingPartitions() {
        return waiting.size();
    }

    private void written(PendingTransaction transaction, TransactionPartition partition,
            List<MarkerOutcome> outcomes) {
        if (transaction.markWritten(partition)) {
            pendingPartitions--;
            outcomes.add(new MarkerOutcome.Written(transaction.markers(), partition));
            if (transaction.unwrittenCount() == 0) {
                byTransactionalId.remove(transaction.markers().transactionalId(), transaction);
            }
        }
    }

    private void abandon(PendingTransaction transaction, Errors error, List<MarkerOutcome> outcomes) {
        if (transaction.isAbandoned()) {
            return;
        }
        pendingPartitions -= transaction.abandon();
        waiting.removeIf(entry -> entry.transaction() == transaction);
        byTransactionalId.remove(transaction.markers().transactionalId(), transaction);
        outcomes.add(new MarkerOutcome.Abandoned(transaction.markers(), error));
    }

    /** The first answer that ends the transaction's markers for good: a newer producer or coordinator epoch. */
    private static Errors fencingError(List<TransactionPartition> partitions,
            Map<TransactionPartition, Errors> answered) {
        for (TransactionPartition partition : partitions) {
            Errors error = answered.get(partition);
            if (error == Errors.INVALID_PRODUCER_EPOCH || error == Errors.TRANSACTION_COORDINATOR_FENCED) {
                return error;
            }
        }
        return null;
    }

    private static boolean isExpectedRetriable(Errors error) {
        return switch (error) {
            case NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION, NOT_ENOUGH_REPLICAS,
                    NOT_ENOUGH_REPLICAS_AFTER_APPEND, REQUEST_TIMED_OUT, KAFKA_STORAGE_ERROR,
                    COORDINATOR_LOAD_IN_PROGRESS, NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE -> true;
            default -> false;
        };
    }

    private static Map<Long, Map<TransactionPartition, Errors>> errorsByProducerId(
            WriteTxnMarkersResponseData response) {
        Map<Long, Map<TransactionPartition, Errors>> errors = new HashMap<>();
        for (WriteTxnMarkersResponseData.WritableTxnMarkerResult marker : response.markers()) {
            Map<TransactionPartition, Errors> partitions = errors.computeIfAbsent(marker.producerId(),
                    unused -> new HashMap<>());
            for (WriteTxnMarkersResponseData.WritableTxnMarkerTopicResult topic : marker.topics()) {
                for (WriteTxnMarkersResponseData.WritableTxnMarkerPartitionResult partition : topic.partitions()) {
                    partitions.put(new TransactionPartition(topic.name(), partition.partitionIndex()),
                            Errors.forCode(partition.errorCode()));
                }
            }
        }
        return errors;
    }
}
