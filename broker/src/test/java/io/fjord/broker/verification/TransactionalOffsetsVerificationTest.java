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
import io.fjord.storage.VerificationGuard;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * KIP-890 for TxnOffsetCommit: which versions add the offsets partition and which only verify it, when nothing is
 * asked, which guard the append gets, and the coordinator's errors as the group coordinator receives them.
 */
class TransactionalOffsetsVerificationTest {
    private static final TopicPartition OFFSETS_3 = new TopicPartition("__consumer_offsets", 3);
    private static final String TRANSACTIONAL_ID = VerificationImages.idOnPartition(0, 1, "offsets-");

    private final List<AddPartitionsToTxnTransaction> sent = new ArrayList<>();
    private final List<CompletableFuture<AddPartitionsToTxnResponseData>> answers = new ArrayList<>();
    private final AtomicReference<MetadataImage> image = new AtomicReference<>(
            VerificationImages.withTransactionStateLeaders(2));
    private final AtomicBoolean enabled = new AtomicBoolean(true);
    private final AtomicBoolean ongoing = new AtomicBoolean();
    private final AtomicReference<VerificationGuard> handedOut = new AtomicReference<>();
    private final TransactionalOffsetsVerification verification = new TransactionalOffsetsVerification(
            new AddPartitionsToTxnManager(image::get, (nodeId, transactions) -> {
                sent.addAll(transactions);
                CompletableFuture<AddPartitionsToTxnResponseData> answer = new CompletableFuture<>();
                answers.add(answer);
                return answer;
            }), (partition, producerId, producerEpoch, epochBump) -> {
                assertThat(partition).isEqualTo(OFFSETS_3);
                handedOut.set(ongoing.get() ? VerificationGuard.SENTINEL : VerificationGuard.create());
                return handedOut.get();
            }, enabled::get);

    private CompletableFuture<TransactionalOffsetsVerification.Verified> verify(int txnOffsetCommitVersion) {
        return verification.verify(OFFSETS_3, TRANSACTIONAL_ID, 9L, (short) 2, (short) txnOffsetCommitVersion);
    }

    private static AddPartitionsToTxnResponseData answer(Errors offsetsError) {
        AddPartitionsToTxnTopicResult topic = new AddPartitionsToTxnTopicResult().setName(OFFSETS_3.topic());
        if (offsetsError != Errors.NONE) {
            topic.resultsByPartition().add(new AddPartitionsToTxnPartitionResult()
                    .setPartitionIndex(OFFSETS_3.partition()).setPartitionErrorCode(offsetsError.code()));
        }
        AddPartitionsToTxnResult result = new AddPartitionsToTxnResult().setTransactionalId(TRANSACTIONAL_ID);
        result.topicResults().add(topic);
        AddPartitionsToTxnResponseData response = new AddPartitionsToTxnResponseData();
        response.resultsByTransaction().add(result);
        return response;
    }

    @Test
    void versionsMapToKafkasTransactionSupportedOperations() {
        assertThat(VerificationOperation.forTxnOffsetCommitVersion((short) 0))
                .isEqualTo(VerificationOperation.DEFAULT_ERROR);
        assertThat(VerificationOperation.forTxnOffsetCommitVersion((short) 3))
                .isEqualTo(VerificationOperation.DEFAULT_ERROR);
        assertThat(VerificationOperation.forTxnOffsetCommitVersion((short) 4))
                .isEqualTo(VerificationOperation.GENERIC_ERROR_SUPPORTED);
        assertThat(VerificationOperation.forTxnOffsetCommitVersion((short) 5))
                .isEqualTo(VerificationOperation.ADD_PARTITION);
        assertThat(VerificationOperation.forTxnOffsetCommitVersion((short) 6))
                .isEqualTo(VerificationOperation.ADD_PARTITION);
    }

