package io.fjord.storage.internal.producer;

import io.fjord.protocol.records.RecordBatchException;
import io.fjord.protocol.records.RecordBatchException.Kind;
import io.fjord.storage.ProducerState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The producer state of one partition, Kafka's {@code ProducerStateManager} rules (KIP-98, KIP-360) as pure logic:
 * checks of a leader append (epoch fencing, sequence continuity, retries of one of the last five batches), updates
 * from appended batches, expiration. No IO: snapshots and log scans happen in {@link PartitionProducerState}.
 *
 * <p>Not thread-safe: the owning log guards it with its append lock.
 */
public final class ProducerStateManager {
    private final Map<Long, ProducerState> producers = new HashMap<>();

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

    /** Records an appended batch (leader after its checks, follower and recovery without any). */
    public void apply(ProducerBatch batch) {
        if (batch.hasProducerId()) {
            producers.put(batch.producerId(), updated(producers.get(batch.producerId()), batch));
        }
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
     * {@code nowMs} ({@code producer.id.expiration.ms}). Returns how many went.
     */
    public int removeExpired(long nowMs, long expirationMs) {
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
        producers.clear();
        for (ProducerState state : states) {
            producers.put(state.producerId(), state);
        }
    }

    public void clear() {
        producers.clear();
    }

    public int size() {
        return producers.size();
    }
}
