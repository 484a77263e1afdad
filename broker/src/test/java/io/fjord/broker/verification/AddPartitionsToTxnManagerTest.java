package io.fjord.broker.verification;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.metadata.image.MetadataImage;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import io.fjord.protocol.message.AddPartitionsToTxnResponseData;
import io.fjord.protocol.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResult;
import io.fjord.protocol.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnResult;
import io.fjord.protocol.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResult;
import io.fjord.storage.TopicPartition;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Batching per coordinator node, the replacement rules and the error mapping of the produce path's requests. */
class AddPartitionsToTxnManagerTest {
    private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);
    private static final TopicPartition ORDERS_1 = new TopicPartition("orders", 1);
    private static final TopicPartition AUDIT_0 = new TopicPartition("audit", 0);

    /** One request sent to a node, answered by the test. */
    private record Sent(int nodeId, List<AddPartitionsToTxnTransaction> transactions,
                        CompletableFuture<AddPartitionsToTxnResponseData> answer) {
    }

    private final List<Sent> sent = new ArrayList<>();
    private MetadataImage image = VerificationImages.withTransactionStateLeaders(1, 2);
    private final AddPartitionsToTxnManager manager = new AddPartitionsToTxnManager(() -> image,
            (nodeId, transactions) -> {
                Sent request = new Sent(nodeId, List.copyOf(transactions), new CompletableFuture<>());
                sent.add(request);
                return request.answer();
            });
    private final String onNode1 = VerificationImages.idOnPartition(0, 2, "a-");
    private final String alsoOnNode1 = VerificationImages.idOnPartition(0, 2, "b-");
    private final String onNode2 = VerificationImages.idOnPartition(1, 2, "c-");

    private static AddPartitionsToTxnResult result(String transactionalId, Object... partitionAndError) {
        AddPartitionsToTxnResult result = new AddPartitionsToTxnResult().setTransactionalId(transactionalId);
        for (int i = 0; i < partitionAndError.length; i += 2) {
            TopicPartition partition = (TopicPartition) partitionAndError[i];
            AddPartitionsToTxnTopicResult topic = result.topicResults().stream()
                    .filter(existing -> existing.name().equals(partition.topic())).findFirst().orElseGet(() -> {
                        AddPartitionsToTxnTopicResult added = new AddPartitionsToTxnTopicResult()
                                .setName(partition.topic());
                        result.topicResults().add(added);
                        return added;
                    });
            topic.resultsByPartition().add(new AddPartitionsToTxnPartitionResult()
                    .setPartitionIndex(partition.partition())
                    .setPartitionErrorCode(((Errors) partitionAndError[i + 1]).code()));
        }
        return result;
    }

    private static AddPartitionsToTxnResponseData response(AddPartitionsToTxnResult... results) {
        return new AddPartitionsToTxnResponseData().setResultsByTransaction(new ArrayList<>(List.of(results)));
    }

    @Test
    void requestsAreBatchedPerCoordinatorNodeWithOneInFlightPerNode() {
        CompletableFuture<Map<TopicPartition, Errors>> first = manager.verify(onNode1, 10, (short) 0,
                List.of(ORDERS_0, ORDERS_1, AUDIT_0), VerificationOperation.DEFAULT_ERROR);
        CompletableFuture<Map<TopicPartition, Errors>> second = manager.verify(alsoOnNode1, 11, (short) 3,
                List.of(ORDERS_0), VerificationOperation.ADD_PARTITION);
        CompletableFuture<Map<TopicPartition, Errors>> third = manager.verify(onNode2, 12, (short) 0,
                List.of(AUDIT_0), VerificationOperation.GENERIC_ERROR_SUPPORTED);
        // Node 1 got the first at once; the second waits for it; node 2 is asked independently.
        assertThat(sent).extracting(Sent::nodeId).containsExactly(1, 2);
        AddPartitionsToTxnTransaction firstSent = sent.get(0).transactions().get(0);
        assertThat(firstSent.transactionalId()).isEqualTo(onNode1);
        assertThat(firstSent.producerId()).isEqualTo(10);
        assertThat(firstSent.verifyOnly()).isTrue();
        assertThat(firstSent.topics()).extracting(topic -> topic.name() + topic.partitions())
                .containsExactly("audit[0]", "orders[0, 1]");

        sent.get(0).answer().complete(response(result(onNode1)));
        assertThat(first).isCompletedWithValue(Map.of());
        assertThat(sent).hasSize(3);
        assertThat(sent.get(2).nodeId()).isEqualTo(1);
        AddPartitionsToTxnTransaction secondSent = sent.get(2).transactions().get(0);
        assertThat(secondSent.transactionalId()).isEqualTo(alsoOnNode1);
        // A Produce v12+ producer (transaction protocol v2): the coordinator adds the partition.
        assertThat(secondSent.verifyOnly()).isFalse();
        assertThat(second).isNotDone();
        assertThat(third).isNotDone();
    }

    @Test
    void severalWaitingTransactionsLeaveInOneRequest() {
        manager.verify(onNode1, 10, (short) 0, List.of(ORDERS_0), VerificationOperation.DEFAULT_ERROR);
        CompletableFuture<Map<TopicPartition, Errors>> a = manager.verify(alsoOnNode1, 11, (short) 0,
                List.of(ORDERS_0), VerificationOperation.DEFAULT_ERROR);
        String another = VerificationImages.idOnPartition(0, 2, "d-");
        CompletableFuture<Map<TopicPartition, Errors>> b = manager.verify(another, 12, (short) 0,
                List.of(ORDERS_1), VerificationOperation.DEFAULT_ERROR);
        sent.get(0).answer().complete(response(result(onNode1)));
        assertThat(sent).hasSize(2);
        assertThat(sent.get(1).transactions()).extracting(AddPartitionsToTxnTransaction::transactionalId)
                .containsExactly(alsoOnNode1, another);
        sent.get(1).answer().complete(response(result(alsoOnNode1, ORDERS_0, Errors.INVALID_TXN_STATE),
                result(another, ORDERS_1, Errors.NONE)));
        assertThat(a).isCompletedWithValue(Map.of(ORDERS_0, Errors.INVALID_TXN_STATE));
        assertThat(b).isCompletedWithValue(Map.of());
    }

    @Test
    void aWaitingVerificationOfTheSameIdIsReplacedByEpoch() {
        manager.verify(onNode1, 10, (short) 0, List.of(ORDERS_0), VerificationOperation.DEFAULT_ERROR);
        CompletableFuture<Map<TopicPartition, Errors>> waiting = manager.verify(alsoOnNode1, 11, (short) 2,
                List.of(ORDERS_0), VerificationOperation.DEFAULT_ERROR);
        CompletableFuture<Map<TopicPartition, Errors>> sameEpoch = manager.verify(alsoOnNode1, 11, (short) 2,
                List.of(ORDERS_1), VerificationOperation.DEFAULT_ERROR);
        assertThat(waiting).isCompletedWithValue(Map.of(ORDERS_0, Errors.NETWORK_EXCEPTION));
        CompletableFuture<Map<TopicPartition, Errors>> older = manager.verify(alsoOnNode1, 11, (short) 1,
                List.of(ORDERS_1), VerificationOperation.DEFAULT_ERROR);
        assertThat(older).isCompletedWithValue(Map.of(ORDERS_1, Errors.INVALID_PRODUCER_EPOCH));
        CompletableFuture<Map<TopicPartition, Errors>> newer = manager.verify(alsoOnNode1, 11, (short) 3,
                List.of(AUDIT_0), VerificationOperation.DEFAULT_ERROR);
        assertThat(sameEpoch).isCompletedWithValue(Map.of(ORDERS_1, Errors.INVALID_PRODUCER_EPOCH));
        assertThat(newer).isNotDone();
    }

    @Test
    void coordinatorErrorsAreMappedAsKafkaMapsThem() {
        CompletableFuture<Map<TopicPartition, Errors>> tv1 = manager.verify(onNode1, 10, (short) 0,
                List.of(ORDERS_0, ORDERS_1, AUDIT_0), VerificationOperation.DEFAULT_ERROR);
        sent.get(0).answer().complete(response(result(onNode1, ORDERS_0, Errors.PRODUCER_FENCED,
                ORDERS_1, Errors.TRANSACTION_ABORTABLE, AUDIT_0, Errors.NONE)));
        assertThat(tv1).isCompletedWithValue(Map.of(ORDERS_0, Errors.INVALID_PRODUCER_EPOCH,
                ORDERS_1, Errors.INVALID_TXN_STATE));

        CompletableFuture<Map<TopicPartition, Errors>> v11 = manager.verify(onNode1, 10, (short) 0,
                List.of(ORDERS_1), VerificationOperation.GENERIC_ERROR_SUPPORTED);
        sent.get(1).answer().complete(response(result(onNode1, ORDERS_1, Errors.TRANSACTION_ABORTABLE)));
        assertThat(v11).isCompletedWithValue(Map.of(ORDERS_1, Errors.TRANSACTION_ABORTABLE));

        CompletableFuture<Map<TopicPartition, Errors>> unauthorized = manager.verify(onNode1, 10, (short) 0,
                List.of(ORDERS_1), VerificationOperation.DEFAULT_ERROR);
        sent.get(2).answer().complete(new AddPartitionsToTxnResponseData()
                .setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code()));
        assertThat(unauthorized).isCompletedWithValue(Map.of(ORDERS_1, Errors.INVALID_TXN_STATE));

        CompletableFuture<Map<TopicPartition, Errors>> unreachable = manager.verify(onNode1, 10, (short) 0,
                List.of(ORDERS_1), VerificationOperation.DEFAULT_ERROR);
        sent.get(3).answer().completeExceptionally(new IOException("connection closed"));
        assertThat(unreachable).isCompletedWithValue(Map.of(ORDERS_1, Errors.NETWORK_EXCEPTION));

        CompletableFuture<Map<TopicPartition, Errors>> leftOut = manager.verify(onNode1, 10, (short) 0,
                List.of(ORDERS_1), VerificationOperation.DEFAULT_ERROR);
        sent.get(4).answer().complete(response());
        assertThat(leftOut).isCompletedWithValue(Map.of(ORDERS_1, Errors.NETWORK_EXCEPTION));

        // A coordinator that serves no batched AddPartitionsToTxn cannot verify: the append goes on, as in Kafka.
        CompletableFuture<Map<TopicPartition, Errors>> oldCoordinator = manager.verify(onNode1, 10, (short) 0,
                List.of(ORDERS_1), VerificationOperation.DEFAULT_ERROR);
        sent.get(5).answer().completeExceptionally(new UnsupportedOperationException("no v4"));
        assertThat(oldCoordinator).isCompletedWithValue(Map.of());
    }

    @Test
    void noCoordinatorInTheImageIsCoordinatorNotAvailable() {
        image = MetadataImage.EMPTY;
        assertThat(manager.verify(onNode1, 10, (short) 0, List.of(ORDERS_0), VerificationOperation.DEFAULT_ERROR))
                .isCompletedWithValue(Map.of(ORDERS_0, Errors.COORDINATOR_NOT_AVAILABLE));
        image = VerificationImages.withTransactionStateLeaders(-1, 2);
        assertThat(manager.verify(onNode1, 10, (short) 0, List.of(ORDERS_0), VerificationOperation.DEFAULT_ERROR))
                .isCompletedWithValue(Map.of(ORDERS_0, Errors.COORDINATOR_NOT_AVAILABLE));
        assertThat(sent).isEmpty();
    }

    @Test
    void produceErrorsAreKafkasTranslation() {
        assertThat(ProduceVerificationErrors.toProduceError(Errors.INVALID_TXN_STATE,
                VerificationOperation.DEFAULT_ERROR)).isEqualTo(new ProduceVerificationErrors.ProduceError(
                        Errors.INVALID_TXN_STATE, "Partition was not added to the transaction"));
        for (Errors retriable : List.of(Errors.NETWORK_EXCEPTION, Errors.COORDINATOR_LOAD_IN_PROGRESS,
                Errors.COORDINATOR_NOT_AVAILABLE, Errors.NOT_COORDINATOR)) {
            assertThat(ProduceVerificationErrors.toProduceError(retriable, VerificationOperation.ADD_PARTITION))
                    .isEqualTo(new ProduceVerificationErrors.ProduceError(Errors.NOT_ENOUGH_REPLICAS,
                            "Unable to verify the partition has been added to the transaction. Underlying error: "
                                    + retriable.name()));
        }
        assertThat(ProduceVerificationErrors.toProduceError(Errors.CONCURRENT_TRANSACTIONS,
                VerificationOperation.GENERIC_ERROR_SUPPORTED).error()).isEqualTo(Errors.NOT_ENOUGH_REPLICAS);
        assertThat(ProduceVerificationErrors.toProduceError(Errors.CONCURRENT_TRANSACTIONS,
                VerificationOperation.ADD_PARTITION).error()).isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        assertThat(ProduceVerificationErrors.toProduceError(Errors.INVALID_PRODUCER_EPOCH,
                VerificationOperation.DEFAULT_ERROR)).isEqualTo(new ProduceVerificationErrors.ProduceError(
                        Errors.INVALID_PRODUCER_EPOCH, null));
        assertThat(VerificationOperation.forProduceVersion((short) 10)).isEqualTo(VerificationOperation.DEFAULT_ERROR);
        assertThat(VerificationOperation.forProduceVersion((short) 11))
                .isEqualTo(VerificationOperation.GENERIC_ERROR_SUPPORTED);
        assertThat(VerificationOperation.forProduceVersion((short) 13)).isEqualTo(VerificationOperation.ADD_PARTITION);
    }
}
