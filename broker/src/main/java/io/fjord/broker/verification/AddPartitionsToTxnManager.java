package io.fjord.broker.verification;

import io.fjord.metadata.image.MetadataImage;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import io.fjord.protocol.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import io.fjord.protocol.message.AddPartitionsToTxnResponseData;
import io.fjord.storage.TopicPartition;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partition leader's side of KIP-890 (Kafka's {@code AddPartitionsToTxnManager}): asks each transactional id's
 * coordinator whether the partitions a producer writes are in its ongoing transaction (verify-only, producers on
 * transaction protocol v1) or adds them to it (Produce v12+, transaction protocol v2). Requests are batched per
 * coordinator node, one in flight per node: what arrives meanwhile waits and leaves together in the next request. A
 * second verification of a transactional id still waiting replaces the first, which is answered NETWORK_EXCEPTION
 * (same epoch: the producer retries) or INVALID_PRODUCER_EPOCH (the newer one has a higher epoch); an older epoch
 * than the waiting one is answered INVALID_PRODUCER_EPOCH at once.
 *
 * <p>Each answer is a map of the partitions not verified to their error, in Kafka's terms before the mapping to
 * Produce errors ({@link ProduceVerificationErrors}): COORDINATOR_NOT_AVAILABLE with no coordinator in the image,
 * NETWORK_EXCEPTION when the node is unreachable or silent, the response's top-level error
 * (CLUSTER_AUTHORIZATION_FAILED as INVALID_TXN_STATE) for all, else each partition's (PRODUCER_FENCED as
 * INVALID_PRODUCER_EPOCH, TRANSACTION_ABORTABLE as INVALID_TXN_STATE for producers that do not know it). A node
 * serving no batched version cannot verify, and the partitions pass, as in Kafka.
 *
 * <p>Thread-safe: the waiting and in-flight state is guarded by this object; answers complete outside the lock, on
 * the thread that delivered the coordinator's response (or the caller's, for an immediate answer).
 */
public final class AddPartitionsToTxnManager {
    private static final Logger LOG = LoggerFactory.getLogger(AddPartitionsToTxnManager.class);
    /** Transactional ids waiting for one node at most; past it a verification is answered NETWORK_EXCEPTION. */
    static final int WAITING_PER_NODE_MAX = 10_000;

    /** One transactional id's verification, until answered. */
    private record Verification(AddPartitionsToTxnTransaction transaction, VerificationOperation operation,
                                CompletableFuture<Map<TopicPartition, Errors>> answer) {
        Map<TopicPartition, Errors> allFailed(Errors error) {
            Map<TopicPartition, Errors> failed = new LinkedHashMap<>();
            for (AddPartitionsToTxnTopic topic : transaction.topics()) {
                for (int partition : topic.partitions()) {
                    failed.put(new TopicPartition(topic.name(), partition), error);
                }
            }
            return failed;
        }
    }

    private final Supplier<MetadataImage> image;
    private final CoordinatorRequests requests;
    // Guarded by this.
    private final Map<Integer, LinkedHashMap<String, Verification>> waiting = new HashMap<>();
    private final Set<Integer> inFlight = new HashSet<>();

    public AddPartitionsToTxnManager(Supplier<MetadataImage> image, CoordinatorRequests requests) {
        this.image = image;
        this.requests = requests;
    }

    /**
     * Verifies (or, for {@link VerificationOperation#ADD_PARTITION}, adds) {@code partitions} in the transaction of
     * {@code transactionalId}; the answer maps the partitions not verified to their coordinator error.
     */
    public CompletableFuture<Map<TopicPartition, Errors>> verify(String transactionalId, long producerId,
                                                                 short producerEpoch,
                                                                 Collection<TopicPartition> partitions,
                                                                 VerificationOperation operation) {
        Map<String, List<Integer>> byTopic = new TreeMap<>();
        for (TopicPartition partition : partitions) {
            byTopic.computeIfAbsent(partition.topic(), topic -> new ArrayList<>()).add(partition.partition());
        }
        AddPartitionsToTxnTransaction transaction = new AddPartitionsToTxnTransaction()
                .setTransactionalId(transactionalId).setProducerId(producerId).setProducerEpoch(producerEpoch)
                .setVerifyOnly(!operation.supportsEpochBump());
        byTopic.forEach((topic, indexes) -> transaction.topics().add(new AddPartitionsToTxnTopic().setName(topic)
                .setPartitions(indexes)));
        Verification verification = new Verification(transaction, operation, new CompletableFuture<>());
        OptionalInt coordinator = TransactionCoordinatorLookup.coordinatorFor(image.get(), transactionalId);
        if (coordinator.isEmpty()) {
            verification.answer().complete(verification.allFailed(Errors.COORDINATOR_NOT_AVAILABLE));
            return verification.answer();
        }
        int node = coordinator.getAsInt();
        Verification replaced = null;
        Errors replacedError = Errors.NONE;
        Errors refused = Errors.NONE;
        synchronized (this) {
            LinkedHashMap<String, Verification> forNode = waiting.computeIfAbsent(node, id -> new LinkedHashMap<>());
            Verification existing = forNode.get(transactionalId);
            if (existing != null && existing.transaction().producerEpoch() > producerEpoch) {
                refused = Errors.INVALID_PRODUCER_EPOCH;
            } else if (existing == null && forNode.size() >= WAITING_PER_NODE_MAX) {
                refused = Errors.NETWORK_EXCEPTION;
            } else {
                if (existing != null) {
                    replaced = existing;
                    replacedError = existing.transaction().producerEpoch() < producerEpoch
                            ? Errors.INVALID_PRODUCER_EPOCH : Errors.NETWORK_EXCEPTION;
                }
                forNode.put(transactionalId, verification);
            }
        }
        if (replaced != null) {
            replaced.answer().complete(replaced.allFailed(replacedError));
        }
        if (refused != Errors.NONE) {
            verification.answer().complete(verification.allFailed(refused));
            return verification.answer();
        }
        maybeSend(node);
        return verification.answer();
    }