    @Test
    void version5AddsTheOffsetsPartitionToTheTransactionAndTheAppendBringsTheGuard() {
        CompletableFuture<TransactionalOffsetsVerification.Verified> verified = verify(5);
        assertThat(sent).singleElement().satisfies(transaction -> {
            assertThat(transaction.transactionalId()).isEqualTo(TRANSACTIONAL_ID);
            assertThat(transaction.producerId()).isEqualTo(9L);
            assertThat(transaction.producerEpoch()).isEqualTo((short) 2);
            assertThat(transaction.verifyOnly()).as("transaction protocol v2: the broker adds it").isFalse();
            assertThat(transaction.topics()).extracting(topic -> topic.name() + topic.partitions())
                    .containsExactly("__consumer_offsets[3]");
        });
        assertThat(verified).as("nothing is written before the coordinator answered").isNotDone();
        answers.get(0).complete(answer(Errors.NONE));
        assertThat(verified.join()).isEqualTo(new TransactionalOffsetsVerification.Verified(Errors.NONE,
                handedOut.get()));
        assertThat(handedOut.get()).isNotSameAs(VerificationGuard.SENTINEL);
    }

    @Test
    void version4OnlyVerifiesAndOnlyWhileVerificationIsOn() {
        CompletableFuture<TransactionalOffsetsVerification.Verified> verified = verify(4);
        assertThat(sent).singleElement().satisfies(transaction -> assertThat(transaction.verifyOnly()).isTrue());
        answers.get(0).complete(answer(Errors.NONE));
        assertThat(verified.join().guard()).isSameAs(handedOut.get());

        enabled.set(false);
        handedOut.set(null);
        assertThat(verify(4).join()).isEqualTo(new TransactionalOffsetsVerification.Verified(Errors.NONE, null));
        assertThat(handedOut.get()).as("no guard asked").isNull();
        assertThat(sent).hasSize(1);
    }

    @Test
    void version5AddsEvenWithVerificationOffButItsAppendIsNotChecked() {
        enabled.set(false);
        CompletableFuture<TransactionalOffsetsVerification.Verified> verified = verify(5);
        assertThat(sent).singleElement().satisfies(transaction -> assertThat(transaction.verifyOnly()).isFalse());
        answers.get(0).complete(answer(Errors.NONE));
        assertThat(verified.join()).isEqualTo(new TransactionalOffsetsVerification.Verified(Errors.NONE, null));
    }

    @Test
    void anOngoingTransactionInTheOffsetsPartitionNeedsNoRequest() {
        ongoing.set(true);
        assertThat(verify(5).join()).isEqualTo(new TransactionalOffsetsVerification.Verified(Errors.NONE,
                VerificationGuard.SENTINEL));
        assertThat(verify(3).join().guard()).isSameAs(VerificationGuard.SENTINEL);
        assertThat(sent).isEmpty();
    }

    @Test
    void withoutATransactionalIdNothingIsVerified() {
        assertThat(verification.verify(OFFSETS_3, null, 9L, (short) 2, (short) 5).join())
                .isEqualTo(new TransactionalOffsetsVerification.Verified(Errors.NONE, null));
        assertThat(sent).isEmpty();
    }

    @Test
    void theCoordinatorsErrorsReachTheGroupCoordinatorAsKafkasManagerReportsThem() {
        assertThat(errorFor(5, Errors.CONCURRENT_TRANSACTIONS)).isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        assertThat(errorFor(5, Errors.PRODUCER_FENCED)).isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
        assertThat(errorFor(4, Errors.TRANSACTION_ABORTABLE)).isEqualTo(Errors.TRANSACTION_ABORTABLE);
        assertThat(errorFor(3, Errors.TRANSACTION_ABORTABLE)).as("a v3 client does not know it")
                .isEqualTo(Errors.INVALID_TXN_STATE);
        assertThat(errorFor(3, Errors.INVALID_TXN_STATE)).isEqualTo(Errors.INVALID_TXN_STATE);

        CompletableFuture<TransactionalOffsetsVerification.Verified> unanswered = verify(5);
        answers.get(answers.size() - 1).completeExceptionally(new IllegalStateException("connection closed"));
        assertThat(unanswered.join()).isEqualTo(new TransactionalOffsetsVerification.Verified(
                Errors.NETWORK_EXCEPTION, null));

        image.set(MetadataImage.EMPTY);
        assertThat(verify(5).join().error()).as("no __transaction_state leader")
                .isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE);
    }

    private Errors errorFor(int version, Errors coordinatorError) {
        CompletableFuture<TransactionalOffsetsVerification.Verified> verified = verify(version);
        answers.get(answers.size() - 1).complete(answer(coordinatorError));
        TransactionalOffsetsVerification.Verified outcome = verified.join();
        assertThat(outcome.guard()).as("a refused write brings no guard").isNull();
        return outcome.error();
    }
}
