package io.fjord.broker.verification;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.replica.ReplicaManager.LeaderAppend;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import io.fjord.protocol.message.AddPartitionsToTxnResponseData;
import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.TimestampType;
import io.fjord.storage.TopicPartition;
import io.fjord.storage.VerificationGuard;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The produce path's checks of transactional batches and which partitions it verifies, with which guard. */
class ProduceVerificationTest {
    private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);
    private static final TopicPartition ORDERS_1 = new TopicPartition("orders", 1);
    private static final TopicPartition PLAIN_0 = new TopicPartition("plain", 0);
    private static final String TRANSACTIONAL_ID = VerificationImages.idOnPartition(0, 1, "payments-");

    private final List<List<AddPartitionsToTxnTransaction>> sent = new ArrayList<>();
    private final List<CompletableFuture<AddPartitionsToTxnResponseData>> answers = new ArrayList<>();
    private final AddPartitionsToTxnManager manager = new AddPartitionsToTxnManager(
            () -> VerificationImages.withTransactionStateLeaders(2), (nodeId, transactions) -> {
                sent.add(transactions);
                CompletableFuture<AddPartitionsToTxnResponseData> answer = new CompletableFuture<>();
                answers.add(answer);
                return answer;
            });
    /** Partitions where the producer's transaction is ongoing already. */
    private final Map<TopicPartition, Boolean> ongoing = new HashMap<>();
    private final Map<TopicPartition, VerificationGuard> handedOut = new HashMap<>();
    private final AtomicBoolean enabled = new AtomicBoolean(true);
    private final ProduceVerification verification = new ProduceVerification(manager,
            (partition, id, epoch, epochBump) -> {
                VerificationGuard guard = ongoing.getOrDefault(partition, false) ? VerificationGuard.SENTINEL
                        : VerificationGuard.create();
                handedOut.put(partition, guard);
                return guard;
            }, enabled::get);

    private static ByteBuffer batch(long producerId, short epoch, boolean transactional) {
        return RecordCodec.encode(new BatchSpec(0, CompressionType.NONE, TimestampType.CREATE_TIME,
                RecordBatch.NO_TIMESTAMP, producerId, epoch, producerId < 0 ? -1 : 0, transactional, false,
                RecordBatch.NO_PARTITION_LEADER_EPOCH, RecordBatch.NO_TIMESTAMP), List.of(new Record(0, 1_000L, null,
                ByteBuffer.wrap("v".getBytes(StandardCharsets.UTF_8)), List.of())));
    }

    private static LeaderAppend append(TopicPartition partition, ByteBuffer batch) {
        return new LeaderAppend(partition, batch);
    }

    @Test
    void onlyPartitionsWithoutAnOngoingTransactionAreVerifiedAndAllGetTheirGuards() {
        ongoing.put(ORDERS_1, true);
        CompletableFuture<ProduceVerification.Prepared> prepared = verification.prepare(TRANSACTIONAL_ID, (short) 11,
                List.of(append(ORDERS_0, batch(5, (short) 1, true)), append(ORDERS_1, batch(5, (short) 1, true)),
                        append(PLAIN_0, batch(-1, (short) -1, false))));
        assertThat(sent).singleElement().satisfies(transactions -> {
            assertThat(transactions).singleElement().satisfies(transaction -> {
                assertThat(transaction.transactionalId()).isEqualTo(TRANSACTIONAL_ID);
                assertThat(transaction.producerId()).isEqualTo(5);
                assertThat(transaction.producerEpoch()).isEqualTo((short) 1);
                assertThat(transaction.verifyOnly()).isTrue();
                assertThat(transaction.topics()).extracting(topic -> topic.name() + topic.partitions())
                        .containsExactly("orders[0]");
            });
        });
        assertThat(prepared).as("nothing appends before the coordinator answered").isNotDone();
        AddPartitionsToTxnResponseData verified = new AddPartitionsToTxnResponseData();
        verified.resultsByTransaction().add(new AddPartitionsToTxnResponseData.AddPartitionsToTxnResult()
                .setTransactionalId(TRANSACTIONAL_ID));
        answers.get(0).complete(verified);
        ProduceVerification.Prepared ready = prepared.join();
        assertThat(ready.requestError()).isEqualTo(Errors.NONE);
        assertThat(ready.errors()).containsOnlyNulls();
        assertThat(ready.appends()).extracting(LeaderAppend::verification).containsExactly(
                handedOut.get(ORDERS_0), VerificationGuard.SENTINEL, null);
    }

    @Test
    void unverifiedPartitionsGetTheirProduceErrorAndTheOthersAppend() {
        CompletableFuture<ProduceVerification.Prepared> prepared = verification.prepare(TRANSACTIONAL_ID, (short) 12,
                List.of(append(ORDERS_0, batch(5, (short) 1, true)), append(ORDERS_1, batch(5, (short) 1, true))));
        assertThat(sent.get(0).get(0).verifyOnly()).as("Produce v12: the coordinator adds them").isFalse();
        AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResult topic =
                new AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResult().setName("orders");
        topic.resultsByPartition().add(new AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResult()
                .setPartitionIndex(1).setPartitionErrorCode(Errors.NOT_COORDINATOR.code()));
        AddPartitionsToTxnResponseData.AddPartitionsToTxnResult result =
                new AddPartitionsToTxnResponseData.AddPartitionsToTxnResult().setTransactionalId(TRANSACTIONAL_ID);
        result.topicResults().add(topic);
        AddPartitionsToTxnResponseData response = new AddPartitionsToTxnResponseData();
        response.resultsByTransaction().add(result);
        answers.get(0).complete(response);
        ProduceVerification.Prepared ready = prepared.join();
        assertThat(ready.errors().get(0)).isNull();
        assertThat(ready.errors().get(1)).isEqualTo(new ProduceVerificationErrors.ProduceError(
                Errors.NOT_ENOUGH_REPLICAS, "Unable to verify the partition has been added to the transaction."
                        + " Underlying error: NOT_COORDINATOR"));
    }

    @Test
    void kafkasWholeRequestChecksComeFirst() {
        List<LeaderAppend> transactional = List.of(append(ORDERS_0, batch(5, (short) 1, true)));
        assertThat(verification.prepare(null, (short) 11, transactional).join().requestError())
                .isEqualTo(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
        assertThat(verification.prepare(TRANSACTIONAL_ID, (short) 11, List.of(append(ORDERS_0,
                batch(5, (short) 1, true)), append(ORDERS_1, batch(6, (short) 1, true)))).join().requestError())
                .isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
        assertThat(verification.prepare(TRANSACTIONAL_ID, (short) 11, List.of(append(ORDERS_0,
                batch(5, (short) 1, true)), append(ORDERS_1, batch(5, (short) 2, true)))).join().requestError())
                .isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
        // Idempotent batches need no transactional id.
        assertThat(verification.prepare(null, (short) 11, List.of(append(ORDERS_0, batch(5, (short) 1, false))))
                .join().requestError()).isEqualTo(Errors.NONE);
        assertThat(sent).isEmpty();
    }

    @Test
    void withVerificationOffNothingIsAskedAndNoGuardIsChecked() {
        enabled.set(false);
        ProduceVerification.Prepared ready = verification.prepare(TRANSACTIONAL_ID, (short) 11,
                List.of(append(ORDERS_0, batch(5, (short) 1, true)))).join();
        assertThat(sent).isEmpty();
        assertThat(ready.appends()).extracting(LeaderAppend::verification).containsOnlyNulls();
        // A transaction ongoing everywhere: guards given, nothing asked.
        enabled.set(true);
        ongoing.put(ORDERS_0, true);
        ready = verification.prepare(TRANSACTIONAL_ID, (short) 11,
                List.of(append(ORDERS_0, batch(5, (short) 1, true)))).join();
        assertThat(sent).isEmpty();
        assertThat(ready.appends()).extracting(LeaderAppend::verification).containsExactly(VerificationGuard.SENTINEL);
    }

    @Test
    void produceVersion12AddsItsPartitionsEvenWithVerificationOffButTheAppendIsNotChecked() {
        // Transaction protocol v2: the producer sends no AddPartitionsToTxn, so without this add the coordinator would
        // never end the transaction in the partition.
        enabled.set(false);
        CompletableFuture<ProduceVerification.Prepared> prepared = verification.prepare(TRANSACTIONAL_ID, (short) 12,
                List.of(append(ORDERS_0, batch(5, (short) 1, true))));
        assertThat(sent).singleElement().satisfies(transactions -> assertThat(transactions).singleElement()
                .satisfies(transaction -> assertThat(transaction.verifyOnly()).isFalse()));
        AddPartitionsToTxnResponseData added = new AddPartitionsToTxnResponseData();
        added.resultsByTransaction().add(new AddPartitionsToTxnResponseData.AddPartitionsToTxnResult()
                .setTransactionalId(TRANSACTIONAL_ID));
        answers.get(0).complete(added);
        ProduceVerification.Prepared ready = prepared.join();
        assertThat(ready.errors()).containsOnlyNulls();
        assertThat(ready.appends()).extracting(LeaderAppend::verification).containsOnlyNulls();
    }
}
