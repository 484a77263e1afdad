package io.fjord.broker.verification;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.config.BrokerConfig;
import io.fjord.broker.replica.ReplicaManager.LeaderAppend;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import io.fjord.protocol.message.AddPartitionsToTxnResponseData;
import io.fjord.protocol.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResult;
import io.fjord.protocol.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnResult;
import io.fjord.protocol.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResult;
import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.TimestampType;
import io.fjord.storage.TopicPartition;
import io.fjord.storage.VerificationGuard;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Kafka 4.4's server-side retry of a transaction protocol v2 add answered CONCURRENT_TRANSACTIONS (KAFKA-18654): the
 * previous transaction's markers are still being written right after its EndTxn, and without the retry the producer
 * backs off and its pipelined batches come back OUT_OF_ORDER_SEQUENCE_NUMBER. Time and the scheduler are by hand.
 */
class AddPartitionRetriesTest {
    private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);
    private static final TopicPartition ORDERS_1 = new TopicPartition("orders", 1);
    private static final String TRANSACTIONAL_ID = VerificationImages.idOnPartition(0, 1, "payments-");
    private static final short PRODUCE_V11 = 11;
    private static final short PRODUCE_V12 = 12;

    private record Scheduled(Runnable task, long delayMs) {
    }

    private final AtomicLong nowMs = new AtomicLong(1_000);
    private final InstantSource clock = () -> Instant.ofEpochMilli(nowMs.get());
    private final List<Scheduled> scheduled = new ArrayList<>();
    private final List<List<AddPartitionsToTxnTransaction>> sent = new ArrayList<>();
    private final List<CompletableFuture<AddPartitionsToTxnResponseData>> answers = new ArrayList<>();
    private final AddPartitionsToTxnManager manager = new AddPartitionsToTxnManager(
            () -> VerificationImages.withTransactionStateLeaders(2), (nodeId, transactions) -> {
                sent.add(transactions);
                CompletableFuture<AddPartitionsToTxnResponseData> answer = new CompletableFuture<>();
                answers.add(answer);
                return answer;
            });
    /** Partitions where the producer's transaction is ongoing (its first batch there was appended). */
    private final Set<TopicPartition> ongoing = new HashSet<>();
    private final List<VerificationGuard> handedOut = new ArrayList<>();
    private final ProduceVerification verification = new ProduceVerification(manager,
            (partition, id, epoch, epochBump) -> {
                VerificationGuard guard = ongoing.contains(partition) ? VerificationGuard.SENTINEL
                        : VerificationGuard.create();
                handedOut.add(guard);
                return guard;
            }, () -> true,
            new AddPartitionRetries((task, delayMs) -> scheduled.add(new Scheduled(task, delayMs)), clock, 20, 100));

    @Test
    void anAddAnsweredConcurrentTransactionsIsAskedAgainAfterTheBackOffWithNewGuards() {
        CompletableFuture<ProduceVerification.Prepared> prepared = verification.prepare(TRANSACTIONAL_ID,
                PRODUCE_V12, List.of(append(ORDERS_0), append(ORDERS_1)));
        answers.get(0).complete(answer(Map.of(ORDERS_0, Errors.CONCURRENT_TRANSACTIONS,
                ORDERS_1, Errors.CONCURRENT_TRANSACTIONS)));
        assertThat(prepared).as("the producer is not told yet: its previous transaction's markers are on the way")
                .isNotDone();
        assertThat(scheduled).singleElement().extracting(Scheduled::delayMs).isEqualTo(20L);

        nowMs.addAndGet(20);
        runScheduled();
        assertThat(sent).hasSize(2);
        assertThat(sent.get(1)).singleElement().satisfies(transaction -> {
            assertThat(transaction.verifyOnly()).isFalse();
            assertThat(transaction.topics()).extracting(topic -> topic.name() + topic.partitions())
                    .containsExactly("orders[0, 1]");
        });
        answers.get(1).complete(answer(Map.of()));

        ProduceVerification.Prepared ready = prepared.join();
        assertThat(ready.errors()).containsOnlyNulls();
        assertThat(ready.appends()).as("the appends carry the guards of the attempt that succeeded")
                .extracting(LeaderAppend::verification).containsExactlyElementsOf(handedOut.subList(2, 4));
    }

    @Test
    void aRetryFindingTheTransactionOngoingAppendsWithoutAskingAgain() {
        CompletableFuture<ProduceVerification.Prepared> prepared = verification.prepare(TRANSACTIONAL_ID,
                PRODUCE_V12, List.of(append(ORDERS_0)));
        answers.get(0).complete(answer(Map.of(ORDERS_0, Errors.CONCURRENT_TRANSACTIONS)));
        ongoing.add(ORDERS_0); // another request of the producer was added and appended meanwhile
        nowMs.addAndGet(20);
        runScheduled();
        assertThat(sent).hasSize(1);
        assertThat(prepared.join().appends()).extracting(LeaderAppend::verification)
                .containsExactly(VerificationGuard.SENTINEL);
    }

    @Test
    void theProducerGetsConcurrentTransactionsOnceTheRetriesTookTheirTime() {
        CompletableFuture<ProduceVerification.Prepared> prepared = verification.prepare(TRANSACTIONAL_ID,
                PRODUCE_V12, List.of(append(ORDERS_0)));
        for (int attempt = 0; attempt < 5; attempt++) {
            answers.get(attempt).complete(answer(Map.of(ORDERS_0, Errors.CONCURRENT_TRANSACTIONS)));
            assertThat(prepared).isNotDone();
            nowMs.addAndGet(20);
            runScheduled();
        }
        // 100 ms have passed since the first attempt: its answer goes to the producer as it is (Produce v12+).
        answers.get(5).complete(answer(Map.of(ORDERS_0, Errors.CONCURRENT_TRANSACTIONS)));
        assertThat(scheduled).isEmpty();
        assertThat(prepared.join().errors()).containsExactly(
                new ProduceVerificationErrors.ProduceError(Errors.CONCURRENT_TRANSACTIONS, null));
    }

    @Test
    void otherErrorsAndVerifyOnlyChecksAreNotRetried() {
        CompletableFuture<ProduceVerification.Prepared> fenced = verification.prepare(TRANSACTIONAL_ID,
                PRODUCE_V12, List.of(append(ORDERS_0)));
        answers.get(0).complete(answer(Map.of(ORDERS_0, Errors.INVALID_PRODUCER_EPOCH)));
        assertThat(fenced.join().errors()).extracting(ProduceVerificationErrors.ProduceError::error)
                .containsExactly(Errors.INVALID_PRODUCER_EPOCH);

        // A transaction protocol v1 producer added the partition itself; Kafka does not retry its verification.
        CompletableFuture<ProduceVerification.Prepared> verifyOnly = verification.prepare(TRANSACTIONAL_ID,
                PRODUCE_V11, List.of(append(ORDERS_0)));
        answers.get(1).complete(answer(Map.of(ORDERS_0, Errors.CONCURRENT_TRANSACTIONS)));
        assertThat(verifyOnly.join().errors()).extracting(ProduceVerificationErrors.ProduceError::error)
                .containsExactly(Errors.NOT_ENOUGH_REPLICAS);
        assertThat(scheduled).isEmpty();
    }

    @Test
    void theSettingsAreKafkasWithTheTimeoutCappedByTheRequestTimeout() {
        AddPartitionRetries defaults = AddPartitionRetries.from(BrokerConfig.parse(
                "node.id=1\nprocess.roles=broker\n"), (task, delayMs) -> { }, clock);
        assertThat(defaults.backoffMs()).isEqualTo(20);
        assertThat(defaults.timeoutMs()).isEqualTo(100);
        AddPartitionRetries capped = AddPartitionRetries.from(BrokerConfig.parse("node.id=1\nprocess.roles=broker\n"
                + "add.partitions.to.txn.retry.backoff.ms=5\nadd.partitions.to.txn.retry.backoff.max.ms=60000\n"
                + "request.timeout.ms=3000\n"), (task, delayMs) -> { }, clock);
        assertThat(capped.backoffMs()).isEqualTo(5);
        assertThat(capped.timeoutMs()).isEqualTo(3000);
    }

    private void runScheduled() {
        List<Scheduled> due = new ArrayList<>(scheduled);
        scheduled.clear();
        due.forEach(entry -> entry.task().run());
    }

    private static LeaderAppend append(TopicPartition partition) {
        return new LeaderAppend(partition, RecordCodec.encode(new BatchSpec(0, CompressionType.NONE,
                TimestampType.CREATE_TIME, RecordBatch.NO_TIMESTAMP, 5, (short) 3, 0, true, false,
                RecordBatch.NO_PARTITION_LEADER_EPOCH, RecordBatch.NO_TIMESTAMP), List.of(new Record(0, 1_000L, null,
                ByteBuffer.wrap("v".getBytes(StandardCharsets.UTF_8)), List.of()))));
    }

    /** The coordinator's answer for the transactional id: {@code errors} for some partitions, NONE for the rest. */
    private static AddPartitionsToTxnResponseData answer(Map<TopicPartition, Errors> errors) {
        AddPartitionsToTxnResult result = new AddPartitionsToTxnResult().setTransactionalId(TRANSACTIONAL_ID);
        errors.forEach((partition, error) -> {
            AddPartitionsToTxnTopicResult topic = new AddPartitionsToTxnTopicResult().setName(partition.topic());
            topic.resultsByPartition().add(new AddPartitionsToTxnPartitionResult()
                    .setPartitionIndex(partition.partition()).setPartitionErrorCode(error.code()));
            result.topicResults().add(topic);
        });
        AddPartitionsToTxnResponseData response = new AddPartitionsToTxnResponseData();
        response.resultsByTransaction().add(result);
        return response;
    }
}
