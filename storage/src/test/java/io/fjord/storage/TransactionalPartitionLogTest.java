package io.fjord.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.RecordBatchException;
import io.fjord.protocol.records.RecordBatchException.Kind;
import io.fjord.storage.internal.SegmentHandleCache;
import io.fjord.storage.internal.TransactionIndex;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions in a partition log: the last stable offset as transactions begin and end, transaction markers (their
 * checks, replication as ordinary batches), the aborted-transaction index (Kafka's {@code .txnindex} format, written at
 * an ABORT marker, rebuilt by recovery, cut by truncation, deleted with its segment) and open transactions across
 * restarts.
 */
class TransactionalPartitionLogTest {
    private static final long FIRST = 7;
    private static final long SECOND = 8;
    @TempDir
    Path root;
    private final QueuedExecutor background = new QueuedExecutor();
    private final ManualClock clock = new ManualClock(LogTestSupport.START_MS);
    private final LogConfig config = LogConfig.defaults().with(LogConfig.FILE_DELETE_DELAY_MS, 0);
    private final int[] sequences = new int[16];
    private PartitionLog log;

    @AfterEach
    void close() {
        if (log != null && !log.isClosed()) {
            log.close();
        }
    }

    private Path directory() {
        return root.resolve("transactions-0");
    }

    private PartitionLog open(boolean cleanShutdown, long recoveryPoint) {
        log = PartitionLog.open(directory(), config, recoveryPoint, 0, cleanShutdown, clock,
                SegmentHandleCache.unbounded(), background);
        return log;
    }

    /** Appends one transactional record of {@code producerId} (epoch 0); returns its offset. */
    private long send(long producerId) {
        int sequence = sequences[(int) producerId]++;
        return log.appendAsLeader(TestBatches.transactional(producerId, (short) 0, sequence, clock.millis(),
                "v" + sequence), 0).firstOffset();
    }

    private long end(long producerId, boolean commit) {
        return log.appendTransactionMarkerAsLeader(producerId, (short) 0, new TransactionMarker(commit, 0), 0)
                .firstOffset();
    }

    private void replicateAll() {
        log.updateHighWatermark(log.logEndOffset());
    }

    private List<Path> transactionIndexFiles() throws IOException {
        try (Stream<Path> files = Files.list(directory())) {
            return files.filter(file -> file.getFileName().toString().contains(TransactionIndex.SUFFIX)).sorted()
                    .toList();
        }
    }

    @Test
    void lastStableOffsetStopsAtTheEarliestUnstableTransaction() {
        open(true, 0);
        log.appendAsLeader(TestBatches.batch(clock.millis(), "plain"), 0);
        replicateAll();
        assertThat(log.lastStableOffset()).isEqualTo(1);

        long firstOpen = send(FIRST);
        send(SECOND);
        log.appendAsLeader(TestBatches.batch(clock.millis(), "plain"), 0);
        assertThat(log.lastStableOffset()).as("not replicated yet").isEqualTo(1);
        replicateAll();
        assertThat(log.lastStableOffset()).as("FIRST's transaction is open").isEqualTo(firstOpen);

        long commit = end(FIRST, true);
        assertThat(log.lastStableOffset()).as("the marker is not below the high watermark").isEqualTo(firstOpen);
        replicateAll();
        assertThat(log.lastStableOffset()).as("SECOND's transaction is open").isEqualTo(firstOpen + 1);
        end(SECOND, false);
        replicateAll();
        assertThat(log.lastStableOffset()).isEqualTo(log.highWatermark()).isEqualTo(commit + 2);
        assertThat(log.producerStates().get(SECOND).currentTransactionFirstOffset()).isEqualTo(-1);
    }

