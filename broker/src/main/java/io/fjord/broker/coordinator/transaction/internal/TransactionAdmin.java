package io.fjord.broker.coordinator.transaction.internal;

import io.fjord.broker.coordinator.regex.Re2Patterns;
import io.fjord.broker.coordinator.transaction.TransactionMetadata;
import io.fjord.broker.coordinator.transaction.TransactionPartition;
import io.fjord.broker.coordinator.transaction.TransactionState;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.DescribeTransactionsRequestData;
import io.fjord.protocol.message.DescribeTransactionsResponseData;
import io.fjord.protocol.message.DescribeTransactionsResponseData.TopicData;
import io.fjord.protocol.message.ListTransactionsRequestData;
import io.fjord.protocol.message.ListTransactionsResponseData;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * DescribeTransactions and ListTransactions over this shard's ids (the runtime splits and merges across shards).
 * ListTransactions filters as Kafka does: by state names (unknown names are reported back and match nothing), by
 * producer ids, by duration (KIP-994: transactions running longer than the filter, measured from their start), and
 * by a transactional id pattern (KIP-1152: RE2 syntax matched against the whole id, as Kafka's RE2/J does, through
 * {@link Re2Patterns}, which refuses what Java would read differently; a match that would read more than
 * {@link #MAX_CHARACTER_READS_PER_ID} characters, only possible with Java's backtracking, counts as no match).
 *
 * <p>Not thread-safe: owned by the shard's thread.
 */
public final class TransactionAdmin {
    /** How many characters one id's match may read (linear patterns read a few times the id's length). */
    static final int MAX_CHARACTER_READS_PER_ID = 100_000;
    private final TransactionStore store;

    public TransactionAdmin(TransactionStore store) {
        this.store = store;
    }

    /** Describes the ids as this store holds them; a preparing transaction omits the partitions it marked. */
    public void describe(DescribeTransactionsRequestData request, TransactionEffects effects) {
        describe(request, metadata -> store.markedPartitions(metadata.transactionalId()), effects);
    }

    /**
     * Describes the ids as this store holds them.
     *
     * @param written the partitions of a preparing transaction whose marker is written, which are not listed
     */
    public void describe(DescribeTransactionsRequestData request,
            Function<TransactionMetadata, Set<TransactionPartition>> written, TransactionEffects effects) {
        DescribeTransactionsResponseData response = new DescribeTransactionsResponseData();
        for (String transactionalId : request.transactionalIds()) {
            response.transactionStates().add(describe(transactionalId, written));
        }
        effects.respond(response);
    }

    private DescribeTransactionsResponseData.TransactionState describe(String transactionalId,
            Function<TransactionMetadata, Set<TransactionPartition>> written) {
        DescribeTransactionsResponseData.TransactionState described =
                new DescribeTransactionsResponseData.TransactionState().setTransactionalId(transactionalId);
        TransactionMetadata metadata = transactionalId == null ? null : store.get(transactionalId);
        if (metadata == null || metadata.state() == TransactionState.DEAD) {
            return described.setErrorCode(Errors.TRANSACTIONAL_ID_NOT_FOUND.code());
        }
        Map<String, TopicData> topics = new LinkedHashMap<>();
        // A preparing transaction lists only the partitions still waiting for their marker, as Kafka's does.
        Set<TransactionPartition> marked = metadata.state().isPreparing() ? written.apply(metadata) : Set.of();
        for (TransactionPartition partition : metadata.partitions()) {
            if (marked.contains(partition)) {
                continue;
            }
            topics.computeIfAbsent(partition.topic(), topic -> new TopicData().setTopic(topic)).partitions()
                    .add(partition.partition());
        }
        return described.setErrorCode(Errors.NONE.code()).setProducerId(metadata.producerId())
                .setProducerEpoch(metadata.producerEpoch()).setTransactionState(metadata.state().stateName())
                .setTransactionTimeoutMs(metadata.timeoutMs())
                .setTransactionStartTimeMs(metadata.startTimestampMs()).setTopics(new ArrayList<>(topics.values()));
    }

    public void list(ListTransactionsRequestData request, TransactionEffects effects) {
        ListTransactionsResponseData response = new ListTransactionsResponseData();
        Set<TransactionState> states = EnumSet.noneOf(TransactionState.class);
        for (String name : request.stateFilters()) {
            TransactionState state = TransactionState.forName(name);
            if (state == null) {
                response.unknownStateFilters().add(name);
            } else {
                states.add(state);
            }
        }
        Pattern pattern = null;
        String patternText = request.transactionalIdPattern();
        if (patternText != null && !patternText.isEmpty()) {
            pattern = Re2Patterns.compile(patternText);
            if (pattern == null) {
                effects.respond(response.setErrorCode(Errors.INVALID_REGULAR_EXPRESSION.code()));
                return;
            }
        }
        List<TransactionMetadata> included = new ArrayList<>();
        for (TransactionMetadata metadata : store.durableState().values()) {
            if (includes(metadata, request, states, pattern, effects.nowMs())) {
                included.add(metadata);
            }
        }
        for (TransactionMetadata metadata : included) {
            response.transactionStates().add(new ListTransactionsResponseData.TransactionState()
                    .setTransactionalId(metadata.transactionalId()).setProducerId(metadata.producerId())
                    .setTransactionState(metadata.state().stateName()));
        }
        effects.respond(response);
    }

    private static boolean includes(TransactionMetadata metadata, ListTransactionsRequestData request,
            Set<TransactionState> states, Pattern pattern, long nowMs) {
        if (metadata.state() == TransactionState.DEAD) {
            return false;
        }
        if (!request.producerIdFilters().isEmpty() && !request.producerIdFilters().contains(metadata.producerId())) {
            return false;
        }
        if (!request.stateFilters().isEmpty() && !states.contains(metadata.state())) {
            return false;
        }
        if (request.durationFilter() >= 0 && nowMs - metadata.startTimestampMs() <= request.durationFilter()) {
            return false;
        }
        return pattern == null
                || Re2Patterns.matchesWhole(pattern, metadata.transactionalId(), MAX_CHARACTER_READS_PER_ID);
    }
}
