package io.fjord.storage.internal.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.protocol.records.RecordBatchException;
import io.fjord.protocol.records.RecordBatchException.Kind;
import io.fjord.storage.ProducerState;
import io.fjord.storage.TransactionMarker;
import io.fjord.storage.VerificationGuard;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProducerStateManagerTest {
    private static final long PRODUCER = 17;
    private final ProducerStateManager manager = new ProducerStateManager();
    private long nextOffset;

    /** A data batch of {@code count} records at the next offsets. */
    private static ProducerBatch batch(long producerId, int epoch, int baseSequence, int count, long firstOffset,
                                       long timestampMs) {
        return new ProducerBatch(producerId, (short) epoch, baseSequence,
                ProducerBatch.lastSequence(baseSequence, count - 1), firstOffset, firstOffset + count - 1, timestampMs,
                false, false, null);
    }

    /** A transactional data batch of one record at {@code offset}. */
    private static ProducerBatch transactional(long producerId, int epoch, int sequence, long offset) {
        return new ProducerBatch(producerId, (short) epoch, sequence, sequence, offset, offset, 1_000, true, false,
                null);
    }

    /** A transaction marker at {@code offset}. */
    private static ProducerBatch marker(long producerId, int epoch, long offset, boolean commit, int coordinatorEpoch) {
        return new ProducerBatch(producerId, (short) epoch, -1, -1, offset, offset, 1_000, true, true,
                new TransactionMarker(commit, coordinatorEpoch));
    }

    /** Checks as a leader append, then applies it as written; returns the duplicate if any. */
    private Optional<ProducerState.Batch> append(int epoch, int baseSequence, int count) {
        ProducerBatch batch = batch(PRODUCER, epoch, baseSequence, count, nextOffset, 1000 + nextOffset);
        Optional<ProducerState.Batch> duplicate = manager.checkLeaderAppend(List.of(batch));
        if (duplicate.isEmpty()) {
            manager.apply(batch);
            nextOffset += count;
        }
        return duplicate;
    }

    private void assertRejected(int epoch, int baseSequence, int count, Kind kind) {
        assertThatThrownBy(() -> append(epoch, baseSequence, count))
                .isInstanceOfSatisfying(RecordBatchException.class, e -> assertThat(e.kind()).isEqualTo(kind));
    }

    @Test
    void aProducerWithoutStateMayStartAtAnySequenceAndMustContinueFromThere() {
        assertThat(manager.get(PRODUCER)).isEmpty();
        assertThat(append(0, 5, 3)).isEmpty();
        assertThat(manager.get(PRODUCER).orElseThrow().lastSequence()).isEqualTo(7);
        assertRejected(0, 9, 1, Kind.OUT_OF_ORDER_SEQUENCE_NUMBER);
        assertThat(append(0, 8, 1)).isEmpty();
    }

    @Test
    void sequencesMustContinueWithoutGaps() {
        append(0, 0, 3);
        assertRejected(0, 4, 1, Kind.OUT_OF_ORDER_SEQUENCE_NUMBER);
        assertRejected(0, 2, 2, Kind.OUT_OF_ORDER_SEQUENCE_NUMBER); // overlaps, but is not a retained batch
        assertThat(append(0, 3, 2)).isEmpty();
        assertThat(manager.get(PRODUCER).orElseThrow().lastSequence()).isEqualTo(4);
    }

    @Test
    void aRetryOfAnyOfTheLastFiveBatchesIsADuplicateWithItsOriginalOffsets() {
        for (int batch = 0; batch < 7; batch++) {
            append(0, batch * 2, 2);
        }
        // Batches 2..6 are retained (offsets 4..13); batches 0 and 1 are not.
        for (int batch = 2; batch < 7; batch++) {
            ProducerState.Batch original = append(0, batch * 2, 2).orElseThrow();
            assertThat(original.firstOffset()).isEqualTo(batch * 2L);
            assertThat(original.lastOffset()).isEqualTo(batch * 2L + 1);
            assertThat(original.timestampMs()).isEqualTo(1000 + batch * 2L);
        }
        assertRejected(0, 2, 2, Kind.OUT_OF_ORDER_SEQUENCE_NUMBER);
        assertThat(nextOffset).isEqualTo(14);
    }

    @Test
    void olderEpochIsFencedAndNewerEpochMustRestartAtZero() {
        append(3, 0, 2);
        assertRejected(2, 2, 1, Kind.INVALID_PRODUCER_EPOCH);
        assertRejected(2, 0, 2, Kind.INVALID_PRODUCER_EPOCH); // not a duplicate across epochs
        assertRejected(4, 2, 1, Kind.OUT_OF_ORDER_SEQUENCE_NUMBER);
        assertThat(append(4, 0, 1)).isEmpty();
        ProducerState state = manager.get(PRODUCER).orElseThrow();
        assertThat(state.producerEpoch()).isEqualTo((short) 4);
        assertThat(state.batches()).hasSize(1);
        assertRejected(3, 2, 1, Kind.INVALID_PRODUCER_EPOCH);
    }

    @Test
    void sequencesWrapAtIntegerMaxValue() {
        manager.apply(batch(PRODUCER, 0, Integer.MAX_VALUE - 1, 2, 0, 1)); // as a follower: no checks
        nextOffset = 2;
        assertThat(manager.get(PRODUCER).orElseThrow().lastSequence()).isEqualTo(Integer.MAX_VALUE);
        assertRejected(0, Integer.MAX_VALUE, 1, Kind.OUT_OF_ORDER_SEQUENCE_NUMBER);
        assertThat(append(0, 0, 3)).isEmpty();
        // A batch spanning the wrap.
        manager.apply(batch(PRODUCER, 1, Integer.MAX_VALUE, 3, 5, 1));
        assertThat(manager.get(PRODUCER).orElseThrow().lastSequence()).isEqualTo(1);
        assertThat(manager.get(PRODUCER).orElseThrow().findDuplicate((short) 1, Integer.MAX_VALUE, 1)).isPresent();
    }

    @Test
    void followerAppliesWithoutChecksIncludingLowerEpochsAndGaps() {
        manager.apply(batch(PRODUCER, 5, 10, 1, 0, 1));
        manager.apply(batch(PRODUCER, 5, 30, 1, 1, 1));
        manager.apply(batch(PRODUCER, 2, 7, 1, 2, 1));
        ProducerState state = manager.get(PRODUCER).orElseThrow();
        assertThat(state.producerEpoch()).isEqualTo((short) 2);
        assertThat(state.lastSequence()).isEqualTo(7);
        assertThat(state.batches()).hasSize(1);
    }

    @Test
    void severalBatchesInOneAppendAreCheckedInOrder() {
        List<ProducerBatch> inOrder = List.of(batch(PRODUCER, 0, 0, 2, 0, 1), batch(PRODUCER, 0, 2, 1, 2, 1),
                batch(99, 0, 0, 1, 3, 1));
        assertThat(manager.checkLeaderAppend(inOrder)).isEmpty();
        assertThat(manager.producers()).as("a check changes nothing").isEmpty();
        List<ProducerBatch> gap = List.of(batch(PRODUCER, 0, 0, 2, 0, 1), batch(PRODUCER, 0, 3, 1, 2, 1));
        assertThatThrownBy(() -> manager.checkLeaderAppend(gap)).isInstanceOfSatisfying(RecordBatchException.class,
                e -> assertThat(e.kind()).isEqualTo(Kind.OUT_OF_ORDER_SEQUENCE_NUMBER));
        inOrder.forEach(manager::apply);
        List<ProducerBatch> repeatInside = List.of(batch(PRODUCER, 0, 0, 2, 0, 1), batch(PRODUCER, 0, 3, 1, 2, 1));
        assertThatThrownBy(() -> manager.checkLeaderAppend(repeatInside))
                .isInstanceOfSatisfying(RecordBatchException.class,
                        e -> assertThat(e.kind()).isEqualTo(Kind.DUPLICATE_SEQUENCE_NUMBER));
    }

    @Test
    void batchesWithoutProducerIdAreIgnored() {
        ProducerBatch plain = batch(-1, -1, -1, 3, 0, 1);
        assertThat(manager.checkLeaderAppend(List.of(plain, plain))).isEmpty();
        manager.apply(plain);
        assertThat(manager.producers()).isEmpty();
    }

    @Test
    void expirationRemovesIdleProducersButNotOpenTransactions() {
        manager.apply(batch(1, 0, 0, 1, 0, 1_000));
        manager.apply(batch(2, 0, 0, 1, 1, 5_000));
        manager.apply(transactional(3, 0, 0, 2));
        assertThat(manager.get(3).orElseThrow().currentTransactionFirstOffset()).isEqualTo(2);
        assertThat(manager.removeExpired(10_999, 10_000)).isZero();
        assertThat(manager.removeExpired(11_000, 10_000)).isEqualTo(1);
        assertThat(manager.producers().keySet()).containsExactlyInAnyOrder(2L, 3L);
        // The marker ends the transaction; then the producer can expire.
        manager.apply(marker(3, 0, 3, true, 0));
        assertThat(manager.get(3).orElseThrow().currentTransactionFirstOffset()).isEqualTo(-1);
        assertThat(manager.get(3).orElseThrow().batches()).hasSize(1);
        assertThat(manager.removeExpired(15_000, 10_000)).isEqualTo(2);
        assertThat(manager.producers()).isEmpty();
    }

    @Test
    void openTransactionsHoldTheFirstUnstableOffsetUntilTheHighWatermarkPassesTheirMarker() {
        assertThat(manager.firstUnstableOffset()).isEqualTo(-1);
        manager.apply(transactional(1, 0, 0, 10));
        manager.apply(transactional(2, 0, 0, 11));
        manager.apply(transactional(1, 0, 1, 12));
        assertThat(manager.firstUnstableOffset()).isEqualTo(10);

        Optional<CompletedTransaction> first = manager.apply(marker(1, 0, 13, false, 5));
        // Producer 2's transaction is still open: the aborted one's last stable offset is its first offset.
        assertThat(first).contains(new CompletedTransaction(1, 10, 13, true, 11));
        assertThat(manager.get(1).orElseThrow().coordinatorEpoch()).isEqualTo(5);
        assertThat(manager.firstUnstableOffset()).isEqualTo(10); // the marker is not below the high watermark yet
        manager.onHighWatermarkUpdated(13);
        assertThat(manager.firstUnstableOffset()).isEqualTo(10);
        manager.onHighWatermarkUpdated(14);
        assertThat(manager.firstUnstableOffset()).isEqualTo(11);

        assertThat(manager.apply(marker(2, 0, 14, true, 5))).contains(new CompletedTransaction(2, 11, 14, false, 15));
        manager.onHighWatermarkUpdated(15);
        assertThat(manager.firstUnstableOffset()).isEqualTo(-1);
        assertThat(manager.apply(marker(2, 0, 15, true, 5))).isEmpty(); // nothing open: the marker ends nothing
    }

    @Test
    void markersAreCheckedForProducerAndCoordinatorEpochs() {
        manager.apply(transactional(1, 3, 0, 0));
        manager.apply(marker(1, 3, 1, true, 7));
        assertThatThrownBy(() -> manager.checkMarker(marker(1, 2, 2, false, 7)))
                .isInstanceOfSatisfying(RecordBatchException.class,
                        e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_PRODUCER_EPOCH));
        assertThatThrownBy(() -> manager.checkMarker(marker(1, 3, 2, false, 6)))
                .isInstanceOfSatisfying(RecordBatchException.class,
                        e -> assertThat(e.kind()).isEqualTo(Kind.TRANSACTION_COORDINATOR_FENCED));
        manager.checkMarker(marker(1, 4, 2, false, 7)); // a newer producer epoch (a fencing abort) and the same coordinator
        manager.checkMarker(marker(9, 0, 2, false, 0)); // a producer without state
    }

    @Test
    void loadingASnapshotRestoresOpenTransactions() {
        manager.apply(transactional(1, 0, 0, 4));
        manager.apply(transactional(2, 0, 0, 5));
        ProducerStateManager loaded = new ProducerStateManager();
        loaded.load(manager.states());
        assertThat(loaded.firstUnstableOffset()).isEqualTo(4);
        assertThat(loaded.apply(marker(1, 0, 6, false, 0))).contains(new CompletedTransaction(1, 4, 6, true, 5));
    }

    private void assertNotVerified(ProducerBatch batch, VerificationGuard guard) {
        assertThatThrownBy(() -> manager.checkVerified(List.of(batch), guard))
                .isInstanceOfSatisfying(RecordBatchException.class,
                        e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_TXN_STATE));
    }

    @Test
    void aVerifiedTransactionalBatchNeedsItsGuardAndAMarkerInBetweenMakesTheGuardVoid() {
        VerificationGuard guard = manager.startVerification(PRODUCER, (short) 0, 0);
        assertThat(guard).isNotSameAs(VerificationGuard.SENTINEL);
        // A second produce while the first is verified joins the same verification.
        assertThat(manager.startVerification(PRODUCER, (short) 0, 5)).isSameAs(guard);
        ProducerBatch first = transactional(PRODUCER, 0, 0, 0);
        assertNotVerified(first, VerificationGuard.SENTINEL);
        assertNotVerified(first, VerificationGuard.create());

        // The coordinator ends the transaction (a marker lands) before the verified batch is appended: void.
        manager.apply(marker(PRODUCER, 0, 0, false, 1));
        assertNotVerified(first, guard);

        VerificationGuard again = manager.startVerification(PRODUCER, (short) 0, 10);
        assertThat(again).isNotSameAs(guard);
        ProducerBatch verified = transactional(PRODUCER, 0, 0, 1);
        manager.checkVerified(List.of(verified), again);
        manager.apply(verified);
        // The transaction is ongoing at this epoch now: nothing to verify, and a batch needs no guard.
        assertThat(manager.startVerification(PRODUCER, (short) 0, 20)).isSameAs(VerificationGuard.SENTINEL);
        manager.checkVerified(List.of(transactional(PRODUCER, 0, 1, 2)), VerificationGuard.SENTINEL);
        // A TV2 producer's next transaction comes at a bumped epoch: verified again.
        assertThat(manager.startVerification(PRODUCER, (short) 1, 20)).isNotSameAs(VerificationGuard.SENTINEL);
        // Idempotent (non-transactional) batches and markers are never verified.
        manager.checkVerified(List.of(batch(99, 0, 0, 1, 3, 1_000), marker(PRODUCER, 0, 3, true, 1)),
                VerificationGuard.SENTINEL);
    }

    @Test
    void verificationsExpireWithTheProducerExpirationAndGoWithAReload() {
        VerificationGuard guard = manager.startVerification(PRODUCER, (short) 0, 1_000);
        manager.removeExpired(1_999, 1_000);
        manager.checkVerified(List.of(transactional(PRODUCER, 0, 0, 0)), guard);
        manager.removeExpired(2_000, 1_000);
        assertNotVerified(transactional(PRODUCER, 0, 0, 0), guard);

        VerificationGuard beforeClear = manager.startVerification(PRODUCER, (short) 0, 3_000);
        manager.clear();
        assertNotVerified(transactional(PRODUCER, 0, 0, 0), beforeClear);
    }

    @Test
    void onTransactionProtocol2ThePreviousTransactionsMarkerAtTheVerifiedEpochLeavesTheGuardLive() {
        // Epoch 0's transaction is open; its end (EndTxn v5) bumped the epoch to 1, and the producer's next
        // transaction is verified at 1 before the marker, written at the bumped epoch 1, lands (Kafka's TV2 rule).
        manager.apply(transactional(PRODUCER, 0, 0, 0));
        VerificationGuard next = manager.startVerification(PRODUCER, (short) 1, true, 10);
        manager.apply(marker(PRODUCER, 1, 1, true, 0));
        manager.checkVerified(List.of(transactional(PRODUCER, 1, 0, 2)), next);
        // A retry at the same epoch joins the same verification.
        assertThat(manager.startVerification(PRODUCER, (short) 1, true, 20)).isSameAs(next);

        // A marker at another epoch (the coordinator aborted with a bump) voids it, as does a v1 producer's marker.
        manager.apply(marker(PRODUCER, 2, 3, false, 0));
        assertNotVerified(transactional(PRODUCER, 2, 0, 4), next);
        manager.apply(transactional(PRODUCER, 3, 0, 4));
        VerificationGuard protocol1 = manager.startVerification(PRODUCER, (short) 3, false, 30);
        manager.apply(marker(PRODUCER, 3, 5, true, 0));
        assertNotVerified(transactional(PRODUCER, 3, 0, 6), protocol1);
    }
}