    @Test
    void theLastStableOffsetNeverFallsBelowTheLogStart() {
        open(true, 0);
        long open = send(FIRST);
        log.appendAsLeader(TestBatches.batch(clock.millis(), "a", "b", "c"), 0);
        replicateAll();
        assertThat(log.lastStableOffset()).isEqualTo(open);
        log.maybeAdvanceLogStartOffset(open + 2); // DeleteRecords past the hanging transaction's first batch
        assertThat(log.lastStableOffset()).isEqualTo(open + 2);
    }

    @Test
    void anAbortIsIndexedInKafkasFormatAndReturnedForTheRangesItOverlaps() throws IOException {
        open(true, 0);
        long firstOpen = send(FIRST); // 0
        long secondOpen = send(SECOND); // 1
        send(FIRST); // 2
        long abort = end(FIRST, false); // 3
        long commit = end(SECOND, true); // 4
        replicateAll();

        assertThat(transactionIndexFiles()).hasSize(1);
        ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(transactionIndexFiles().get(0)));
        assertThat(file.remaining()).isEqualTo(34);
        assertThat(file.getShort()).as("version").isZero();
        assertThat(file.getLong()).isEqualTo(FIRST);
        assertThat(file.getLong()).isEqualTo(firstOpen);
        assertThat(file.getLong()).isEqualTo(abort);
        assertThat(file.getLong()).as("SECOND's open transaction bounds the last stable offset").isEqualTo(secondOpen);

