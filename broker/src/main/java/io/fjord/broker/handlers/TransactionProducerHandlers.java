package io.fjord.broker.handlers;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.coordinator.transaction.ProducerIdSource;
import io.fjord.broker.coordinator.transactiondriver.TransactionCoordinatorDriver;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.AddOffsetsToTxnRequestData;
import io.fjord.protocol.message.AddPartitionsToTxnRequestData;
import io.fjord.protocol.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import io.fjord.protocol.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import io.fjord.protocol.message.AddPartitionsToTxnResponseData;
import io.fjord.protocol.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnResult;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.EndTxnRequestData;
import io.fjord.protocol.message.InitProducerIdRequestData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The producer side of transactions, each request routed to the shard of its transactional id's
 * {@code __transaction_state} partition: InitProducerId with a transactional id (without one it stays the idempotent
 * path, {@link InitProducerIdHandler}), AddPartitionsToTxn (v0-3 one transaction; v4+ a batch, split by shard and
 * merged in request order), AddOffsetsToTxn and EndTxn. As Kafka's request layer does before the coordinator,
 * AddPartitionsToTxn refuses a transaction naming a partition that does not exist: those partitions get
 * UNKNOWN_TOPIC_OR_PARTITION, the others OPERATION_NOT_ATTEMPTED, and nothing is added. Thread-safe.
 */
public final class TransactionProducerHandlers {
    private final MetadataCache cache;
    private final TransactionCoordinatorDriver driver;
    private final InitProducerIdHandler idempotent;

    TransactionProducerHandlers(MetadataCache cache, TransactionCoordinatorDriver driver,
            ProducerIdSource producerIds) {
        this.cache = cache;
        this.driver = driver;
        this.idempotent = new InitProducerIdHandler(producerIds);
    }

    public ApiHandler initProducerId() {
        return (context, request) -> {
            InitProducerIdRequestData body = (InitProducerIdRequestData) request.body();
            if (body.transactionalId() == null) {
                return idempotent.handle(context, request);
            }
            short version = request.apiVersion();
            return driver.submit(driver.partitionFor(body.transactionalId()),
                    (shard, nowMs) -> shard.initProducerId(body, version, nowMs),
                    TransactionErrorResponses::initProducerId);
        };
    }

    public ApiHandler addOffsetsToTxn() {
        return (context, request) -> {
            AddOffsetsToTxnRequestData body = (AddOffsetsToTxnRequestData) request.body();
            short version = request.apiVersion();
            return driver.submit(driver.partitionFor(body.transactionalId()),
                    (shard, nowMs) -> shard.addOffsetsToTxn(body, version, nowMs),
                    TransactionErrorResponses::addOffsetsToTxn);
        };
    }

    public ApiHandler endTxn() {
        return (context, request) -> {
            EndTxnRequestData body = (EndTxnRequestData) request.body();
            short version = request.apiVersion();
            return driver.submit(driver.partitionFor(body.transactionalId()),
                    (shard, nowMs) -> shard.endTxn(body, version, nowMs), TransactionErrorResponses::endTxn);
        };
    }

    public ApiHandler addPartitionsToTxn() {
        return (context, request) -> {
            AddPartitionsToTxnRequestData body = (AddPartitionsToTxnRequestData) request.body();
            short version = request.apiVersion();
            MetadataImage image = cache.image();
            if (version <= 3) {
                List<AddPartitionsToTxnTopic> topics = body.v3AndBelowTopics();
                if (anyMissing(image, topics)) {
                    return CompletableFuture.completedFuture(TransactionErrorResponses.addPartitionsV3AndBelow(
                            topics, (topic, partition) -> missingOrNotAttempted(image, topic, partition)));
                }
                return driver.submit(driver.partitionFor(body.v3AndBelowTransactionalId()),
                        (shard, nowMs) -> shard.addPartitionsToTxn(body, version, nowMs),
                        error -> TransactionErrorResponses.addPartitionsV3AndBelow(topics,
                                (topic, partition) -> error));
            }
            return addPartitionsBatched(body, version, image);
        };
    }

    /** v4+: each transaction checked, then the rest split by shard; results merged in request order. */
    private CompletableFuture<ApiMessage> addPartitionsBatched(AddPartitionsToTxnRequestData body, short version,
            MetadataImage image) {
        List<AddPartitionsToTxnTransaction> transactions = body.transactions();
        List<CompletableFuture<AddPartitionsToTxnResult>> results = new ArrayList<>(transactions.size());
        Map<Integer, List<Integer>> byPartition = new LinkedHashMap<>();
        for (int index = 0; index < transactions.size(); index++) {
            AddPartitionsToTxnTransaction transaction = transactions.get(index);
            if (anyMissing(image, transaction.topics())) {
                results.add(CompletableFuture.completedFuture(new AddPartitionsToTxnResult()
                        .setTransactionalId(transaction.transactionalId())
                        .setTopicResults(TransactionErrorResponses.topicResults(transaction.topics(),
                                (topic, partition) -> missingOrNotAttempted(image, topic, partition)))));
            } else {
                results.add(null);
                byPartition.computeIfAbsent(driver.partitionFor(transaction.transactionalId()),
                        partition -> new ArrayList<>()).add(index);
            }
        }
        byPartition.forEach((partition, indexes) -> {
            List<AddPartitionsToTxnTransaction> own = indexes.stream().map(transactions::get).toList();
            AddPartitionsToTxnRequestData part = new AddPartitionsToTxnRequestData()
                    .setTransactions(new ArrayList<>(own));
            CompletableFuture<ApiMessage> answered = driver.submit(partition,
                    (shard, nowMs) -> shard.addPartitionsToTxn(part, version, nowMs), error -> {
                        AddPartitionsToTxnResponseData failed = new AddPartitionsToTxnResponseData();
                        own.forEach(transaction -> failed.resultsByTransaction().add(
                                TransactionErrorResponses.addPartitionsTransaction(transaction, error)));
                        return failed;
                    });
            for (int position = 0; position < indexes.size(); position++) {
                int at = position;
                results.set(indexes.get(position), answered.thenApply(response -> resultAt(
                        (AddPartitionsToTxnResponseData) response, at, own.get(at))));
            }
        });
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(done -> {
            AddPartitionsToTxnResponseData merged = new AddPartitionsToTxnResponseData();
            results.forEach(result -> merged.resultsByTransaction().add(result.join()));
            return merged;
        });
    }

    /** The shard answers its part's transactions in order, one result each. */
    private static AddPartitionsToTxnResult resultAt(AddPartitionsToTxnResponseData response, int position,
            AddPartitionsToTxnTransaction transaction) {
        List<AddPartitionsToTxnResult> answered = response.resultsByTransaction();
        return position < answered.size() ? answered.get(position)
                : TransactionErrorResponses.addPartitionsTransaction(transaction, Errors.UNKNOWN_SERVER_ERROR);
    }

    private static boolean anyMissing(MetadataImage image, List<AddPartitionsToTxnTopic> topics) {
        for (AddPartitionsToTxnTopic topic : topics) {
            for (int partition : topic.partitions()) {
                if (!exists(image, topic.name(), partition)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Errors missingOrNotAttempted(MetadataImage image, String topic, int partition) {
        return exists(image, topic, partition) ? Errors.OPERATION_NOT_ATTEMPTED : Errors.UNKNOWN_TOPIC_OR_PARTITION;
    }

    private static boolean exists(MetadataImage image, String topic, int partition) {
        Optional<TopicImage> found = image.topic(topic);
        return found.isPresent() && found.get().partitions().containsKey(partition);
    }
}
