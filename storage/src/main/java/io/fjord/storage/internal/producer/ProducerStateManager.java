package io.fjord.storage.internal.producer;

import io.fjord.protocol.records.RecordBatchException;
import io.fjord.protocol.records.RecordBatchException.Kind;
import io.fjord.storage.ProducerState;
import io.fjord.storage.VerificationGuard;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The producer state of one partition, Kafka's {@code ProducerStateManager} rules (KIP-98, KIP-360) as pure logic:
 * checks of a leader append (epoch fencing, sequence continuity, retries of one of the last five batches; a
 * transaction marker's producer and coordinator epochs), updates from appended batches, expiration, and the
 * transactions: those open (by first offset) and those ended by a marker the high watermark has not passed yet, whose
 * data stays unstable until it has (Kafka's {@code ongoingTxns} and {@code unreplicatedTxns}); and the KIP-890
 * verifications under way, one {@link VerificationGuard} per producer, void from the producer's next appended batch
 * (Kafka's {@code verificationStates}). No IO: snapshots and log scans happen in {@link PartitionProducerState}.
 *
 * <p>Not thread-safe: the owning log guards it with its append lock.
 */
public final class ProducerStateManager {
    private final Map<Long, ProducerState> producers = new HashMap<>();
    /** Open transactions: first offset to producer id. */
    private final NavigableMap<Long, Long> openTransactions = new TreeMap<>();
    /** Transactions whose marker is at or above the high watermark: first offset to the transaction. */
    private final NavigableMap<Long, CompletedTransaction> unreplicatedTransactions = new TreeMap<>();
    /** Verifications started, by producer id: in memory only, as in Kafka (a new leader verifies again). */
    private final Map<Long, Verification> verifications = new HashMap<>();

    /**
     * A verification under way: its guard, when it started, the highest producer epoch it was asked for, and whether
     * its producer is on transaction protocol v2 (every transaction ends with a bumped epoch).
     */
    private record Verification(VerificationGuard guard, long startedMs, short producerEpoch,
                                boolean supportsEpochBump) {
    }

    /** {@link #startVerification(long, short, boolean, long)} for a producer on transaction protocol v1. */
    public VerificationGuard startVerification(long producerId, short producerEpoch, long nowMs) {
        return startVerification(producerId, producerEpoch, false, nowMs);
    }

    /**
     * Starts (or joins) the verification of {@code producerId}'s transactional batch at {@code producerEpoch}:
     * {@link VerificationGuard#SENTINEL} when its transaction is ongoing here at that epoch (nothing to verify),
     * else the producer's guard, created now unless a verification is already under way (whose epoch is raised to
     * {@code producerEpoch} if higher, as Kafka's {@code VerificationStateEntry}).
     *
     * @param supportsEpochBump the producer is on transaction protocol v2 (KIP-890 part 2)
     */
    public VerificationGuard startVerification(long producerId, short producerEpoch, boolean supportsEpochBump,
                                               long nowMs) {
        if (hasOngoingTransaction(producerId, producerEpoch)) {
            return VerificationGuard.SENTINEL;
        }
        Verification current = verifications.get(producerId);
        if (current == null) {
            current = new Verification(VerificationGuard.create(), nowMs, producerEpoch, supportsEpochBump);
            verifications.put(producerId, current);
        } else if (producerEpoch > current.producerEpoch()) {
            current = new Verification(current.guard(), current.startedMs(), producerEpoch,
                    current.supportsEpochBump());
            verifications.put(producerId, current);
        }
        return current.guard();
    }

    /** Whether {@code producerId} has a transaction open here, at {@code producerEpoch}. */
    public boolean hasOngoingTransaction(long producerId, short producerEpoch) {
        ProducerState state = producers.get(producerId);
        return state != null && state.currentTransactionFirstOffset() != ProducerState.NO_TRANSACTION
                && state.producerEpoch() == producerEpoch;
    }

    /**
     * Kafka's check of a transactional batch when verification is on ({@code requested} not null): a data batch of a
     * producer without an ongoing transaction (at the batch's epoch) must bring the producer's current guard.
     *
     * @throws RecordBatchException INVALID_TXN_STATE otherwise
     */
    public void checkVerified(List<ProducerBatch> batches, VerificationGuard requested) {
        for (ProducerBatch batch : batches) {
            if (!batch.transactional() || batch.control() || !batch.hasProducerId()
                    || hasOngoingTransaction(batch.producerId(), batch.producerEpoch())) {
                continue;
            }
            Verification current = verifications.get(batch.producerId());
            VerificationGuard guard = current == null ? VerificationGuard.SENTINEL : current.guard();
            if (!guard.verifies(requested)) {
                throw new RecordBatchException(Kind.INVALID_TXN_STATE, "Record was not part of an ongoing"
                        + " transaction");
            }
        }
    }

    /**
     * Checks the idempotent batches of a leader append, in order, against the state and the batches before them.
     *
     * @return the original batch when the append is a single batch repeating one of its producer's last five
     *         batches of the same epoch: it must not be written again, and the producer gets the original offsets
     * @throws RecordBatchException INVALID_PRODUCER_EPOCH for an epoch older than the partition's,
     *                              OUT_OF_ORDER_SEQUENCE_NUMBER for a sequence that does not continue the last one
     *                              (a new epoch or an unknown producer must start at 0), DUPLICATE_SEQUENCE_NUMBER for
     *                              a repeated batch inside an append of several batches
     */
    public Optional<ProducerState.Batch> checkLeaderAppend(List<ProducerBatch> batches) {
        Map<Long, ProducerState> staged = new HashMap<>();
        for (ProducerBatch batch : batches) {
            if (!batch.hasProducerId()) {
                continue;
            }
            ProducerState current = staged.containsKey(batch.producerId()) ? staged.get(batch.producerId())
                    : producers.get(batch.producerId());
            Optional<ProducerState.Batch> duplicate = check(current, batch);
            if (duplicate.isPresent()) {
                if (batches.size() > 1) {
                    throw new RecordBatchException(Kind.DUPLICATE_SEQUENCE_NUMBER, "batch with sequences "
                            + batch.baseSequence() + ".." + batch.lastSequence() + " of producer "
                            + batch.producerId() + " repeats an appended batch inside an append of "
                            + batches.size() + " batches");
                }
                return duplicate;
            }
            staged.put(batch.producerId(), updated(current, batch));
        }
        return Optional.empty();
    }

    /**
     * Checks the batches a coordinator writes for a producer (Kafka's coordinator origin: a group coordinator's
     * transactional offset commits): only the epoch is checked, since the coordinator, not the producer, numbers
     * them, so neither sequences nor retries apply.
     *
     * @throws RecordBatchException INVALID_PRODUCER_EPOCH for an epoch older than the partition's
     */
    public void checkCoordinatorAppend(List<ProducerBatch> batches) {
        for (ProducerBatch batch : batches) {
            ProducerState current = batch.hasProducerId() ? producers.get(batch.producerId()) : null;
            if (current != null && batch.producerEpoch() < current.producerEpoch()) {
                throw new RecordBatchException(Kind.INVALID_PRODUCER_EPOCH, "epoch " + batch.producerEpoch()
                        + " of producer " + batch.producerId() + " is older than its current epoch "
                        + current.producerEpoch());
            }
        }
    }

    private static Optional<ProducerState.Batch> check(ProducerState current, ProducerBatch batch) {
        if (current == null) {
            // No state: a new producer, or one whose state expired or went with its data (retention,
            // DeleteRecords). As Kafka since KIP-360, any sequence is accepted then and starts the state.
            return Optional.empty();
        }
        if (batch.producerEpoch() < current.producerEpoch()) {
            throw new RecordBatchException(Kind.INVALID_PRODUCER_EPOCH, "epoch " + batch.producerEpoch()
                    + " of producer " + batch.producerId() + " is older than its current epoch "
                    + current.producerEpoch());
        }
        if (batch.producerEpoch() > current.producerEpoch()) {
            requireSequence(0, batch, "a new epoch " + batch.producerEpoch() + " must start at sequence 0");
            return Optional.empty();
        }
        Optional<ProducerState.Batch> duplicate = current.findDuplicate(batch.producerEpoch(), batch.baseSequence(),
                batch.lastSequence());
        if (duplicate.isPresent()) {
            return duplicate;
        }
        requireSequence(ProducerBatch.nextSequence(current.lastSequence()), batch,
                "the last sequence appended is " + current.lastSequence());
        return Optional.empty();
    }

    private static void requireSequence(int expected, ProducerBatch batch, String why) {
        if (batch.baseSequence() != expected) {
            throw new RecordBatchException(Kind.OUT_OF_ORDER_SEQUENCE_NUMBER, "out of order sequence "
                    + batch.baseSequence() + " (expected " + expected + ") from producer " + batch.producerId()
                    + " at epoch " + batch.producerEpoch() + ": " + why);
        }
    }

    /**
     * Checks a transaction marker a coordinator asks the leader to append (Kafka's {@code appendEndTxnMarker} checks):
     * INVALID_PRODUCER_EPOCH for a producer epoch older than the partition's, TRANSACTION_COORDINATOR_FENCED for a
     * coordinator epoch older than that of the producer's last marker.
     */
    public void checkMarker(ProducerBatch marker) {
        ProducerState current = producers.get(marker.producerId());
        if (current == null) {
            return;
        }
        if (marker.producerEpoch() < current.producerEpoch()) {
            throw new RecordBatchException(Kind.INVALID_PRODUCER_EPOCH, "transaction marker of producer "
                    + marker.producerId() + " at epoch " + marker.producerEpoch() + " is older than its current epoch "
                    + current.producerEpoch());
        }
        if (marker.marker().coordinatorEpoch() < current.coordinatorEpoch()) {
            throw new RecordBatchException(Kind.TRANSACTION_COORDINATOR_FENCED, "transaction marker of producer "
                    + marker.producerId() + " comes from coordinator epoch " + marker.marker().coordinatorEpoch()
                    + ", older than the last marker's " + current.coordinatorEpoch());
        }
    }

    /**
     * Records an appended batch (leader after its checks, follower and recovery without any). Returns the transaction
     * a marker ended, which stays unstable until {@link #onHighWatermarkUpdated} passes its marker.
     */
    public Optional<CompletedTransaction> apply(ProducerBatch batch) {
        if (!batch.hasProducerId()) {
            return Optional.empty();
        }
        // Any appended batch of the producer (its verified data, or a marker in between) ends a verification, except,
        // as in Kafka, a transaction protocol v2 producer's marker at the verification's epoch: that marker ended the
        // previous transaction with the bumped epoch the verified one uses (the coordinator answered
        // CONCURRENT_TRANSACTIONS until it was written, and a retry may have joined the verification before it).
        Verification verification = verifications.get(batch.producerId());
        if (verification == null || !verification.supportsEpochBump() || !batch.control()
                || batch.producerEpoch() != verification.producerEpoch()) {
            verifications.remove(batch.producerId());
        }
        ProducerState before = producers.get(batch.producerId());
        ProducerState after = updated(before, batch);
        producers.put(batch.producerId(), after);
        long openedAt = before == null ? ProducerState.NO_TRANSACTION : before.currentTransactionFirstOffset();
        if (openedAt == ProducerState.NO_TRANSACTION && after.currentTransactionFirstOffset() >= 0) {
            openTransactions.put(after.currentTransactionFirstOffset(), batch.producerId());
        }
        if (batch.marker() == null || openedAt == ProducerState.NO_TRANSACTION) {
            return Optional.empty(); // a marker without an open transaction ends nothing (Kafka's too)
        }
        openTransactions.remove(openedAt, batch.producerId());
        Map.Entry<Long, Long> nextOpen = openTransactions.firstEntry();
        long lastStableOffset = nextOpen == null ? batch.lastOffset() + 1 : nextOpen.getKey();
        CompletedTransaction completed = new CompletedTransaction(batch.producerId(), openedAt, batch.lastOffset(),
                !batch.marker().commit(), lastStableOffset);
        unreplicatedTransactions.put(openedAt, completed);
        return Optional.of(completed);
    }

    /** The high watermark moved: transactions whose marker lies below it are stable now. */
    public void onHighWatermarkUpdated(long highWatermark) {
        unreplicatedTransactions.values().removeIf(transaction -> transaction.lastOffset() < highWatermark);
    }

    /**
     * The first offset of the earliest transaction still unstable (open, or ended by a marker the high watermark has
     * not passed), or -1 when there is none. The last stable offset is the smaller of this and the high watermark.
     */
    public long firstUnstableOffset() {
        Long open = openTransactions.isEmpty() ? null : openTransactions.firstKey();
        Long unreplicated = unreplicatedTransactions.isEmpty() ? null : unreplicatedTransactions.firstKey();
        if (open == null) {
            return unreplicated == null ? -1 : unreplicated;
        }
        return unreplicated == null ? open : Math.min(open, unreplicated);
    }

    /**
     * The state after {@code batch}: a different epoch starts an empty batch history; a control batch (transaction
     * marker) ends the open transaction; a data batch joins the last five and may open a transaction.
     */
    static ProducerState updated(ProducerState current, ProducerBatch batch) {
        List<ProducerState.Batch> batches = new ArrayList<>();
        int coordinatorEpoch = ProducerState.NO_COORDINATOR_EPOCH;
        long transactionFirstOffset = ProducerState.NO_TRANSACTION;
        if (current != null) {
            coordinatorEpoch = current.coordinatorEpoch();
            transactionFirstOffset = current.currentTransactionFirstOffset();
            if (current.producerEpoch() == batch.producerEpoch()) {
                batches.addAll(current.batches());
            }
        }
        if (batch.control()) {
            transactionFirstOffset = ProducerState.NO_TRANSACTION;
            if (batch.marker() != null) {
                coordinatorEpoch = batch.marker().coordinatorEpoch();
            }
        } else {
            batches.add(new ProducerState.Batch(batch.baseSequence(), batch.lastSequence(), batch.firstOffset(),
                    batch.lastOffset(), batch.maxTimestampMs()));
            if (batches.size() > ProducerState.BATCHES_RETAINED) {
                batches.remove(0);
            }
            if (batch.transactional() && transactionFirstOffset == ProducerState.NO_TRANSACTION) {
                transactionFirstOffset = batch.firstOffset();
            }
        }
        return new ProducerState(batch.producerId(), batch.producerEpoch(), batches, batch.maxTimestampMs(),
                coordinatorEpoch, transactionFirstOffset);
    }

    /**
     * Removes producers without an open transaction whose last timestamp is at least {@code expirationMs} before
     * {@code nowMs} ({@code producer.id.expiration.ms}), and verifications started that long ago, as Kafka does.
     * Returns how many producers went.
     */
    public int removeExpired(long nowMs, long expirationMs) {
        verifications.values().removeIf(verification -> nowMs - verification.startedMs() >= expirationMs);
        int removed = 0;
        for (Iterator<ProducerState> states = producers.values().iterator(); states.hasNext(); ) {
            ProducerState state = states.next();
            if (state.currentTransactionFirstOffset() == ProducerState.NO_TRANSACTION
                    && nowMs - state.lastTimestampMs() >= expirationMs) {
                states.remove();
                removed++;
            }
        }
        return removed;
    }

    public Optional<ProducerState> get(long producerId) {
        return Optional.ofNullable(producers.get(producerId));
    }

    /** A copy of every producer's state, by producer id. */
    public Map<Long, ProducerState> producers() {
        return Map.copyOf(producers);
    }

    /** Every producer's state, for a snapshot; a view valid until the next change. */
    public Collection<ProducerState> states() {
        return producers.values();
    }

    /** Replaces all state by {@code states} (a loaded snapshot). */
    public void load(Collection<ProducerState> states) {
        clear();
        for (ProducerState state : states) {
            producers.put(state.producerId(), state);
            if (state.currentTransactionFirstOffset() >= 0) {
                openTransactions.put(state.currentTransactionFirstOffset(), state.producerId());
            }
        }
    }

    public void clear() {
        producers.clear();
        openTransactions.clear();
        unreplicatedTransactions.clear();
        verifications.clear();
    }

    public int size() {
        return producers.size();
    }
}