        AbortedTransaction expected = new AbortedTransaction(FIRST, firstOpen, abort, secondOpen);
        assertThat(log.abortedTransactions(0, commit + 1)).containsExactly(expected);
        assertThat(log.abortedTransactions(abort, commit + 1)).containsExactly(expected);
        assertThat(log.abortedTransactions(abort + 1, commit + 1)).as("ended before the range").isEmpty();
        assertThat(log.abortedTransactions(0, firstOpen)).as("begins after the range").isEmpty();
        assertThat(log.producerStates().get(FIRST).coordinatorEpoch()).isZero();
    }

    @Test
    void markersFromAnOlderProducerOrCoordinatorEpochAreRefusedAndAppendNothing() {
        open(true, 0);
        log.appendAsLeader(TestBatches.transactional(FIRST, (short) 2, 0, clock.millis(), "v"), 0);
        log.appendTransactionMarkerAsLeader(FIRST, (short) 2, new TransactionMarker(true, 5), 0);
        long end = log.logEndOffset();
        assertThatThrownBy(() -> log.appendTransactionMarkerAsLeader(FIRST, (short) 1,
                new TransactionMarker(false, 5), 0))
                .isInstanceOfSatisfying(RecordBatchException.class,
                        e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_PRODUCER_EPOCH));
        assertThatThrownBy(() -> log.appendTransactionMarkerAsLeader(FIRST, (short) 2,
                new TransactionMarker(false, 4), 0))
                .isInstanceOfSatisfying(RecordBatchException.class,
                        e -> assertThat(e.kind()).isEqualTo(Kind.TRANSACTION_COORDINATOR_FENCED));
        assertThat(log.logEndOffset()).isEqualTo(end);
        // Clients may not write control batches themselves.
        ByteBuffer forged = new TransactionMarker(true, 9).toBatch(FIRST, (short) 2, clock.millis());
        assertThatThrownBy(() -> log.appendAsLeader(forged, 0)).isInstanceOfSatisfying(RecordBatchException.class,
                e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_RECORD));
    }

    @Test
    void aFollowerAppliesReplicatedMarkersLikeTheLeader() {
        open(true, 0);
        send(FIRST);
        end(FIRST, false);
        ByteBuffer leaderBytes = log.readAllFrom(0);
        log.close();
        log = PartitionLog.open(root.resolve("follower-0"), config, 0, 0, true, clock,
                SegmentHandleCache.unbounded(), background);
        log.appendAsFollower(leaderBytes);
        assertThat(log.abortedTransactions(0, 2)).containsExactly(new AbortedTransaction(FIRST, 0, 1, 2));
    }

    @Test
    void anOpenTransactionSurvivesACleanRestartThroughTheSnapshot() {
        open(true, 0);
        log.appendAsLeader(TestBatches.batch(clock.millis(), "plain"), 0);
        long open = send(FIRST);
        replicateAll();
        log.close();
        open(true, log.logEndOffset());
        log.updateHighWatermark(log.logEndOffset());
        assertThat(log.lastStableOffset()).isEqualTo(open);
        assertThat(log.producerStates().get(FIRST).currentTransactionFirstOffset()).isEqualTo(open);
        long abort = end(FIRST, false);
        assertThat(log.abortedTransactions(0, abort + 1)).containsExactly(new AbortedTransaction(FIRST, open, abort,
                abort + 1));
    }

    @Test
    void recoveryAfterAnUncleanShutdownRebuildsTheIndexFromTheMarkers() throws IOException {
        open(true, 0);
        long first = send(FIRST);
        long abortFirst = end(FIRST, false);
        log.roll();
        long second = send(SECOND);
        send(FIRST);
        long abortSecond = end(SECOND, false);
        log.roll();
        send(FIRST); // FIRST's second transaction stays open through the crash
        long recoveryPoint = 0;
        log.closeAbruptly();
        for (Path index : transactionIndexFiles()) {
            Files.delete(index); // unflushed: lost with the crash
        }
        open(false, recoveryPoint);
        log.updateHighWatermark(log.logEndOffset());

        assertThat(transactionIndexFiles()).hasSize(2);
        assertThat(log.abortedTransactions(0, log.logEndOffset())).containsExactly(
                new AbortedTransaction(FIRST, first, abortFirst, abortFirst + 1),
                new AbortedTransaction(SECOND, second, abortSecond, second + 1));
        assertThat(log.lastStableOffset()).isEqualTo(second + 1);

        // A second crash with the indexes in place rebuilds them again, without doubling an entry.
        log.closeAbruptly();
        open(false, 0);
        assertThat(log.abortedTransactions(0, log.logEndOffset())).hasSize(2);
    }

    @Test
    void truncationReopensTheTransactionAndDropsItsIndexEntry() {
        open(true, 0);
        long open = send(FIRST);
        long abort = end(FIRST, false);
        assertThat(log.abortedTransactions(0, abort + 1)).hasSize(1);
        log.truncateTo(abort);
        replicateAll();
        assertThat(log.abortedTransactions(0, abort + 1)).isEmpty();
        assertThat(log.lastStableOffset()).as("the transaction is open again").isEqualTo(open);
        assertThat(end(FIRST, true)).isEqualTo(abort);
        replicateAll();
        assertThat(log.abortedTransactions(0, abort + 1)).isEmpty();
        assertThat(log.lastStableOffset()).isEqualTo(abort + 1);
    }

    @Test
    void theIndexGoesWithItsSegment() throws IOException {
        open(true, 0);
        send(FIRST);
        end(FIRST, false);
        log.roll();
        log.appendAsLeader(TestBatches.batch(clock.millis(), "later"), 0);
        replicateAll();
        assertThat(transactionIndexFiles()).hasSize(1);
        log.maybeAdvanceLogStartOffset(2);
        assertThat(log.deleteOldSegments()).isEqualTo(1);
        background.runAll();
        assertThat(transactionIndexFiles()).isEmpty();
        assertThat(log.abortedTransactions(2, log.logEndOffset())).isEmpty();
    }

    @Test
    void aMarkerBatchHoldsOneControlRecordInKafkasLayout() {
        ByteBuffer batch = new TransactionMarker(false, 3).toBatch(FIRST, (short) 4, 1234);
        RecordBatch view = RecordBatch.at(batch);
        assertThat(view.isControlBatch()).isTrue();
        assertThat(view.isTransactional()).isTrue();
        assertThat(view.producerId()).isEqualTo(FIRST);
        assertThat(view.producerEpoch()).isEqualTo((short) 4);
        assertThat(view.baseSequence()).isEqualTo(RecordBatch.NO_SEQUENCE);
        assertThat(view.recordCount()).isEqualTo(1);
        assertThat(TransactionMarker.of(view)).contains(new TransactionMarker(false, 3));
    }

    @Test
    void aVerifiedAppendIsRefusedWhenAMarkerLandedSinceItsVerificationStarted() {
        open(true, 0);
        VerificationGuard guard = log.startTransactionVerification(FIRST, (short) 0, false);
        // The coordinator aborts the transaction (this partition was added, no data came yet) while the produce is
        // being verified: its marker lands first.
        end(FIRST, false);
        long endBefore = log.logEndOffset();
        assertThatThrownBy(() -> log.appendAsLeader(TestBatches.transactional(FIRST, (short) 0, 0, clock.millis(),
                "late"), 0, guard)).isInstanceOfSatisfying(RecordBatchException.class,
                        e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_TXN_STATE));
        assertThat(log.logEndOffset()).isEqualTo(endBefore);

        VerificationGuard fresh = log.startTransactionVerification(FIRST, (short) 0, false);
        log.appendAsLeader(TestBatches.transactional(FIRST, (short) 0, 0, clock.millis(), "verified"), 0, fresh);
        assertThat(log.logEndOffset()).isEqualTo(endBefore + 1);
        // Ongoing now: no verification needed for the next batch.
        assertThat(log.startTransactionVerification(FIRST, (short) 0, false)).isSameAs(VerificationGuard.SENTINEL);
        log.appendAsLeader(TestBatches.transactional(FIRST, (short) 0, 1, clock.millis(), "more"), 0,
                VerificationGuard.SENTINEL);
        // With verification off (no guard asked) an unverified transactional batch goes in as before.
        log.appendAsLeader(TestBatches.transactional(SECOND, (short) 0, 0, clock.millis(), "unverified"), 0);
    }

    @Test
    void aCoordinatorsVerifiedAppendIsRefusedWhenAMarkerLandedSinceItsVerificationStarted() {
        // A group coordinator's transactional offset commit (KIP-890 part 2): checked as a producer's append is.
        open(true, 0);
        VerificationGuard guard = log.startTransactionVerification(FIRST, (short) 1, false);
        end(FIRST, false);
        long endBefore = log.logEndOffset();
        assertThatThrownBy(() -> log.appendAsCoordinator(TestBatches.transactional(FIRST, (short) 1, 0,
                clock.millis(), "late offsets"), 0, guard)).isInstanceOfSatisfying(RecordBatchException.class,
                        e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_TXN_STATE));
        assertThat(log.logEndOffset()).isEqualTo(endBefore);
        // A stale epoch is refused as such, whatever the guard (Kafka checks the epoch first).
        log.appendAsCoordinator(TestBatches.transactional(FIRST, (short) 2, 0, clock.millis(), "newer"), 0,
                log.startTransactionVerification(FIRST, (short) 2, false));
        assertThatThrownBy(() -> log.appendAsCoordinator(TestBatches.transactional(FIRST, (short) 1, 0,
                clock.millis(), "stale"), 0, VerificationGuard.SENTINEL))
                .isInstanceOfSatisfying(RecordBatchException.class,
                        e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_PRODUCER_EPOCH));
        // Ongoing at epoch 2 now: the next offsets need no guard; without verification (null) nothing is checked.
        log.appendAsCoordinator(TestBatches.transactional(FIRST, (short) 2, 0, clock.millis(), "more"), 0,
                VerificationGuard.SENTINEL);
        log.appendAsCoordinator(TestBatches.transactional(SECOND, (short) 0, 0, clock.millis(), "unverified"), 0,
                null);
        assertThat(log.logEndOffset()).isEqualTo(endBefore + 3);
    }
}
