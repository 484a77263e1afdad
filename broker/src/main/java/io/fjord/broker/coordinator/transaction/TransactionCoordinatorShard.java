package io.fjord.broker.coordinator.transaction;

import io.fjord.broker.coordinator.transaction.internal.AddPartitionsOperation;
import io.fjord.broker.coordinator.transaction.internal.EndTxnOperation;
import io.fjord.broker.coordinator.transaction.internal.InitProducerIdOperation;
import io.fjord.broker.coordinator.transaction.internal.MarkerResends;
import io.fjord.broker.coordinator.transaction.internal.TransactionAdmin;
import io.fjord.broker.coordinator.transaction.internal.TransactionEffects;
import io.fjord.broker.coordinator.transaction.internal.TransactionEnder;
import io.fjord.broker.coordinator.transaction.internal.TransactionExpiry;
import io.fjord.broker.coordinator.transaction.internal.TransactionStore;
import io.fjord.broker.coordinator.transaction.records.TransactionRecord;
import io.fjord.broker.coordinator.transaction.records.TransactionRecordSerde;
import io.fjord.broker.coordinator.transaction.records.UnknownTransactionRecordException;
import io.fjord.protocol.message.AddOffsetsToTxnRequestData;
import io.fjord.protocol.message.AddPartitionsToTxnRequestData;
import io.fjord.protocol.message.DescribeTransactionsRequestData;
import io.fjord.protocol.message.EndTxnRequestData;
import io.fjord.protocol.message.InitProducerIdRequestData;
import io.fjord.protocol.message.ListTransactionsRequestData;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The transaction coordinator of one {@code __transaction_state} partition, as a deterministic state machine: every
 * call takes a request (or an event) and the time, and returns a {@link TransactionCoordinatorResult} with the
 * records to append, the response to send once they are committed, and the transaction markers to send. The durable
 * state (each transactional id's producer id, epoch, state and partitions) changes only by applying records, the
 * same way whether they were just produced or are replayed from the log, so a new leader rebuilds it with
 * {@link #replay} and {@link #activate}. Requests see the state of the records produced before them, committed or
 * not; a failed append means the runtime drops the shard and reloads it.
 *
 * <p>Ending a transaction is two-phase: EndTxn (or a fencing InitProducerId, or the timeout sweep) writes
 * PrepareCommit/PrepareAbort and names the markers; the runtime writes them with WriteTxnMarkers and reports
 * {@link #markersWritten} (or {@link #markerWritten} partition by partition), which writes
 * CompleteCommit/CompleteAbort.
 *
 * <p>Not thread-safe: one thread owns a shard. Starts no threads; time and producer ids are inputs.
 */
public final class TransactionCoordinatorShard {
    private final TransactionCoordinatorConfig config;
    private final TransactionStore store = new TransactionStore();
    private final TransactionEnder ender;
    private final InitProducerIdOperation initProducerId;
    private final AddPartitionsOperation addPartitions;
    private final EndTxnOperation endTxn;
    private final TransactionAdmin admin;
    private final TransactionExpiry expiry;
    private final MarkerResends resends;
    private boolean active;

    /**
     * @param producerIds the node's producer ids from the controller's blocks
     * @param coordinatorEpoch the leader epoch of this shard's partition, sent with the markers
     * @param offsetsTopicPartitionCount partitions of {@code __consumer_offsets}, to find a group's partition for
     *        AddOffsetsToTxn
     */
    public TransactionCoordinatorShard(TransactionCoordinatorConfig config, ProducerIdSource producerIds,
            int coordinatorEpoch, int offsetsTopicPartitionCount) {
        this.config = config;
        this.ender = new TransactionEnder(store, producerIds, coordinatorEpoch, config.transactionVersionLevel());
        this.initProducerId = new InitProducerIdOperation(config, store, producerIds, ender);
        this.addPartitions = new AddPartitionsOperation(store, offsetsTopicPartitionCount);
        this.endTxn = new EndTxnOperation(store, ender);
        this.admin = new TransactionAdmin(store);
        this.expiry = new TransactionExpiry(config, store, ender);
        this.resends = new MarkerResends(store, ender);
    }

    /** Applies one record read from the partition while loading. */
    public void replay(TransactionRecord record) {
        requireLoading();
        store.replay(record);
    }

    /**
     * Applies one record in its bytes; records of a key type or value version Fjord does not read are skipped, as
     * Kafka skips them.
     *
     * @param value null for a tombstone
     * @throws io.fjord.broker.coordinator.group.records.CoordinatorRecordException for damaged bytes
     */
    public void replay(ByteBuffer key, ByteBuffer value) {
        TransactionRecord record;
        try {
            record = TransactionRecordSerde.deserialize(key, value);
        } catch (UnknownTransactionRecordException skipped) {
            return;
        }
        replay(record);
    }

    /**
     * Ends loading: the sweeps are scheduled, and the markers of every transaction found preparing are named again
     * (the previous coordinator may not have written them all).
     */
    public TransactionCoordinatorResult activate(long nowMs) {
        requireLoading();
        active = true;
        expiry.start(nowMs);
        return run(nowMs, effects -> {
            for (TransactionMetadata metadata : store.durableState().values()) {
                if (metadata.state().isPreparing()) {
                    effects.markers(ender.markersOf(metadata));
                }
            }
        });
    }

    /** Stops the shard when its partition's leadership moves; it is then dropped. */
    public void deactivate() {
        expiry.stop();
        resends.clear();
        active = false;
    }

    /** InitProducerId with a transactional id (a null id is the idempotent producer's, not the coordinator's). */
    public TransactionCoordinatorResult initProducerId(InitProducerIdRequestData request, short apiVersion,
            long nowMs) {
        return run(nowMs, effects -> initProducerId.handle(request, apiVersion, effects));
    }

    /** AddPartitionsToTxn: v0-3 for one transaction; v4+ batched, each transaction adding or verifying only. */
    public TransactionCoordinatorResult addPartitionsToTxn(AddPartitionsToTxnRequestData request, short apiVersion,
            long nowMs) {
        return run(nowMs, effects -> addPartitions.addPartitions(request, apiVersion, effects));
    }

    public TransactionCoordinatorResult addOffsetsToTxn(AddOffsetsToTxnRequestData request, short apiVersion,
            long nowMs) {
        return run(nowMs, effects -> addPartitions.addOffsets(request, apiVersion, effects));
    }

    /** EndTxn: versions 0-4 in transaction version 1, version 5 in transaction version 2. */
    public TransactionCoordinatorResult endTxn(EndTxnRequestData request, short apiVersion, long nowMs) {
        return run(nowMs, effects -> endTxn.handle(request, apiVersion, effects));
    }

    /**
     * Every marker of the transaction prepared for this producer id and epoch is written: the transaction
     * completes. A report for a transaction no longer preparing at that epoch (a stale or repeated one) is ignored.
     */
    public TransactionCoordinatorResult markersWritten(String transactionalId, long producerId, short producerEpoch,
            long nowMs) {
        return run(nowMs, effects -> {
            TransactionMetadata metadata = store.get(transactionalId);
            if (metadata != null && metadata.state().isPreparing() && metadata.producerId() == producerId
                    && metadata.producerEpoch() == producerEpoch) {
                ender.complete(effects, metadata);
            }
        });
    }

    /**
     * The marker of one partition of the transaction prepared for this producer id and epoch is written (or needs
     * none: its topic is gone): the partition leaves the transaction, as DescribeTransactions then shows, and the
     * transaction completes with its last partition. Stale or repeated reports are ignored.
     */
    public TransactionCoordinatorResult markerWritten(String transactionalId, long producerId, short producerEpoch,
            TransactionPartition partition, long nowMs) {
        return run(nowMs, effects -> {
            TransactionMetadata metadata = store.get(transactionalId);
            if (metadata != null && metadata.state().isPreparing() && metadata.producerId() == producerId
                    && metadata.producerEpoch() == producerEpoch) {
                ender.markerWritten(effects, metadata, partition);
            }
        });
    }

    /**
     * The marker channel refused the markers of the transaction prepared for this producer id and epoch (it was
     * full, and took none): they are named again after {@link MarkerResends#RESEND_BACKOFF_MS}, by
     * {@link #pollTimers}, if the transaction still waits for them then.
     */
    public TransactionCoordinatorResult markersRefused(String transactionalId, long producerId, short producerEpoch,
            long nowMs) {
        return run(nowMs, effects -> resends.refused(transactionalId, producerId, producerEpoch, nowMs));
    }

    /** Describes this shard's transactional ids (the runtime splits the request by shard). */
    public TransactionCoordinatorResult describeTransactions(DescribeTransactionsRequestData request, long nowMs) {
        return run(nowMs, effects -> admin.describe(request, effects));
    }

    /** Lists this shard's transactions; the runtime merges the lists of all shards it leads. */
    public TransactionCoordinatorResult listTransactions(ListTransactionsRequestData request, long nowMs) {
        return run(nowMs, effects -> admin.list(request, effects));
    }

    /**
     * DescribeTransactions on a committed view (a shard that replays only committed records and is never
     * activated), as Kafka answers from the state its committed records made: a transaction whose Prepare record
     * is not committed yet is still Ongoing. A preparing transaction omits the partitions whose marker is written,
     * which only {@code live}, the partition's active shard, knows (null if none is active).
     */
    public TransactionCoordinatorResult describeCommitted(DescribeTransactionsRequestData request,
            TransactionCoordinatorShard live, long nowMs) {
        return read(nowMs, effects -> admin.describe(request,
                committed -> live == null ? Set.of() : live.writtenMarkers(committed), effects));
    }

    /** ListTransactions on a committed view, as {@link #describeCommitted}. */
    public TransactionCoordinatorResult listCommitted(ListTransactionsRequestData request, long nowMs) {
        return read(nowMs, effects -> admin.list(request, effects));
    }

    /**
     * The partitions of {@code committed}, a preparing transaction as a committed view holds it, whose marker is
     * written: the ones marked here while this shard still holds the same state, all of them once it has moved on
     * (it leaves a preparing state only by the Complete record, written when every marker is).
     */
    Set<TransactionPartition> writtenMarkers(TransactionMetadata committed) {
        TransactionMetadata current = store.get(committed.transactionalId());
        if (committed.equals(current)) {
            return store.markedPartitions(committed.transactionalId());
        }
        return committed.partitions();
    }

    /**
     * Runs the sweeps due at {@code nowMs} (timed-out transactions aborted, expired ids removed) and names again the
     * refused markers whose back-off is over.
     */
    public TransactionCoordinatorResult pollTimers(long nowMs) {
        return run(nowMs, effects -> {
            expiry.poll(effects);
            resends.poll(effects);
        });
    }

    /** When {@link #pollTimers} next has work, or {@link Long#MAX_VALUE}. */
    public long nextTimerDeadlineMs() {
        return Math.min(expiry.nextDeadlineMs(), resends.nextDeadlineMs());
    }

    /** The durable state in id order, equal for shards that applied the same records (tests, diagnostics). */
    public Map<String, TransactionMetadata> durableState() {
        return store.durableState();
    }

    /** The id's metadata, or null. */
    public TransactionMetadata transaction(String transactionalId) {
        return store.get(transactionalId);
    }

    public boolean isActive() {
        return active;
    }

    private TransactionCoordinatorResult run(long nowMs, Consumer<TransactionEffects> call) {
        if (!active) {
            throw new IllegalStateException("the shard is not active (still loading, or deactivated)");
        }
        TransactionEffects effects = new TransactionEffects(nowMs, config.transactionLogValueVersion(), store);
        call.accept(effects);
        return effects.result();
    }

    /** A call that only reads: allowed on a shard that is not active (a committed view). */
    private TransactionCoordinatorResult read(long nowMs, Consumer<TransactionEffects> call) {
        TransactionEffects effects = new TransactionEffects(nowMs, config.transactionLogValueVersion(), store);
        call.accept(effects);
        TransactionCoordinatorResult result = effects.result();
        if (!result.records().isEmpty() || !result.markers().isEmpty()) {
            throw new IllegalStateException("a read wrote records or named markers");
        }
        return result;
    }

    private void requireLoading() {
        if (active) {
            throw new IllegalStateException("records are replayed only while loading");
        }
    }
}
