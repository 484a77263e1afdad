package io.fjord.storage.internal.cleaner;

import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides what of one batch a clean keeps, Kafka's compaction rules:
 * <ul>
 *   <li>a record without a key is dropped (compacted topics reject them at produce time);</li>
 *   <li>a record whose key the offset map holds at a larger offset is dropped (a newer value exists);</li>
 *   <li>a tombstone (null value) is kept until its batch's delete horizon (KIP-534) has passed, then dropped; the
 *       first clean that keeps a tombstone stamps its batch with the horizon {@code now + delete.retention.ms};</li>
 *   <li>a batch of an aborted transaction loses all its records ({@link TransactionTracker});</li>
 *   <li>a transaction marker stays while its transaction's batches precede it in the pass; once a pass reads none,
 *       it is stamped with a delete horizon like a tombstone, and a pass after the horizon drops it (Kafka's
 *       two-pass rule); other control batches stay as they are;</li>
 *   <li>a batch left without records is dropped (the cleaner writes a new empty batch where one is needed), except
 *       the last batch of each producer ({@link ProducerLastBatches}), kept emptied ({@link EmptiedBatch}).</li>
 * </ul>
 * A batch keeping all its records and needing no horizon is copied byte for byte; otherwise its retained records are
 * re-encoded with the original batch fields (compression, producer fields, offsets).
 *
 * <p>Not thread-safe: used by one clean at a time.
 */
final class BatchFilter {
    private final OffsetMap map;
    private final long mappedEndOffset;
    private final long nowMs;
    private final long newDeleteHorizonMs;
    private long recordsRead;
    private long recordsRetained;

    /**
     * @param mappedEndOffset    the map holds every key below this offset; a tombstone is only removed below it, so
     *                           that every older value of its key has been removed first
     * @param deleteRetentionMs  {@code delete.retention.ms}
     */
    BatchFilter(OffsetMap map, long mappedEndOffset, long nowMs, long deleteRetentionMs) {
        this.map = map;
        this.mappedEndOffset = mappedEndOffset;
        this.nowMs = nowMs;
        long horizon = nowMs + deleteRetentionMs;
        this.newDeleteHorizonMs = horizon < nowMs ? Long.MAX_VALUE : horizon;
    }

    long recordsRead() {
        return recordsRead;
    }

    long recordsRetained() {
        return recordsRetained;
    }

    /**
     * The bytes to write in place of {@code batch} (the batch itself when unchanged), or null to drop it.
     *
     * @param transactions the transactions of the group being cleaned, fed every batch in offset order
     * @param lastBatches  the batch of each producer to keep
     */
    ByteBuffer filter(RecordBatch batch, TransactionTracker transactions, ProducerLastBatches lastBatches) {
        boolean lastOfProducer = lastBatches.isLast(batch);
        if (batch.isControlBatch()) {
            return filterControl(batch, transactions.onControlBatch(batch), lastOfProducer);
        }
        boolean aborted = transactions.onDataBatch(batch.producerId(), batch.isTransactional(), batch.lastOffset());
        if (batch.recordCount() == 0) {
            return lastOfProducer ? batch.slice() : null;
        }
        if (aborted) {
            recordsRead += batch.recordCount();
            return lastOfProducer ? EmptiedBatch.of(batch) : null;
        }
        List<Record> records = RecordCodec.decode(batch, OffsetMapBuilder.DECODED_BYTES_MAX);
        List<Record> retained = new ArrayList<>(records.size());
        boolean retainsTombstone = false;
        for (Record record : records) {
            if (shouldRetain(batch, record)) {
                retained.add(record);
                retainsTombstone |= record.isTombstone();
            }
        }
        recordsRead += records.size();
        recordsRetained += retained.size();
        boolean needsHorizon = retainsTombstone && !batch.hasDeleteHorizon();
        if (retained.size() == records.size() && !needsHorizon) {
            return batch.slice();
        }
        if (retained.isEmpty()) {
            return lastOfProducer ? EmptiedBatch.of(batch) : null;
        }
        BatchSpec spec = BatchSpec.of(batch);
        if (needsHorizon) {
            spec = spec.withDeleteHorizonMs(newDeleteHorizonMs);
        }
        return RecordCodec.encode(spec, retained);
    }

    /** Markers piggy-back on the tombstone horizon: one that may go is kept until {@code delete.retention.ms} passed. */
    private ByteBuffer filterControl(RecordBatch batch, boolean canDiscard, boolean lastOfProducer) {
        if (batch.recordCount() == 0) {
            return lastOfProducer ? batch.slice() : null;
        }
        if (!canDiscard) {
            return batch.slice();
        }
        if (batch.hasDeleteHorizon()) {
            if (nowMs < batch.deleteHorizonMs()) {
                return batch.slice();
            }
            return lastOfProducer ? EmptiedBatch.of(batch) : null;
        }
        List<Record> records = RecordCodec.decode(batch, OffsetMapBuilder.DECODED_BYTES_MAX);
        return RecordCodec.encode(BatchSpec.of(batch).withDeleteHorizonMs(newDeleteHorizonMs), records);
    }

    private boolean shouldRetain(RecordBatch batch, Record record) {
        if (!record.hasKey()) {
            return false;
        }
        long latest = map.get(record.key());
        if (latest >= 0 && record.offset() < latest) {
            return false;
        }
        if (record.isTombstone() && batch.hasDeleteHorizon() && nowMs >= batch.deleteHorizonMs()
                && record.offset() < mappedEndOffset) {
            return false;
        }
        return true;
    }
}
