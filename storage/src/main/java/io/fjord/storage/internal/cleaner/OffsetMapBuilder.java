package io.fjord.storage.internal.cleaner;

import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.storage.internal.BatchHeader;
import io.fjord.storage.internal.LogSegment;
import io.fjord.storage.internal.SegmentScanner;

/**
 * Fills an {@link OffsetMap} with the latest offset of every key in a log's dirty section, one batch in memory at a
 * time. Stops early, at a batch boundary, when the next batch might not fit the map.
 *
 * <p>Not thread-safe: used by one clean at a time.
 */
final class OffsetMapBuilder {
    /** Bound on what one batch may decode to. */
    static final long DECODED_BYTES_MAX = 256L * 1024 * 1024;

    private final Runnable abortCheck;
    private long bytesRead;

    /** @param abortCheck throws {@link CleaningAbortedException} when the clean must stop */
    OffsetMapBuilder(Runnable abortCheck) {
        this.abortCheck = abortCheck;
    }

    long bytesRead() {
        return bytesRead;
    }

    /**
     * Maps the keys of records in [first dirty offset, first uncleanable offset) of {@code range}.
     *
     * @return the offset up to which (exclusive) the map holds every key: the first uncleanable offset, or the base
     *         offset of the first batch that did not fit
     */
    long build(CleanableRange range, OffsetMap map) {
        map.clear();
        long firstDirty = range.firstDirtyOffset();
        long firstUncleanable = range.firstUncleanableOffset();
        for (int index = 0; index < range.segments().size(); index++) {
            LogSegment segment = range.segments().get(index);
            if (segment.baseOffset() >= firstUncleanable) {
                break;
            }
            if (range.nextBaseOffsets().get(index) <= firstDirty) {
                continue;
            }
            if (!segment.acquire(System.nanoTime())) {
                throw new CleaningAbortedException("segment " + segment + " was deleted during the clean");
            }
            try {
                // Kafka's rule: an aborted transaction's keys are not mapped, or they would hide older committed values.
                TransactionTracker transactions = TransactionTracker.forMapping();
                transactions.addAborted(range.log().abortedTransactions(segment.baseOffset(),
                        range.nextBaseOffsets().get(index)));
                long stoppedAt = mapSegment(segment, firstDirty, firstUncleanable, map, transactions);
                if (stoppedAt >= 0) {
                    return stoppedAt;
                }
            } finally {
                segment.release();
            }
        }
        return firstUncleanable;
    }

    /** Maps one segment; returns where mapping stopped, or -1 if the whole segment was mapped. */
    private long mapSegment(LogSegment segment, long firstDirty, long firstUncleanable, OffsetMap map,
                            TransactionTracker transactions) {
        SegmentScanner scanner = segment.scanner(true);
        BatchHeader header;
        while ((header = scanner.next()) != null) {
            abortCheck.run();
            boolean aborted;
            if (header.isControl()) {
                RecordBatch control = new RecordBatch(segment.read(header.position(), header.sizeBytes()), 0);
                bytesRead += header.sizeBytes();
                transactions.onControlBatch(control);
                aborted = false;
            } else {
                aborted = transactions.onDataBatch(header.producerId(), header.isTransactional(), header.lastOffset());
            }
            if (header.lastOffset() < firstDirty || header.isControl() || header.recordCount() == 0 || aborted) {
                if (header.baseOffset() >= firstUncleanable) {
                    return firstUncleanable;
                }
                continue;
            }
            if (header.baseOffset() >= firstUncleanable) {
                return firstUncleanable;
            }
            if (!map.hasRoomFor(header.recordCount())) {
                return Math.max(firstDirty, header.baseOffset());
            }
            RecordBatch batch = new RecordBatch(segment.read(header.position(), header.sizeBytes()), 0);
            bytesRead += header.sizeBytes();
            for (Record record : RecordCodec.decode(batch, DECODED_BYTES_MAX)) {
                if (record.hasKey() && record.offset() >= firstDirty && record.offset() < firstUncleanable) {
                    map.put(record.key(), record.offset());
                }
            }
        }
        if (scanner.invalidReason() != null) {
            throw segment.corruption(scanner.position(), scanner.invalidReason());
        }
        return -1;
    }
}