    /** Sends what waits for {@code node} unless a request to it is in flight. */
    private void maybeSend(int node) {
        Map<String, Verification> batch;
        synchronized (this) {
            LinkedHashMap<String, Verification> forNode = waiting.get(node);
            if (inFlight.contains(node) || forNode == null || forNode.isEmpty()) {
                return;
            }
            batch = new LinkedHashMap<>(forNode);
            waiting.remove(node);
            inFlight.add(node);
        }
        List<AddPartitionsToTxnTransaction> transactions = new ArrayList<>(batch.size());
        batch.values().forEach(verification -> transactions.add(verification.transaction()));
        CompletableFuture<AddPartitionsToTxnResponseData> sent;
        try {
            sent = requests.addPartitionsToTxn(node, transactions);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((response, failure) -> {
            synchronized (this) {
                inFlight.remove(node);
            }
            answer(node, batch, response, failure);
            maybeSend(node);
        });
    }

    private void answer(int node, Map<String, Verification> batch, AddPartitionsToTxnResponseData response,
                        Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof UnsupportedOperationException) {
            LOG.warn("Node {} cannot verify transactions ({}); appending without verification", node,
                    cause.getMessage());
            batch.values().forEach(verification -> verification.answer().complete(Map.of()));
            return;
        }
        if (cause != null) {
            LOG.warn("AddPartitionsToTxn to node {} failed: {}", node, cause.toString());
            answerAll(batch, Errors.NETWORK_EXCEPTION);
            return;
        }
        if (response.errorCode() != Errors.NONE.code()) {
            Errors error = Errors.forCode(response.errorCode());
            LOG.error("AddPartitionsToTxn to node {} answered {}", node, error);
            // The producer must not learn of the brokers' cluster authorization: the verification did not complete.
            answerAll(batch, error == Errors.CLUSTER_AUTHORIZATION_FAILED ? Errors.INVALID_TXN_STATE : error);
            return;
        }
        Map<String, Verification> unanswered = new HashMap<>(batch);
        for (AddPartitionsToTxnResponseData.AddPartitionsToTxnResult result : response.resultsByTransaction()) {
            Verification verification = unanswered.remove(result.transactionalId());
            if (verification == null) {
                continue;
            }
            Map<TopicPartition, Errors> unverified = new LinkedHashMap<>();
            for (AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResult topic : result.topicResults()) {
                for (AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResult partition
                        : topic.resultsByPartition()) {
                    if (partition.partitionErrorCode() != Errors.NONE.code()) {
                        unverified.put(new TopicPartition(topic.name(), partition.partitionIndex()),
                                partitionError(Errors.forCode(partition.partitionErrorCode()),
                                        verification.operation()));
                    }
                }
            }
            verification.answer().complete(unverified);
        }
        // A transaction the response left out is not known to be verified: the producer retries.
        answerAll(unanswered, Errors.NETWORK_EXCEPTION);
    }

    private static Errors partitionError(Errors error, VerificationOperation operation) {
        if (error == Errors.PRODUCER_FENCED) {
            return Errors.INVALID_PRODUCER_EPOCH; // what producers expect on the produce path
        }
        if (error == Errors.TRANSACTION_ABORTABLE && operation == VerificationOperation.DEFAULT_ERROR) {
            return Errors.INVALID_TXN_STATE;
        }
        return error;
    }

    private static void answerAll(Map<String, Verification> batch, Errors error) {
        for (Iterator<Verification> it = batch.values().iterator(); it.hasNext(); ) {
            Verification verification = it.next();
            verification.answer().complete(verification.allFailed(error));
        }
    }
}
